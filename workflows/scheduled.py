"""`ScheduledServiceWorkflow`: one run of a periodic revisit call or preventive inspection,
started by its Temporal Schedule (SPEC §2).

A run fires at the schedule's calendar slot, waits for the next working date of the customer's
office calendar when the slot falls on a holiday, then registers an inspection request or queues
the revisit desk's "call due" notice. Every side effect is keyed by the schedule ID and the run's
local date, so a retried activity or a re-run never does it twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from models.activity_io import ActivityName, NotificationRequest
    from models.schedules import (
        WORKFLOW_TYPE,
        InspectionRegistered,
        InspectionRequest,
        RunDue,
        ScheduledActivity,
        ScheduledRun,
        WorkingDateRequest,
    )

#: Set by Temporal on every workflow a schedule starts (a trigger sets it to the trigger time).
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
#: The notification's `number` column is a request number's width.
NUMBER_WIDTH = 32

_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
_TIMEOUT = timedelta(minutes=1)


@workflow.defn(name=WORKFLOW_TYPE)
class ScheduledServiceWorkflow:
    @workflow.run
    async def run(self, run: ScheduledRun) -> str:
        """The registered request's number (inspection) or the notice's key (revisit call)."""
        scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START)
        due = await workflow.execute_activity(
            ScheduledActivity.NEXT_WORKING_DATE,
            WorkingDateRequest(run=run, at=scheduled or workflow.now()),
            result_type=RunDue,
            start_to_close_timeout=_TIMEOUT,
            retry_policy=_RETRY,
        )
        wait = due.at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"next working date {due.local_date.isoformat()}")
        definition = run.definition
        if definition.kind == "inspection":
            registered: InspectionRegistered = await workflow.execute_activity(
                ScheduledActivity.REGISTER_INSPECTION,
                InspectionRequest(
                    schedule_id=run.schedule_id, definition=definition, due=due.local_date
                ),
                result_type=InspectionRegistered,
                start_to_close_timeout=_TIMEOUT,
                retry_policy=_RETRY,
            )
            return registered.number
        key = f"schedule:{run.schedule_id}:{due.local_date.isoformat()}"
        await workflow.execute_activity(
            ActivityName.QUEUE_NOTIFICATION,
            NotificationRequest(
                key=key,
                # No request exists for a periodic call: the asset is what the call is about.
                number=definition.asset_serial[:NUMBER_WIDTH],
                kind="revisit_due",
                recipients=["revisit"],
                data={
                    "due": due.at.isoformat(),
                    "customer_id": definition.customer_id,
                    "asset_serial": definition.asset_serial,
                    "schedule_id": run.schedule_id,
                },
            ),
            start_to_close_timeout=_TIMEOUT,
            retry_policy=_RETRY,
        )
        return key

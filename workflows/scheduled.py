"""`ScheduledServiceWorkflow`: one run of a periodic revisit call, revisit visit or preventive
inspection, started by its Temporal Schedule (SPEC §2).

A run fires at the schedule's calendar slot, waits for the next working date of the customer's
office calendar when the slot falls on a holiday, then registers an inspection request (for the
asset, or for each asset of the contract), a revisit visit for an engineer (one per run), or
starts a `RevisitCallWorkflow` that puts the call on the revisit agents' list. Every side
effect is keyed by the schedule ID and the run's local date, so a retried activity or a re-run
never does it twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import timedelta

from temporalio import workflow
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from workflows.calls import LONG_TIMEOUT, RETRY, SCHEDULED_START
from workflows.revisit_call import RevisitCallWorkflow

with workflow.unsafe.imports_passed_through():
    from models.activity_io import NOTICE_NUMBER_WIDTH, ActivityName, NotificationRequest
    from models.revisits import RevisitCallStart, revisit_workflow_id
    from models.schedules import (
        WORKFLOW_TYPE,
        InspectionRegistered,
        InspectionRequest,
        RevisitCallRequest,
        RunDue,
        ScheduledActivity,
        ScheduledRun,
        WorkingDateRequest,
    )
    from models.search_attributes import ASSET_SERIAL, CUSTOMER_ID

#: workflow.patched marker: a periodic revisit became a call-list workflow, not a notice.
REVISIT_CALL_WORKFLOWS = "periodic-revisit-call-workflows"
#: workflow.patched marker: a periodic revisit visit is dispatched to an engineer (a request
#: of type revisit_visit), not put on the revisit agents' call list.
REVISIT_VISITS_DISPATCHED = "periodic-revisit-visits-dispatched"


@workflow.defn(name=WORKFLOW_TYPE)
class ScheduledServiceWorkflow:
    @workflow.run
    async def run(self, run: ScheduledRun) -> str:
        """The registered requests' numbers (inspection) or the revisit call's ID."""
        scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START)
        due = await workflow.execute_activity(
            ScheduledActivity.NEXT_WORKING_DATE,
            WorkingDateRequest(run=run, at=scheduled or workflow.now()),
            result_type=RunDue,
            start_to_close_timeout=LONG_TIMEOUT,
            retry_policy=RETRY,
        )
        wait = due.at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"next working date {due.local_date.isoformat()}")
        if run.definition.kind == "inspection":
            return await self._inspect(run, due)
        if run.definition.kind == "revisit_visit" and workflow.patched(REVISIT_VISITS_DISPATCHED):
            return await self._visit(run, due)
        if workflow.patched(REVISIT_CALL_WORKFLOWS):
            return await self._start_call(run, due)
        return await self._notify_revisit_desk(run, due)

    async def _inspect(self, run: ScheduledRun, due: RunDue) -> str:
        """An inspection request for the asset, or for each of the contract's assets."""
        serials: list[str | None] = [None]
        if run.definition.asset_serial is None:
            serials = list(await self._contract_assets(run))
        return await self._register(run, due, serials)

    async def _visit(self, run: ScheduledRun, due: RunDue) -> str:
        """One revisit visit, dispatched like an inspection: on the schedule's asset, or on the
        contract's first asset (whose category and site say whom to send where)."""
        if run.definition.asset_serial is not None:
            return await self._register(run, due, [None])
        assets = await self._contract_assets(run)
        return await self._register(run, due, assets[:1]) if assets else ""

    async def _contract_assets(self, run: ScheduledRun) -> list[str]:
        return list(
            await workflow.execute_activity(
                ScheduledActivity.CONTRACT_ASSETS,
                run.definition.customer_id,
                result_type=list[str],
                start_to_close_timeout=LONG_TIMEOUT,
                retry_policy=RETRY,
            )
        )

    async def _register(self, run: ScheduledRun, due: RunDue, serials: Sequence[str | None]) -> str:
        """A request per serial (None: the schedule's own asset), of the schedule's kind."""
        numbers = []
        for serial in serials:
            registered: InspectionRegistered = await workflow.execute_activity(
                ScheduledActivity.REGISTER_INSPECTION,
                InspectionRequest(
                    schedule_id=run.schedule_id,
                    definition=run.definition,
                    due=due.local_date,
                    asset_serial=serial,
                ),
                result_type=InspectionRegistered,
                start_to_close_timeout=LONG_TIMEOUT,
                retry_policy=RETRY,
            )
            numbers.append(registered.number)
        return ", ".join(numbers)

    async def _start_call(self, run: ScheduledRun, due: RunDue) -> str:
        """A revisit call of its own: it waits on the call list for its answer, which may
        take longer than this run may last (the next run would be skipped)."""
        call: RevisitCallStart = await workflow.execute_activity(
            ScheduledActivity.PREPARE_REVISIT_CALL,
            RevisitCallRequest(run=run, due=due),
            result_type=RevisitCallStart,
            start_to_close_timeout=LONG_TIMEOUT,
            retry_policy=RETRY,
        )
        d = run.definition
        attributes = [SearchAttributePair(CUSTOMER_ID, d.customer_id)]
        if d.asset_serial:
            attributes.append(SearchAttributePair(ASSET_SERIAL, d.asset_serial))
        # One call per schedule and date: a second trigger that day finds the first.
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await workflow.start_child_workflow(
                RevisitCallWorkflow.run,
                call,
                id=revisit_workflow_id(call.id),
                task_queue=workflow.info().task_queue,
                parent_close_policy=ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(attributes),
                static_summary=f"{call.channel} revisit {call.id} · {d.customer_id}",
            )
        return call.id

    async def _notify_revisit_desk(self, run: ScheduledRun, due: RunDue) -> str:
        """How runs started before periodic calls had their own workflow replay."""
        definition = run.definition
        assert definition.asset_serial is not None  # only asset schedules existed then
        key = f"schedule:{run.schedule_id}:{due.local_date.isoformat()}"
        await workflow.execute_activity(
            ActivityName.QUEUE_NOTIFICATION,
            NotificationRequest(
                key=key,
                number=definition.asset_serial[:NOTICE_NUMBER_WIDTH],
                kind="revisit_due",
                recipients=["revisit"],
                data={
                    "due": due.at.isoformat(),
                    "customer_id": definition.customer_id,
                    "asset_serial": definition.asset_serial,
                    "schedule_id": run.schedule_id,
                },
            ),
            start_to_close_timeout=LONG_TIMEOUT,
            retry_policy=RETRY,
        )
        return key

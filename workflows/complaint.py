"""`ComplaintWorkflow`: one complaint (客诉) from its opening to the supervisor's answer, with its
own response clock (SPEC §2: default "tell the supervisor at once, answer within 24 hours").

A complaint outlives the request it is about (that request may complete the moment its revisit
is recorded), so it is a workflow of its own, started by the workflow the complaint arose in
(`open_complaint`) and abandoned by it: the Web UI lists open complaints as running
`ComplaintWorkflow`s, and `SlaStatus = 'breached'` finds the overdue ones.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

from workflows.calls import RETRY, TIMEOUT
from workflows.rejections import FORBIDDEN, WRONG_STAGE, reject

with workflow.unsafe.imports_passed_through():
    from models.activity_io import NOTICE_NUMBER_WIDTH, ActivityName, NotificationRequest
    from models.common import SlaStatus
    from models.complaints import (
        ComplaintPlanRequest,
        ComplaintSource,
        ComplaintStart,
        ComplaintState,
        RespondCommand,
        complaint_number,
        complaint_workflow_id,
    )
    from models.lifecycle import Role
    from models.profile import SlaProfile
    from models.search_attributes import (
        NEXT_DEADLINE,
        SLA_STATUS,
    )
    from models.state import ComplaintRecord

#: Who may answer a complaint (SPEC §1: the supervisor handles complaints).
ANSWERED_BY = (Role.SUPERVISOR,)


@workflow.defn
class ComplaintWorkflow:
    @workflow.init
    def __init__(self, start: ComplaintStart) -> None:
        self.state = ComplaintState.opened(start)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: ComplaintStart) -> ComplaintState:
        async with self._lock:
            await self._record()
            await self._notify("complaint_opened", start.notify, "opened")
        remaining = self.state.respond_by - workflow.now()
        try:
            await workflow.wait_condition(
                self._answered,
                timeout=max(remaining, timedelta(0)),
                timeout_summary="complaint answer due",
            )
        except TimeoutError:
            async with self._lock:
                if not self._answered():
                    self.state.breached_at = workflow.now()
                    await self._record()
                    await self._notify("complaint_overdue", start.escalate_to, "overdue")
            await workflow.wait_condition(self._answered)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    def _answered(self) -> bool:
        return self.state.status == "responded"

    @workflow.query
    def state_view(self) -> ComplaintState:
        return self.state

    @workflow.update
    async def respond(self, command: RespondCommand) -> ComplaintState:
        async with self._lock:
            # Two answers accepted together: the validator saw the complaint open for both.
            self._check_open()
            now = workflow.now()
            s = self.state
            s.status, s.responded_at, s.responded_by = "responded", now, command.actor.name
            s.responder = command.actor.person
            s.response, s.remedy = command.body.response, command.body.remedy
            await self._record()
            return s

    @respond.validator
    def _check_respond(self, command: RespondCommand) -> None:
        if command.actor.role not in ANSWERED_BY:
            raise reject(
                FORBIDDEN, f"a complaint is answered by the supervisor, not by {command.actor.role}"
            )
        self._check_open()

    def _check_open(self) -> None:
        if self.state.status == "responded":
            raise reject(
                WRONG_STAGE,
                f"complaint {self.state.number} was already answered by "
                f"{self.state.responded_by} at {self.state.responded_at:%Y-%m-%d %H:%M %z}",
            )

    async def _record(self) -> None:
        self.state.version += 1
        breached = self.state.breached_at is not None
        workflow.upsert_search_attributes(
            [
                SLA_STATUS.value_set(str(SlaStatus.BREACHED if breached else SlaStatus.ON_TRACK)),
                NEXT_DEADLINE.value_unset()
                if self.state.status == "responded"
                else NEXT_DEADLINE.value_set(self.state.respond_by),
            ]
        )
        await workflow.execute_activity(
            ActivityName.RECORD_COMPLAINT,
            self.state,
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary=f"record complaint ({self.state.status})",
        )

    async def _notify(self, kind: str, recipients: list[str], step: str) -> None:
        s = self.state
        await workflow.execute_activity(
            ActivityName.QUEUE_NOTIFICATION,
            NotificationRequest(
                key=f"{s.number}/{step}",
                number=(s.about or s.number)[:NOTICE_NUMBER_WIDTH],
                kind=kind,
                recipients=recipients,
                data={
                    "complaint": s.number,
                    "reason": s.reason,
                    "customer_id": s.customer_id,
                    "respond_by": s.respond_by.isoformat(),
                    "rework": s.rework or "",
                },
            ),
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary=f"notify {', '.join(recipients)}",
        )


async def open_complaint(
    *,
    profile: SlaProfile,
    source: ComplaintSource,
    about: str,
    ordinal: int,
    customer_id: str,
    asset_serial: str | None,
    reason: str,
    opened_by: str,
    rework: str | None = None,
) -> ComplaintRecord:
    """Called from a workflow: plan the answer's deadline and start the complaint's own
    workflow (it goes on after the calling workflow completes)."""
    now = workflow.now()
    respond_by: datetime = await workflow.execute_activity(
        ActivityName.PLAN_COMPLAINT,
        ComplaintPlanRequest(profile=profile, opened_at=now),
        result_type=datetime,
        start_to_close_timeout=TIMEOUT,
        retry_policy=RETRY,
        summary="plan complaint answer",
    )
    number = complaint_number(about, ordinal)
    start = ComplaintStart(
        number=number,
        source=source,
        customer_id=customer_id,
        asset_serial=asset_serial,
        about=about,
        rework=rework,
        reason=reason,
        opened_at=now,
        opened_by=opened_by,
        respond_by=respond_by,
        notify=profile.complaints.notify,
        escalate_to=profile.complaints.escalate_to,
    )
    await workflow.start_child_workflow(
        ComplaintWorkflow.run,
        start,
        id=complaint_workflow_id(number),
        task_queue=workflow.info().task_queue,
        parent_close_policy=ParentClosePolicy.ABANDON,
        search_attributes=start.search_attributes(),
        static_summary=start.summary(),
        static_details=start.details(),
    )
    return ComplaintRecord(
        number=number, opened_at=now, reason=reason, respond_by=respond_by, rework=rework
    )

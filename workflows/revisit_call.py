"""`RevisitCallWorkflow`: one periodic revisit (定期回访, a phone call or an on-site visit) that a
contract schedule started, from due to answered (or unreachable after the profile's attempts).

It is on the revisit agents' call list like the revisits after a repair, is answered with the
same `record_revisit` body, retries an unreachable customer after the profile's working days,
and an unhappy answer opens a complaint for the supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow

from workflows.calls import RETRY, TIMEOUT
from workflows.complaint import open_complaint
from workflows.rejections import FORBIDDEN, INVALID, WRONG_STAGE, reject

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from models.actions import ActionCommand, RecordRevisitBody
    from models.activity_io import (
        NOTICE_NUMBER_WIDTH,
        ActivityName,
        BusinessInstantRequest,
        NotificationRequest,
    )
    from models.lifecycle import LIFECYCLE, Action
    from models.revisits import (
        RevisitCallStart,
        RevisitCallState,
        next_attempt,
        record_attempt,
        retry_calendar,
    )

#: The roles of `record_revisit` in the lifecycle table (the revisit desk).
ANSWERED_BY = LIFECYCLE[Action.RECORD_REVISIT].roles


@workflow.defn
class RevisitCallWorkflow:
    @workflow.init
    def __init__(self, start: RevisitCallStart) -> None:
        self._start = start
        self.state = RevisitCallState.planned(start)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: RevisitCallStart) -> RevisitCallState:
        async with self._lock:
            await self._record()
        reminded: datetime | None = None
        while self.state.revisit.status == "due":
            due = self.state.revisit.due
            if due > workflow.now():
                await self._until_answered_or_moved(due, due - workflow.now())
            elif reminded != due:  # once per attempt
                await self._remind()
                reminded = due
            else:
                await self._until_answered_or_moved(due, None)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    async def _until_answered_or_moved(self, due: datetime, wait: timedelta | None) -> None:
        """Until the call is answered (or given up) or moved by an unreachable attempt, or
        until `wait` has passed; a condition on the state, so nothing that happened while the
        loop was busy elsewhere is missed."""
        revisit = self.state.revisit
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: revisit.status != "due" or revisit.due != due,
                timeout=wait,
                timeout_summary="call due",
            )

    @workflow.query
    def state_view(self) -> RevisitCallState:
        return self.state

    @workflow.update
    async def record_revisit(self, command: ActionCommand) -> RevisitCallState:
        body = RecordRevisitBody.model_validate(command.body)
        async with self._lock:
            revisit, now = self.state.revisit, workflow.now()
            # Two answers accepted together: the validator saw the call due for both.
            self._check_due()
            max_attempts = self._start.profile.revisits.max_attempts
            outcome = record_attempt(revisit, body, max_attempts, now, command.actor.person)
            if outcome == "retry":
                revisit.due = next_attempt(revisit.due, await self._retry_due())
            elif outcome == "answered" and body.complaint is not None:
                self.state.complaints.append(
                    await open_complaint(
                        profile=self._start.profile,
                        source="periodic_revisit",
                        about=self.state.id,
                        ordinal=len(self.state.complaints) + 1,
                        customer_id=self.state.customer_id,
                        asset_serial=self.state.asset_serial,
                        reason=body.complaint,
                        opened_by=command.actor.label,
                    )
                )
            await self._record()
            return self.state

    @record_revisit.validator
    def _check_record(self, command: ActionCommand) -> None:
        if command.actor.role not in ANSWERED_BY:
            raise reject(
                FORBIDDEN, f"revisits are recorded by the revisit desk, not by {command.actor.role}"
            )
        self._check_due()
        try:
            RecordRevisitBody.model_validate(command.body)
        except ValidationError as exc:
            reasons = "; ".join(str(error["msg"]) for error in exc.errors())
            raise reject(INVALID, f"invalid revisit answer: {reasons}") from exc

    def _check_due(self) -> None:
        if self.state.revisit.status != "due":
            raise reject(
                WRONG_STAGE, f"revisit {self.state.id} is already {self.state.revisit.status}"
            )

    async def _retry_due(self) -> datetime:
        """The customer did not answer: call again after the profile's working days."""
        profile = self._start.profile
        due: datetime = await workflow.execute_activity(
            ActivityName.BUSINESS_INSTANT,
            BusinessInstantRequest(
                profile=profile,
                calendar=retry_calendar(profile),
                start=workflow.now(),
                working_days=profile.revisits.retry_working_days,
            ),
            result_type=datetime,
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary="plan revisit retry",
        )
        return due

    async def _remind(self) -> None:
        """The call is due: it lands on the revisit desk."""
        s = self.state
        await workflow.execute_activity(
            ActivityName.QUEUE_NOTIFICATION,
            NotificationRequest(
                key=f"{s.id}/attempt-{s.revisit.attempts + 1}",
                number=s.id[:NOTICE_NUMBER_WIDTH],
                kind="periodic_revisit_due",
                recipients=["revisit"],
                data={
                    "due": s.revisit.due.isoformat(),
                    "customer_id": s.customer_id,
                    "asset_serial": s.asset_serial or "",
                    "channel": s.revisit.channel,
                },
            ),
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary="notify revisit desk",
        )

    async def _record(self) -> None:
        self.state.version += 1
        await workflow.execute_activity(
            ActivityName.RECORD_REVISIT_CALL,
            self.state,
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary=f"record revisit ({self.state.revisit.status})",
        )

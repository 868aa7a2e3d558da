"""`Request`: one request's working parts inside its workflow, and the building blocks every
phase uses — move the stage, write the timeline, hold a notice, plan or stop a clock, run an
activity. The phase modules (`triage`, `quotes`, `dispatch`, `repair`, `signature`,
`follow_up`) are functions of a `Request`; the workflow class is only the Temporal glue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.workflow import ActivityHandle

from workflows.calls import RETRY, TIMEOUT
from workflows.service_request.patches import LEAN_TASKS, Patches

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from models import actions as a
    from models.activity_io import (
        ActivityName,
        LinkPurpose,
        NotificationRequest,
        SigningLinkRequest,
        plan_request,
    )
    from models.carry import ServiceRequestCarry
    from models.common import AFTER_CLOSE_CLOCKS, ClockName
    from models.intake import ServiceRequestStart
    from models.lifecycle import Action, Stage, check_move
    from models.plan import ClockPlan
    from models.profile import ProfileRef, SlaProfile
    from models.state import ServiceRequestState
    from sla.clocks import RequestClocks
    from workflows.service_request.held_notices import HeldNotices
    from workflows.service_request.timeline import SYSTEM, Timeline

#: Pure computations of the SLA engine and the calendars: quick, run as local activities.
COMPUTATIONS = frozenset(
    {
        ActivityName.PLAN_CLOCKS,
        ActivityName.QUIET_RELEASE,
        ActivityName.BUSINESS_INSTANT,
        ActivityName.PLAN_REVISITS,
    }
)
#: Short side effects that are safe to repeat (reads; the signing link keyed by its nonce;
#: the record, whose every row is written once per key or version): on the current shape
#: they run as local activities too, retried with the workflow task (a worker that dies
#: before the task completes runs them again, writing nothing twice). That saves each one's
#: three events and the workflow task its completion would cost: an action is accepted,
#: recorded and answered in one workflow task.
SHORT_SIDE_EFFECTS = frozenset(
    {
        ActivityName.FIND_ENGINEER,
        ActivityName.AUTO_ASSIGN,
        ActivityName.CREATE_SIGNING_LINK,
        ActivityName.RECORD_EVENTS,
    }
)
#: How long a customer has to sign before a new link is needed (a supervisor's rework).
SIGNING_LINK_VALIDITY = timedelta(days=7)


class Request:
    def __init__(self, start: ServiceRequestStart, carried: ServiceRequestCarry | None) -> None:
        """A new request, or the next run of one (`carried`)."""
        self.start = start
        #: `patched.current` is decided once, first thing in the run, so a validator may ask
        #: it too (calling `patched(marker)` itself is for handlers and the loop only).
        self.patched = Patches()
        if carried is None:
            self.state = ServiceRequestState.registered(start)
            self.clocks = RequestClocks(self.state, dict(start.initial_plan.escalations))
            self.notices = HeldNotices(self.state, start)
            self.timeline = Timeline()
        else:
            self.state = carried.state
            self.clocks = RequestClocks(self.state, carried.points)
            self.clocks.checkpoints = carried.checkpoints
            self.notices = HeldNotices(self.state, start, carried.notices)
            self.timeline = Timeline(carried.seq)
        #: A loaner was asked for once (the pool may have had none).
        self.loaner_requested = carried.loaner_requested if carried else False
        #: The action being handled (None: the workflow acts by itself); every move is
        #: checked against its row of the lifecycle table.
        self.action: Action | None = None
        #: Notices on their way to the outbox (`send`): activities of their own before
        #: `patches.CURRENT`, rows of the next record's transaction since.
        self.sending: list[ActivityHandle[None]] = []
        self.outbox: list[NotificationRequest] = []

    @property
    def profile(self) -> SlaProfile:
        return self.start.profile

    @property
    def profile_ref(self) -> ProfileRef:
        """The profile as the activities get it: its stored version, not the whole profile."""
        return ProfileRef(name=self.profile.name, version=self.start.profile_version)

    # ----------------------------------------------------------------- timeline and stage
    def emit(self, kind: str, actor: a.Actor | str, data: dict[str, Any]) -> None:
        """Append to the timeline; `actor` is the acting person, or a name for the system."""
        self.timeline.emit(kind, workflow.now(), actor, self.state.stage, data)

    def move(self, stage: Stage, actor: a.Actor | str, data: dict[str, Any] | None = None) -> None:
        previous = self.state.stage
        check_move(self.action, previous, stage)
        self.state.stage = stage
        if previous == Stage.AWAITING_SIGNATURE:
            self.state.signing_url = None  # the link served its purpose or was replaced
        if previous == Stage.AWAITING_APPROVAL:
            self.state.quote_url = None
        payload = {"from": previous, "to": stage} | {k: v for k, v in (data or {}).items() if v}
        self.emit("stage_changed", actor, payload)

    # ----------------------------------------------------------------- notices
    def notify(self, kind: str, recipients: list[str], key: str | None = None, **data: str) -> None:
        """A notice to send now: an answer to what someone just did, not an alarm."""
        self.notices.hold(
            workflow.now(), kind=kind, key=key or kind, recipients=recipients, data=data
        )

    # ----------------------------------------------------------------- clocks
    def start_clock(self, name: ClockName) -> None:
        self.clocks.start(name, workflow.now())

    def stop_clock(self, name: ClockName) -> None:
        if self.clocks.stop(name, workflow.now()):
            self.emit("clock_met", SYSTEM, {"clock": name})

    def pause(self, reason: str, by: str) -> None:
        self.clocks.pause(reason, by, workflow.now())

    def end_pause(self, reason: str) -> None:
        self.clocks.end_pause(reason, workflow.now())

    async def plan_clocks(self) -> None:
        """Recompute every ticking clock's due instant from its start and the whole pause
        history, in an activity so that a change of engine code cannot alter a replay."""
        request = plan_request(
            self.state,
            self.profile_ref,
            self.clocks.checkpoints,
            as_of=workflow.now(),
            pauses=self.clocks.planning_pauses(),
        )
        if not request.starts:
            return
        plan: ClockPlan = await self.activity(
            ActivityName.PLAN_CLOCKS, request, ClockPlan, "plan SLA clocks"
        )
        self.clocks.apply(plan)

    # ----------------------------------------------------------------- ending
    def end(self, outcome: str, keep: frozenset[ClockName] = frozenset()) -> bool:
        """The request stops being worked on; its unreached clocks are cancelled (but those
        in `keep`). True when a clock kept needs a plan (its pause ended)."""
        now = workflow.now()
        self.state.outcome, self.state.closed_at = outcome, now
        return self.clocks.end(now, keep)

    async def close(self, actor: a.Actor, outcome: str, data: dict[str, Any]) -> None:
        """The repair is over; the faulty part's return may still be awaited."""
        if self.end(outcome, AFTER_CLOSE_CLOCKS):
            await self.plan_clocks()
        self.move(Stage.CLOSED, actor, {"outcome": outcome} | data)

    def carry(self, updates: list[str], runs: int) -> ServiceRequestCarry:
        """What the next run takes over (nothing may be pending on the timeline)."""
        assert not self.timeline.pending and not self.outbox
        return ServiceRequestCarry(
            state=self.state,
            points=self.clocks.points,
            checkpoints=self.clocks.checkpoints,
            notices=self.notices.held(),
            seq=self.timeline.seq,
            loaner_requested=self.loaner_requested,
            updates=updates,
            runs=runs,
        )

    # ----------------------------------------------------------------- side effects
    async def customer_link(self, purpose: LinkPurpose) -> tuple[str, str]:
        """A one-time, expiring, signed link for the customer (no key needed) and its nonce."""
        link = SigningLinkRequest(
            number=self.state.number,
            nonce=str(workflow.uuid4()),
            expires_at=workflow.now() + SIGNING_LINK_VALIDITY,
            purpose=purpose,
        )
        summary = "create signing link" if purpose == "sign" else "create quote approval link"
        url: str = await self.activity(ActivityName.CREATE_SIGNING_LINK, link, str, summary)
        return url, link.nonce

    async def activity(
        self, name: ActivityName, arg: BaseModel | str, result_type: Any, summary: str
    ) -> Any:
        local = (name in COMPUTATIONS and self.patched(LEAN_TASKS)) or (
            name in SHORT_SIDE_EFFECTS and self.patched.current
        )
        if local:
            # Pure and quick: run in this workflow task, its result recorded as a marker.
            return await workflow.execute_local_activity(
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
                summary=summary,
            )
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
            summary=summary,
        )

    def send(self, notice: NotificationRequest) -> None:
        """Queue and deliver a notice without waiting for it (the lock is not held while
        mail goes out). On the current shape it goes to the outbox in the transaction of the
        record that follows (the outbox relay delivers it); before, in an activity of its own,
        which the run waits for before it ends or continues as new."""
        if self.patched.current:
            self.outbox.append(notice)
            return
        self.sending.append(
            workflow.start_activity(
                ActivityName.QUEUE_NOTIFICATION,
                notice,
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
                summary=f"notify {', '.join(notice.recipients)}",
            )
        )

    def take_outbox(self) -> list[NotificationRequest]:
        """The notices for the record being written (they go in its transaction)."""
        taken, self.outbox = self.outbox, []
        return taken

    async def sent(self) -> None:
        """Every notice given to `send` is in the outbox and delivered (or failed for good)."""
        while self.sending:
            await self.sending.pop(0)

"""`ServiceRequestWorkflow`: one service request (维修服务单) from intake to the last revisit.

Every human step is an update (one dynamic handler driven by the lifecycle table, with a
validator so that rejected actions never reach history); side effects are activities; the SLA
clocks are one loop that sleeps until the earliest due instant, so pauses, reassignments and
severity changes only change the next instant (the `updatable_timer` idea). What each action
does lives in the phase modules beside this one; this class is the Temporal glue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RawValue

from workflows.service_request.actions import HANDLERS, admit
from workflows.service_request.escalations import account_for_time_passed
from workflows.service_request.follow_up import begin_follow_up, file_complaint
from workflows.service_request.loaner import (
    issue_loaner,
    loaner_needed,
    loaner_out,
    return_loaner,
)
from workflows.service_request.patches import (
    COMPLAINT_WORKFLOWS,
    FINISHED_APART,
    FOLLOW_UP_IN_ACTION,
    LEAN_TASKS,
    OWNERSHIP,
    PEOPLE_NOTICES,
)
from workflows.service_request.request import Request
from workflows.service_request.sending import send_due_notices

with workflow.unsafe.imports_passed_through():
    from models.activity_io import ActivityName, RecordRequest
    from models.carry import RequestInput
    from models.common import ClockName
    from models.display import local_minute
    from models.intake import ServiceRequestStart
    from models.lifecycle import LIFECYCLE, TERMINAL_STAGES, LifecycleViolation, Stage
    from models.search_attributes import search_attribute_updates, search_attribute_values
    from models.state import ServiceRequestState
    from workflows.service_request.held_notices import iso


#: A run continues as new once its history has this many events (or Temporal suggests it),
#: so no request's history grows without bound: each run stays under the budget plus what one
#: action and the loop's turn after it add.
EVENT_BUDGET = 2_000
#: The latest update IDs a run remembers and hands on (each action is one update).
REMEMBERED_UPDATES = 500


@workflow.defn
class ServiceRequestWorkflow:
    @workflow.init
    def __init__(self, given: RequestInput) -> None:
        start, carried = given.start, given.carried
        self._lock = asyncio.Lock()
        #: Counts the actions handled: a change wakes the loop's wait.
        self._changes = 0
        self._r = Request(start, carried)
        self._published = search_attribute_values(self._r.state)
        #: Update IDs applied in earlier runs, and the latest ones of this run.
        self._updates = list(carried.updates) if carried else []
        self._applied_before = frozenset(self._updates)
        self._runs = carried.runs if carried else 0
        self._alarm = Alarm()
        if carried is not None:
            return
        # Here, not in run(): an action may arrive with the start and be handled before run().
        self._r.emit(
            "registered",
            start.registrar or start.registered_by,
            {"channel": start.channel, "entitlement": start.entitlement.status}
            | ({"rework_of": start.linked_to} if start.linked_to else {}),
        )

    @property
    def state(self) -> ServiceRequestState:
        return self._r.state

    # ----------------------------------------------------------------- main loop
    @workflow.run
    async def run(self, given: RequestInput) -> ServiceRequestState:
        r, start = self._r, given.start
        if given.carried is None:
            await self._begin(start)
        while True:
            async with self._lock:
                await self._on_time_passed()
                await self._commit()
                if r.state.stage in TERMINAL_STAGES or self._history_is_long():
                    break
                # Read under the lock: a change made after this point wakes the wait below.
                seen = self._changes
            await self._sleep_until_next_instant(seen)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await r.sent()
        if r.state.stage not in TERMINAL_STAGES:
            self._runs += 1
            carry = r.carry(self._updates[-REMEMBERED_UPDATES:], self._runs)
            workflow.continue_as_new(RequestInput(start=start, carried=carry))
        return r.state

    async def _begin(self, start: ServiceRequestStart) -> None:
        """A new request's first turn: tell the customer, file a hotline complaint."""
        r = self._r
        if r.patched(PEOPLE_NOTICES):
            clocks = r.state.clocks
            r.notify(
                "registered",
                ["customer"],
                response_due=iso(clocks[ClockName.RESPONSE].due),
                resolution_due=iso(clocks[ClockName.RESOLUTION].due),
            )
        # Requests the hotline registered as complaints before a complaint started its own
        # workflow from the intake (its number `CP-…`): they file it here, and replay this.
        if r.state.type == "complaint" and r.patched(COMPLAINT_WORKFLOWS):
            async with self._lock:
                await file_complaint(r, "intake", start.description, start.registered_by)

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            info.get_current_history_length() >= EVENT_BUDGET
        )

    async def _on_time_passed(self) -> None:
        """Everything that is due now: escalation levels, breaches, the loaner, the return of
        the loaner and the follow-up after close, and held notifications."""
        r, now = self._r, workflow.now()
        account_for_time_passed(r, now)
        if loaner_needed(r):
            await issue_loaner(r)
        if loaner_out(r):
            await return_loaner(r)
        if r.state.stage == Stage.CLOSED:
            await begin_follow_up(r)
        # A request that ends sends what it still holds: an escalation that happened is told.
        ended = r.state.stage in TERMINAL_STAGES
        await send_due_notices(r, None if ended else now)

    async def _sleep_until_next_instant(self, seen: int) -> None:
        """Wait for the earliest pending instant, or for any action."""
        changed = lambda: self._changes != seen  # noqa: E731
        instants = self._r.clocks.instants() + self._r.notices.instants()
        if not instants:
            await workflow.wait_condition(changed)
            return
        at, label = min(instants)
        remaining = at - workflow.now()
        if remaining <= timedelta(0):
            return
        if self._r.patched(LEAN_TASKS):
            await self._alarm.wait(
                at, remaining, label, changed, keep_earlier=self._r.patched.current
            )
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(changed, timeout=remaining, timeout_summary=label)

    # ----------------------------------------------------------------- queries and updates
    @workflow.query
    def state_view(self) -> ServiceRequestState:
        return self._r.state

    @workflow.update(dynamic=True)
    async def act(self, name: str, args: Sequence[RawValue]) -> ServiceRequestState:
        r = self._r
        update_id = _update_id()
        if update_id in self._applied_before:
            return r.state  # applied in an earlier run: a retry is answered, not applied again
        async with self._lock:
            # Checked again under the lock: another action may have moved the stage (or the
            # assignment) since the validator ran.
            action, actor, body = admit(r, name, args, owners=r.patched(OWNERSHIP))
            # A deadline that passed while this action waited (a worker outage, the lock) is a
            # breach, even if the loop has not woken for it yet.
            account_for_time_passed(r, workflow.now())
            before, r.action = r.state.stage, action
            try:
                await HANDLERS[action](r, actor, body)
            finally:
                r.action = None
            if r.state.stage == before and not LIFECYCLE[action].stays:
                raise LifecycleViolation(f"{action} left the request in {before}")
            if r.state.stage == Stage.CLOSED and r.patched(FOLLOW_UP_IN_ACTION):
                # What the loop would do next (return the loaner, plan the revisits), done now:
                # the answer shows `following_up`, so a revisit recorded at once is accepted.
                await self._on_time_passed()
            elif r.patched(LEAN_TASKS):
                # The action's own notices go with its record, not in a later task.
                await send_due_notices(r, workflow.now())
            await self._commit()
            self._changes += 1
            if update_id is not None:
                self._updates.append(update_id)
            return r.state

    @act.validator
    def _validate(self, name: str, args: Sequence[RawValue]) -> None:
        if _update_id() in self._applied_before:
            return
        admit(self._r, name, args)

    # ----------------------------------------------------------------- publishing
    async def _commit(self) -> None:
        """Publish what changed: search attributes, UI details, and the timeline + read model."""
        r = self._r
        if not r.timeline.pending:
            return
        r.state.version += 1
        updates = search_attribute_updates(r.state, self._published, r.patched(FINISHED_APART))
        if updates:
            workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self._details())
        events = r.timeline.take()
        await r.activity(
            ActivityName.RECORD_EVENTS,
            RecordRequest(events=events, state=r.state, notices=r.take_outbox()),
            type(None),
            f"record {events[-1].kind}",
        )

    def _details(self) -> str:
        """The Web UI's current details: stage, engineer, every clock and every escalation,
        instants in the service's time zone to the minute."""
        s, zone = self._r.state, self._r.start.timezone

        def local(instant: datetime | None) -> str:
            return local_minute(instant, zone)

        engineer = f"{s.engineer_name} ({s.engineer})" if s.engineer_name else s.engineer
        lines = [
            f"**{s.number}** · stage **{s.stage}** · severity {s.severity} · {s.sla_status}",
            f"engineer: {engineer or '—'}" + (" · paused" if s.paused else ""),
            "",
            f"| clock | status | due ({zone}) | met |",
            "|---|---|---|---|",
        ]
        for name, c in s.clocks.items():
            lines.append(f"| {name} | {c.status} | {local(c.due)} | {local(c.met_at)} |")
        if s.escalations:
            lines += ["", "| escalation | clock | at | notified |", "|---|---|---|---|"]
            for e in s.escalations:
                what = f"level {e.level}" if e.level else e.kind.replace("_", " ")
                lines.append(f"| {what} | {e.clock} | {local(e.at)} | {', '.join(e.notified)} |")
        return "\n".join(lines)


class Alarm:
    """One durable timer for the next instant, kept across actions that leave that instant
    where it was (re-arming it each time would cost a cancelled and a new timer per action).

    With `keep_earlier` a timer is also kept when the next instant moved later (most actions
    stop the clock that was nearest): it wakes the loop early, once, for nothing to do, and
    the loop arms the next one — where a request that closes before then cost no timer at all.
    """

    def __init__(self) -> None:
        self._at: datetime | None = None
        self._timer: asyncio.Task[None] | None = None

    async def wait(
        self,
        at: datetime,
        remaining: timedelta,
        label: str,
        changed: Callable[[], bool],
        *,
        keep_earlier: bool = False,
    ) -> None:
        """Until `at` (or the earlier instant of a timer kept) or `changed`."""
        kept = self._at is not None and (self._at == at or (keep_earlier and self._at < at))
        if self._timer is None or not kept:
            if self._timer is not None:
                self._timer.cancel()
            self._at = at
            self._timer = asyncio.create_task(workflow.sleep(remaining, summary=label))
        timer = self._timer
        await workflow.wait_condition(lambda: changed() or timer.done())
        if timer.done():
            self._timer, self._at = None, None


def _update_id() -> str | None:
    info = workflow.current_update_info()
    return info.id if info is not None else None

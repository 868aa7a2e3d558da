"""`RequestClocks`: a request's SLA clocks (时限) as the workflow drives them — start, stop,
pause, resume, apply a plan, what falls due at an instant and when to wake next.

Pure: every instant comes in as an argument, nothing is read from a clock or written anywhere
but the request's state, so the rules are tested without Temporal. Due instants themselves come
from `sla.deadlines.plan` (through the `plan_clocks` activity); this class only keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from models.common import AFTER_CLOSE_CLOCKS, ClockName, ClockStatus
from models.lifecycle import TERMINAL_STAGES
from models.plan import Checkpoint, ClockPlan, EscalationPoint
from models.state import ClockState, PauseInterval, ServiceRequestState

#: The customer's quote decision stops every clock like a pause (SPEC §2); it is not one of
#: the pauses a person opens and resumes.
APPROVAL_PAUSE = "awaiting_approval"
#: Closed pauses a plan no longer needs that the state still shows, the latest first to go.
SHOWN_PAUSES = 20


class RequestClocks:
    """The clocks, pauses and escalation points of one request's state."""

    def __init__(
        self, state: ServiceRequestState, points: dict[ClockName, list[EscalationPoint]]
    ) -> None:
        self.state = state
        #: When each escalation level of each clock falls due, from the latest plan.
        self.points = points
        #: Each clock's progress at its latest plan: later plans need no pause before it.
        self.checkpoints: dict[ClockName, Checkpoint] = {}

    # ----------------------------------------------------------------- one clock
    def start(self, name: ClockName, at: datetime) -> None:
        """Run `name` from `at`; its due instant comes with the next plan."""
        self.state.clocks[name] = ClockState(started_at=at, status=ClockStatus.RUNNING)

    def restart(self, name: ClockName) -> None:
        """Run `name` again from its original start (a fix the customer did not accept)."""
        started_at = self.state.clocks[name].started_at
        self.state.clocks[name] = ClockState(started_at=started_at, status=ClockStatus.RUNNING)

    def reset(self, name: ClockName) -> None:
        """Back to not started (the signature of a report that is being redone)."""
        self.state.clocks[name] = ClockState()

    def stop(self, name: ClockName, at: datetime) -> bool:
        """The clock's goal is reached at `at`. True when that meets it in time (a breached
        clock keeps its breach and only learns when it was met)."""
        clock = self.state.clocks.get(name)  # a parts clock is held once it starts
        if clock is None or (not clock.ticking and clock.status != ClockStatus.BREACHED):
            return False
        clock.met_at = at
        if clock.due is not None:
            clock.variance_minutes = round((at - clock.due).total_seconds() / 60, 2)
        if clock.status == ClockStatus.BREACHED:
            return False
        clock.status = ClockStatus.MET
        return True

    # ----------------------------------------------------------------- plans and time passing
    def apply(self, plan: ClockPlan) -> None:
        """Take a plan's due instants (None: paused), escalation points and checkpoints; the
        pauses every clock that may be planned again has passed are dropped (their time is in
        the checkpoints, and the timeline keeps every pause)."""
        for name, due in plan.due.items():
            clock = self.state.clocks[name]
            clock.due = due
            clock.status = ClockStatus.PAUSED if due is None else ClockStatus.RUNNING
        self.points.update(plan.escalations)
        self.checkpoints.update(plan.checkpoints)
        since = self.planned_since()
        if since is not None:
            # Shown: the pauses still needed, and the latest others (the timeline has all).
            needed = [p for p in self.state.pauses if p.end is None or p.end > since]
            older = [p for p in self.state.pauses if p not in needed][-SHOWN_PAUSES:]
            self.state.pauses = older + needed

    def planned_since(self) -> datetime | None:
        """The instant every clock that may be planned again has been checkpointed at: a plan
        needs only the pauses that end after it (None: it needs them all)."""
        # Resolution may run again from its first start (a rework), so its checkpoint counts
        # while it is stopped; every other clock that stopped never runs from that start again.
        kept: list[datetime] = []
        for name, clock in self.state.clocks.items():
            if not (clock.ticking or name == ClockName.RESOLUTION):
                continue
            point = self.checkpoints.get(name)
            if point is None or point.start != clock.started_at:
                if clock.ticking:
                    return None  # a running clock never planned from a checkpoint
                continue
            kept.append(point.at)
        return min(kept, default=None)

    def planning_pauses(self) -> list[PauseInterval]:
        since = self.planned_since()
        if since is None:
            return list(self.state.pauses)
        return [p for p in self.state.pauses if p.end is None or p.end > since]

    def breach_overdue(self, now: datetime) -> list[tuple[ClockName, datetime]]:
        """Mark every running clock whose due instant has passed as breached; which, and when
        each was due."""
        breached: list[tuple[ClockName, datetime]] = []
        for name, clock in self.state.clocks.items():
            if clock.status == ClockStatus.RUNNING and clock.due is not None and clock.due <= now:
                clock.status = ClockStatus.BREACHED
                self.state.breaches.append(name)
                breached.append((name, clock.due))
        return breached

    def may_fire(self, clock: ClockName, point: EscalationPoint, *, waking: bool = False) -> bool:
        """Each level fires once per clock of an open request: percentage levels while the
        clock runs (or, past 100 %, while it is breached), levels counted from the breach while
        it is breached and still unresolved. `waking`: asked to plan a wake-up, when a level
        counted from a breach that has not happened yet still needs one."""
        if not (self.state.is_open or self.outlives_close(clock)):
            return False
        if any(e.clock == clock and e.level == point.level for e in self.state.escalations):
            return False
        state = self.state.clocks.get(clock)
        if state is None:  # a parts clock that never started
            return False
        unresolved_breach = state.status == ClockStatus.BREACHED and state.met_at is None
        if point.at_percent is not None:
            return state.status == ClockStatus.RUNNING or unresolved_breach
        # While the clock still runs, its breach comes first and wakes the loop anyway.
        return unresolved_breach or (waking and state.status == ClockStatus.RUNNING)

    def due_escalations(self, now: datetime) -> Iterator[tuple[ClockName, EscalationPoint]]:
        """The levels due by `now`, one at a time: the caller records each before the next is
        considered, so a level never fires twice."""
        for clock, points in self.points.items():
            for point in points:
                if point.at is not None and point.at <= now and self.may_fire(clock, point):
                    yield clock, point

    def instants(self) -> list[tuple[datetime, str]]:
        """Every future instant a clock needs the workflow awake for, labelled for the UI."""
        instants: list[tuple[datetime, str]] = []
        for name, clock in self.state.clocks.items():
            if clock.status == ClockStatus.RUNNING and clock.due is not None:
                instants.append((clock.due, f"{name} SLA"))
            for point in self.points.get(name, []):
                if point.at is not None and self.may_fire(name, point, waking=True):
                    label = f"{point.at_percent} %" if point.at_percent else "after breach"
                    instants.append((point.at, f"{name} SLA level {point.level} ({label})"))
        return instants

    # ----------------------------------------------------------------- pauses
    def open_pause(self, *, manual: bool) -> PauseInterval | None:
        """The open pause a person made (`manual`) or the quote decision's."""
        for pause in self.state.pauses:
            if pause.end is None and (pause.reason != APPROVAL_PAUSE) == manual:
                return pause
        return None

    def pause(self, reason: str, by: str, at: datetime) -> None:
        """Every running clock stops until the pause ends (its due instant is unknown then)."""
        self.state.pauses.append(PauseInterval(reason=reason, start=at, by=by))
        self.state.paused = True
        for clock in self.state.clocks.values():
            if clock.status == ClockStatus.RUNNING:
                clock.status, clock.due = ClockStatus.PAUSED, None

    def end_pause(self, reason: str, at: datetime) -> None:
        """The pause of `reason` ends; the clocks run again with the next plan."""
        for pause in self.state.pauses:
            if pause.end is None and pause.reason == reason:
                pause.end = at
        self.state.paused = any(p.end is None for p in self.state.pauses)

    def outlives_close(self, name: ClockName) -> bool:
        """A clock that runs on after the repair closed, until the request is completed."""
        return name in AFTER_CLOSE_CLOCKS and self.state.stage not in TERMINAL_STAGES

    def outstanding(self, name: ClockName) -> bool:
        """Started and its goal not reached yet (running, paused or breached)."""
        clock = self.state.clocks.get(name)
        return (
            clock is not None
            and clock.met_at is None
            and (clock.ticking or clock.status == ClockStatus.BREACHED)
        )

    def end(self, at: datetime, keep: frozenset[ClockName] = frozenset()) -> bool:
        """The request stops being worked on: clocks whose goal was never reached are
        cancelled rather than left to breach (but those in `keep`), and open pauses end.
        True when a clock kept was paused, and so needs a plan to run again."""
        replan = False
        for name, clock in self.state.clocks.items():
            if name in keep and clock.ticking:
                replan = replan or clock.status == ClockStatus.PAUSED
            elif clock.ticking:
                clock.status = ClockStatus.CANCELLED
        for pause in self.state.pauses:
            if pause.end is None:
                pause.end = at
        self.state.paused = False
        return replan

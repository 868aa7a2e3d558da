"""Requests that finished before this system saw them, recorded after the fact: the demo's
history (`db.demo_history`) and the KPI tests' hand-built week.

Each is registered through the intake's reservation (its number, entitlement and profile),
given its clocks, stages, loans and revisits as they happened, and written by the recording
activity itself (`record`), so the timeline, the read model and the KPI facts are exactly what a
workflow would have left. Due instants come from the SLA engine unless given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db.session import SessionFactory
from intake.reservation import reserve
from models.activity_io import Interval, RecordRequest
from models.common import STANDARD_CLOCKS, ClockName, ClockStatus
from models.intake import IntakeRequest
from models.lifecycle import Stage
from models.profile import SlaProfile
from models.state import (
    ClockState,
    PauseInterval,
    RevisitRecord,
    ServiceRequestState,
    TimelineEvent,
)
from sla.deadlines import Calendars, deadline

#: Who the timeline says acted: the request came from the past, not from a person here.
ACTOR = "history"


@dataclass
class PastRequest:
    state: ServiceRequestState
    #: Every instant below is given in minutes after this one, the request's report.
    t0: datetime
    profile: SlaProfile
    #: The profile's calendars, built.
    cals: Calendars
    events: list[TimelineEvent] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        sessions: SessionFactory,
        profile: tuple[SlaProfile, Calendars],
        t0: datetime,
        timezone: str,
        **body: Any,
    ) -> PastRequest:
        """`profile`: with its calendars (`calendars(profile)`), built once for many."""
        request = IntakeRequest.model_validate({"channel": "phone", "force_new": True} | body)
        start, _ = reserve(sessions, request, None, timezone, now=t0)
        past = cls(ServiceRequestState.registered(start), t0, *profile)
        past.state.clocks = {name: ClockState() for name in STANDARD_CLOCKS}
        past.emit(0, "registered", {})
        return past

    def at(self, minutes: float) -> datetime:
        return self.t0 + timedelta(minutes=minutes)

    def due(self, name: ClockName, start: float) -> datetime:
        """The engine's due instant for a clock started `start` minutes in, with the pauses."""
        target = self.profile.targets[name].for_request(
            self.state.severity, self.state.region, self.state.key_account
        )
        pauses = [Interval(start=p.start, end=p.end) for p in self.state.pauses]
        due = deadline(self.cals[target.calendar], target, self.at(start), pauses)
        assert due is not None  # every pause of a past request has ended
        return due

    def clock(
        self,
        name: ClockName,
        start: float,
        due: float | datetime | None,
        met: float | None,
        breached: bool = False,
    ) -> None:
        """`due` None: the engine's."""
        if due is None:
            due_at = self.due(name, start)
        else:
            due_at = due if isinstance(due, datetime) else self.at(due)
        running = ClockStatus.MET if met is not None else ClockStatus.RUNNING
        self.state.clocks[name] = ClockState(
            started_at=self.at(start),
            due=due_at,
            status=ClockStatus.BREACHED if breached else running,
            met_at=None if met is None else self.at(met),
        )
        if breached:
            self.state.breaches.append(name)

    def pause(self, start: float, end: float, reason: str = "awaiting_customer") -> None:
        self.state.pauses.append(
            PauseInterval(reason=reason, start=self.at(start), end=self.at(end), by=ACTOR)
        )
        self.emit(start, "paused", {"reason": reason})
        self.emit(end, "resumed", {"reason": reason})

    def moves(self, *steps: tuple[float, Stage]) -> None:
        stage = self.state.stage
        for minutes, to in steps:
            self.emit(minutes, "stage_changed", {"from": stage, "to": to}, to)
            stage = to
        self.state.stage = stage

    def emit(
        self, minutes: float, kind: str, data: dict[str, Any], stage: Stage | None = None
    ) -> None:
        self.events.append(
            TimelineEvent(
                seq=len(self.events) + 1,
                kind=kind,
                at=self.at(minutes),
                actor=ACTOR,
                stage=stage or self.state.stage,
                data=data,
            )
        )

    def close(self, minutes: float, outcome: str, stage: Stage = Stage.FOLLOWING_UP) -> None:
        self.state.closed_at, self.state.outcome = self.at(minutes), outcome
        for clock in self.state.clocks.values():
            if clock.ticking:
                clock.status = ClockStatus.CANCELLED
        closing = [] if stage == Stage.CANCELLED else [(minutes, Stage.CLOSED)]
        self.moves(*closing, (minutes, stage))

    def revisit(self, status: str, after: timedelta = timedelta(days=3), **answer: Any) -> None:
        assert self.state.closed_at is not None
        due = self.state.closed_at + after
        self.state.revisits = [
            RevisitRecord(
                due=due,
                channel="phone",
                attempts=1,
                status=status,
                answered_at=due if status == "answered" else None,
                **answer,
            )
        ]


def record(write: Callable[[RecordRequest], None], past: list[PastRequest]) -> None:
    """Write each request with `write`: the recording activity (`record_events`), as it
    writes a workflow's changes."""
    for request in past:
        told = sorted(request.events, key=lambda e: e.at)  # stable: same instant, told order
        events = [e.model_copy(update={"seq": seq}) for seq, e in enumerate(told, start=1)]
        request.state.version = len(events)
        write(RecordRequest(events=events, state=request.state))

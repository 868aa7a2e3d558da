"""A request's SLA clocks as the KPIs count them (pure: state, profile and calendars in).

A clock *ends* when its goal is reached (`met_at`), or, when it was breached and never
reached, when its request ended. Its elapsed time is counted twice:

- **business minutes** on the clock's calendar, outside the pauses up to its due instant,
  which is what the SLA counts: T − (business time from the end to the due instant) when it
  ended in time, T + (business time from the due instant to the end) when late (after a breach
  a pause no longer holds the clock, as in the engine), T being the target as business time;
- **wall minutes**, the real time from start to end, pauses included: what the customer lived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.activity_io import Interval
from models.common import AFTER_CLOSE_CLOCKS, ClockName, ClockStatus
from models.lifecycle import TERMINAL_STAGES
from models.profile import SlaProfile
from models.state import ClockState, ServiceRequestState
from sla.deadlines import Calendars, business_time_outside, target_amount


@dataclass(frozen=True)
class ClockFact:
    clock: ClockName
    status: ClockStatus
    breached: bool
    started_at: datetime | None
    due: datetime | None
    met_at: datetime | None
    ended_at: datetime | None
    business_minutes: float | None
    wall_minutes: float | None


def clock_facts(
    state: ServiceRequestState, profile: SlaProfile, cals: Calendars
) -> list[ClockFact]:
    return [
        _fact(state, profile, cals, name, clock) for name, clock in sorted(state.clocks.items())
    ]


def _fact(
    state: ServiceRequestState,
    profile: SlaProfile,
    cals: Calendars,
    name: ClockName,
    clock: ClockState,
) -> ClockFact:
    breached = clock.status == ClockStatus.BREACHED
    # The faulty part's clock runs on after close, until it is met (or the request cancelled).
    over = state.stage in TERMINAL_STAGES if name in AFTER_CLOSE_CLOCKS else not state.is_open
    ended = clock.met_at or (state.closed_at if breached and over else None)
    business = wall = None
    if ended is not None and clock.started_at is not None:
        wall = _minutes(ended - clock.started_at)
        business = _business_minutes(state, profile, cals, name, clock, ended)
    return ClockFact(
        clock=name,
        status=clock.status,
        breached=breached,
        started_at=clock.started_at,
        due=clock.due,
        met_at=clock.met_at,
        ended_at=ended,
        business_minutes=business,
        wall_minutes=wall,
    )


def _business_minutes(
    state: ServiceRequestState,
    profile: SlaProfile,
    cals: Calendars,
    name: ClockName,
    clock: ClockState,
    ended: datetime,
) -> float | None:
    targets = profile.targets.get(name)
    if targets is None or clock.started_at is None:
        return None
    target = targets.for_request(state.severity, state.region, state.key_account)
    calendar = cals[target.calendar]
    if clock.due is None:  # ended while paused: the pauses the state still shows
        pauses = [Interval(start=p.start, end=p.end) for p in state.pauses]
        return _minutes(business_time_outside(calendar, clock.started_at, ended, pauses))
    amount = target_amount(calendar, target, clock.started_at)
    if ended <= clock.due:
        return _minutes(amount - calendar.business_time(ended, clock.due))
    return _minutes(amount + calendar.business_time(clock.due, ended))


def _minutes(amount: timedelta) -> float:
    return round(amount.total_seconds() / 60, 2)

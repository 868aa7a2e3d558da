"""Pause-aware deadlines and escalation instants (SPEC §3), as pure functions.

A target first becomes an amount of business time T (for `working_days`, the business time up
to the unpaused deadline); the deadline is the earliest instant at which T of business time
*outside every pause* has passed since the start. Re-computation always starts from the
clock's start with the whole pause history, so no pause is ever lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from models.activity_io import (
    ClockPlanRequest,
    Interval,
    QuietReleaseRequest,
    RevisitDue,
    RevisitPlan,
    RevisitPlanRequest,
)
from models.common import ClockName
from models.complaints import ComplaintPlanRequest
from models.plan import Checkpoint, ClockPlan, EscalationPoint
from models.profile import DEFAULT_COMPLAINT_RESPONSE, SlaProfile, Target, loaded
from sla.calendar import BusinessCalendar


def merge(pauses: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping pauses in UTC: overlapping holds must not be subtracted twice."""
    merged: list[Interval] = []
    for pause in sorted((_utc(p) for p in pauses), key=lambda p: p.start):
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or pause.start <= last.end):
            end = None if last.end is None or pause.end is None else max(last.end, pause.end)
            merged[-1] = Interval(start=last.start, end=end)
        else:
            merged.append(pause)
    return merged


def _utc(pause: Interval) -> Interval:
    end = pause.end.astimezone(UTC) if pause.end is not None else None
    return Interval(start=pause.start.astimezone(UTC), end=end)


def _outside(
    begin: datetime, end: datetime, pauses: Sequence[Interval]
) -> Iterator[tuple[datetime, datetime]]:
    """The pieces of [begin, end) not covered by the (merged) pauses."""
    cursor = begin
    for pause in pauses:
        pause_end = pause.end
        if pause_end is not None and pause_end <= cursor:
            continue
        if pause.start >= end:
            break
        if pause.start > cursor:
            yield cursor, pause.start
        if pause_end is None:
            return
        cursor = pause_end
    if cursor < end:
        yield cursor, end


def elapse(
    calendar: BusinessCalendar, start: datetime, amount: timedelta, pauses: Iterable[Interval]
) -> datetime | None:
    """The earliest t ≥ start at which `amount` of business time outside the pauses has
    passed; None when an open pause holds the clock before that."""
    if amount <= timedelta(0):
        return calendar.local(start)
    start = start.astimezone(UTC)
    merged = merge(pauses)
    open_from = next((p.start for p in merged if p.end is None), None)
    remaining = amount
    for window_start, window_end in calendar.windows_from(start):
        for begin, end in _outside(max(window_start, start), window_end, merged):
            if remaining <= end - begin:
                return calendar.local(begin + remaining)
            remaining -= end - begin
        if open_from is not None and open_from < window_end:
            return None
    raise AssertionError("unreachable: windows_from raises past the horizon")


def business_time_outside(
    calendar: BusinessCalendar, a: datetime, b: datetime, pauses: Iterable[Interval]
) -> timedelta:
    merged = merge(pauses)
    return sum(
        (
            end - begin
            for piece_start, piece_end in calendar.working_pieces(a, b)
            for begin, end in _outside(piece_start, piece_end, merged)
        ),
        timedelta(0),
    )


def target_amount(calendar: BusinessCalendar, target: Target, start: datetime) -> timedelta:
    """T: the target as business time counted from `start`."""
    if target.minutes is not None:
        return timedelta(minutes=target.minutes)
    if target.cut_off is not None:
        end = calendar.same_day_or_next_morning(start, *target.cut_off)
    else:
        assert target.working_days is not None  # guaranteed by Target's validator
        end = calendar.working_days_end(start, target.working_days)
    return calendar.business_time(start, end)


def deadline(
    calendar: BusinessCalendar, target: Target, start: datetime, pauses: Iterable[Interval] = ()
) -> datetime | None:
    return elapse(calendar, start, target_amount(calendar, target, start), pauses)


#: A profile's calendars by name, built.
Calendars = Mapping[str, BusinessCalendar]


def calendars(profile: SlaProfile) -> dict[str, BusinessCalendar]:
    return {name: BusinessCalendar.from_spec(spec) for name, spec in profile.calendars.items()}


def plan(request: ClockPlanRequest, cals: Calendars | None = None) -> ClockPlan:
    """Due instants and escalation instants of every clock listed in `request.starts`, and
    with `as_of` each clock's checkpoint there (`cals`: the profile's calendars, built)."""
    profile = loaded(request.profile)
    cals = cals or calendars(profile)
    # Severity 1 is told at once; the others wait for the quiet calendar to open.
    quiet_name = profile.quiet_calendar_for(request.severity)
    quiet = cals[quiet_name] if quiet_name else None
    due: dict[ClockName, datetime | None] = {}
    escalations: dict[ClockName, list[EscalationPoint]] = {}
    checkpoints: dict[ClockName, Checkpoint] = {}
    for clock, start in request.starts.items():
        target = profile.targets[clock].for_request(
            request.severity, request.region, request.key_account
        )
        calendar = cals[target.calendar]
        amount = target_amount(calendar, target, start)
        since = request.checkpoints.get(clock)
        if since is not None and since.start != start:
            since = None  # the clock started again: its old progress does not count

        reached = partial(_reached, calendar, target.calendar, start, since, request.pauses)
        due[clock] = reached(amount)
        points: list[EscalationPoint] = []
        for level, rule in enumerate(profile.escalations, start=1):
            if rule.clock not in ("*", clock):
                continue
            if rule.at_percent is not None:
                at = reached(amount * rule.at_percent / 100)
            else:
                assert rule.after_breach_minutes is not None
                clock_due = due[clock]
                at = (
                    calendar.add(clock_due, timedelta(minutes=rule.after_breach_minutes))
                    if clock_due is not None
                    else None
                )
            notify_at = quiet.open_at_or_after(at) if quiet is not None and at is not None else at
            points.append(
                EscalationPoint(
                    level=level,
                    at=at,
                    notify=rule.notify,
                    at_percent=rule.at_percent,
                    notify_at=notify_at,
                )
            )
        escalations[clock] = points
        if request.as_of is not None:
            candidates = _amounts(profile, clock, start, cals)
            checkpoints[clock] = _advance(cals, candidates, start, since, request)
    return ClockPlan(due=due, escalations=escalations, checkpoints=checkpoints)


# ----------------------------------------------------------------- checkpoints
def _key(amount: timedelta) -> int:
    return amount // timedelta(microseconds=1)


def _reached(
    calendar: BusinessCalendar,
    name: str,
    start: datetime,
    since: Checkpoint | None,
    pauses: Sequence[Interval],
    amount: timedelta,
) -> datetime | None:
    """When `amount` of business time outside the pauses has passed since `start`: from the
    checkpoint when there is one (an amount reached before it was recorded there)."""
    if since is None:
        return elapse(calendar, start, amount, pauses)
    consumed = since.consumed[name]
    if amount <= consumed:
        return since.reached[name][_key(amount)]
    return elapse(calendar, since.at, amount - consumed, pauses)


def _amounts(
    profile: SlaProfile, clock: ClockName, start: datetime, cals: Calendars
) -> dict[str, set[timedelta]]:
    """Every amount a plan could ask of `clock` from `start`, by calendar: each severity's and
    region's target, and each escalation percentage of it."""
    targets = profile.targets[clock]
    every = [*targets.by_severity.values()]
    every += [t for regional in targets.by_region.values() for t in regional.values()]
    percents = [
        rule.at_percent
        for rule in profile.escalations
        if rule.at_percent is not None and rule.clock in ("*", clock)
    ]
    amounts: dict[str, set[timedelta]] = {}
    for target in every:
        amount = target_amount(cals[target.calendar], target, start)
        shares = amounts.setdefault(target.calendar, set())
        shares.add(amount)
        shares.update(amount * percent / 100 for percent in percents)
    return amounts


def _advance(
    cals: Calendars,
    candidates: dict[str, set[timedelta]],
    start: datetime,
    since: Checkpoint | None,
    request: ClockPlanRequest,
) -> Checkpoint:
    """The clock's checkpoint at `request.as_of`, from the previous one and the pauses since."""
    as_of = request.as_of
    assert as_of is not None
    if since is not None and as_of <= since.at:
        return since
    consumed: dict[str, timedelta] = {}
    reached: dict[str, dict[int, datetime]] = {}
    for name, shares in candidates.items():
        calendar = cals[name]
        base = since.at if since is not None else start
        before = since.consumed.get(name, timedelta(0)) if since is not None else timedelta(0)
        consumed[name] = before + business_time_outside(calendar, base, as_of, request.pauses)
        known = dict(since.reached.get(name, {})) if since is not None else {}
        for share in sorted(shares):
            if _key(share) in known or share > consumed[name]:
                continue
            if since is not None and share <= before:
                continue  # reached before the previous checkpoint, which had to record it
            at = elapse(calendar, base, share - before, request.pauses)
            assert at is not None  # reached by `as_of`, so no pause holds it
            known[_key(share)] = at
        reached[name] = known
    return Checkpoint(start=start, at=as_of, consumed=consumed, reached=reached)


def plan_revisits(request: RevisitPlanRequest, cals: Calendars | None = None) -> RevisitPlan:
    """When each post-close revisit falls due, on its own calendar (3 working days after a
    Friday close is Wednesday evening, not Monday)."""
    profile = loaded(request.profile)
    cals = cals or calendars(profile)
    due: list[RevisitDue] = []
    for revisit in profile.revisits.after_close:
        calendar = cals[revisit.calendar]
        if revisit.working_days is not None:
            at = calendar.working_days_end(request.closed_at, revisit.working_days)
        else:
            at = calendar.add(request.closed_at, timedelta(minutes=revisit.minutes or 0))
        due.append(RevisitDue(due=at, channel=revisit.channel))
    return RevisitPlan(due=due)


def complaint_due(request: ComplaintPlanRequest, cals: Calendars | None = None) -> datetime:
    """When the supervisor must have answered a complaint opened at `opened_at`."""
    profile = loaded(request.profile)
    target = profile.complaints.response
    if target is None:
        return request.opened_at + DEFAULT_COMPLAINT_RESPONSE
    calendar = (cals or calendars(profile))[target.calendar]
    due = deadline(calendar, target, request.opened_at)
    assert due is not None  # no pauses: business time always runs out
    return due


def quiet_release(request: QuietReleaseRequest, cals: Calendars | None = None) -> datetime:
    """`at`, or the next opening of the notice's calendar (by default the profile's quiet
    calendar) when it is closed then."""
    profile = loaded(request.profile)
    name = request.calendar or profile.quiet_calendar
    if name is None:
        return request.at
    return (cals or calendars(profile))[name].open_at_or_after(request.at)

"""Pause-aware deadlines.

This first engine counts every minute as a business minute (24x7) and a working day as 24
hours; the calendar arithmetic of SPEC §3 (windows, holidays, make-up days, time zones)
replaces `business_minutes_target` and `pause_aware_due` without changing their callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from models.activity_io import ClockPlan, ClockPlanRequest, Interval
from models.common import ClockName
from models.profile import Target

MINUTES_PER_WORKING_DAY = 24 * 60


def business_minutes_target(target: Target) -> int:
    if target.minutes is not None:
        return target.minutes
    assert target.working_days is not None  # guaranteed by Target's validator
    return target.working_days * MINUTES_PER_WORKING_DAY


def merge(pauses: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping pauses: overlapping holds must not be subtracted twice."""
    merged: list[Interval] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or pause.start <= last.end):
            end = None if last.end is None or pause.end is None else max(last.end, pause.end)
            merged[-1] = Interval(start=last.start, end=end)
        else:
            merged.append(pause)
    return merged


def pause_aware_due(start: datetime, minutes: int, pauses: Iterable[Interval]) -> datetime | None:
    """The earliest instant at which `minutes` of unpaused time have passed since `start`.

    None when an open pause begins before that instant: the deadline is unknown until it ends.
    """
    cursor, remaining = start, timedelta(minutes=minutes)
    for pause in merge(pauses):
        if pause.end is not None and pause.end <= cursor:
            continue
        if pause.start >= cursor + remaining:
            break
        remaining -= max(pause.start - cursor, timedelta(0))
        if pause.end is None:
            return None
        cursor = max(cursor, pause.end)
    return cursor + remaining


def plan(request: ClockPlanRequest) -> ClockPlan:
    due: dict[ClockName, datetime | None] = {}
    for clock, start in request.starts.items():
        target = request.profile.targets[clock].for_request(request.severity, request.region)
        due[clock] = pause_aware_due(start, business_minutes_target(target), request.pauses)
    return ClockPlan(due=due)

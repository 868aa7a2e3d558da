"""A clock's outcome replayed from what happened (pure): its start, the instant its goal was
reached, the request's end, every pause and each severity it had, under a profile.

This is what the workflow's clocks do, told after the fact: while a severity is in force the
clock is due at the deadline of that severity's target counted from the clock's start with
every pause (`sla.deadlines.deadline`); it breaches at that instant, or at the change of
severity that makes it overdue, if its goal is not reached by then. Reaching the goal exactly
at the due instant meets it. A clock neither reached nor breached when its request ended was
cancelled; one of a request still open is running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.activity_io import Interval
from models.common import ClockName
from models.profile import SlaProfile
from models.what_if import Outcome
from sla.deadlines import Calendars, deadline


@dataclass(frozen=True)
class SeverityFrom:
    """The request's severity from `since` on (the first one from its report)."""

    since: datetime
    severity: int


@dataclass(frozen=True)
class ClockRun:
    clock: ClockName
    started_at: datetime
    met_at: datetime | None


@dataclass
class RequestHistory:
    """What happened to the request that shapes its clocks."""

    region: str
    severities: list[SeverityFrom]
    pauses: list[Interval]
    #: When it closed or was cancelled (None: still open).
    ended_at: datetime | None
    #: A key account's request runs on the profile's `by_key_account` targets.
    key_account: bool = False


@dataclass(frozen=True)
class Replayed:
    outcome: Outcome
    #: The due instant under the last severity (None: held by a pause still open).
    due: datetime | None


def replay(
    run: ClockRun, history: RequestHistory, now: datetime, profile: SlaProfile, cals: Calendars
) -> Replayed:
    """The clock's outcome under `profile` (`cals`: its calendars, built)."""
    severities, ended_at = history.severities, history.ended_at
    stop = run.met_at or ended_at or now
    due: datetime | None = None
    breached_at: datetime | None = None
    for index, current in enumerate(severities):
        until = severities[index + 1].since if index + 1 < len(severities) else None
        if until is not None and until <= run.started_at:
            continue  # superseded before the clock started
        target = profile.targets[run.clock].for_request(
            current.severity, history.region, history.key_account
        )
        due = deadline(cals[target.calendar], target, run.started_at, history.pauses)
        if due is None or breached_at is not None:
            continue
        overdue = max(due, current.since)  # a new target may be overdue when it applies
        if (until is None or overdue < until) and overdue < stop:
            breached_at = overdue
    if breached_at is not None and (run.met_at is None or breached_at < run.met_at):
        return Replayed("breached", due)
    if run.met_at is not None:
        return Replayed("met", due)
    return Replayed("cancelled" if ended_at is not None else "running", due)

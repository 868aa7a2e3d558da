"""`sla.replay` with exact instants: the boundary of a met clock, a pause that holds it, a
severity raised past the due instant and one lowered after a breach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.demo import STANDARD_PROFILE
from db.profiles import load_profile_file
from models.activity_io import Interval
from models.common import ClockName
from sla.deadlines import calendars
from sla.replay import ClockRun, RequestHistory, SeverityFrom, replay

PROFILE = load_profile_file(STANDARD_PROFILE)
CALS = calendars(PROFILE)
T0 = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def response(met: float | None, *, severities=((0, 1),), pauses=(), ended: float | None = None):
    history = RequestHistory(
        "jinan",
        [SeverityFrom(at(m), s) for m, s in severities],
        [Interval(start=at(a), end=at(b)) for a, b in pauses],
        None if ended is None else at(ended),
    )
    run = ClockRun(ClockName.RESPONSE, T0, None if met is None else at(met))
    return replay(run, history, NOW, PROFILE, CALS)


def test_reached_at_the_due_instant_is_met_a_moment_later_breached():
    assert response(30).outcome == "met" and response(30).due == at(30)
    assert response(30.01).outcome == "breached"


def test_a_pause_moves_the_due_instant():
    replayed = response(45, pauses=[(10, 25)])
    assert (replayed.outcome, replayed.due) == ("met", at(45))


def test_a_severity_raised_past_the_due_breaches_at_the_change():
    # severity 2 (60 min) for 40 minutes, then severity 1 (30 min): overdue at once
    assert response(41, severities=[(0, 2), (40, 1)]).outcome == "breached"
    assert response(40, severities=[(0, 2), (40, 1)]).outcome == "met"  # answered with it


def test_a_breach_stays_when_the_severity_is_lowered():
    replayed = response(50, severities=[(0, 1), (40, 3)])
    assert (replayed.outcome, replayed.due) == ("breached", at(120))


def test_unreached_clocks_are_cancelled_or_running():
    assert response(None, ended=20).outcome == "cancelled"
    assert response(None, ended=45).outcome == "breached"
    assert response(None).outcome == "breached"  # still open, thirty days on

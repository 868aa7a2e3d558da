"""The KPI engine against a hand-built week whose figures are known exactly
(`tests/kpi_dataset.py`), on a database of its own (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from activities.records import RecordActivities
from config import Settings
from db.demo import load_demo
from db.session import SessionFactory, create_schema, session_factory, transaction
from db.tables import RequestClockRow, ServiceRequestRow
from kpi.engine import UnknownFigure, kpi_report, requests_behind
from kpi.periods import Period
from models.activity_io import RecordRequest
from models.kpi import KpiReport
from models.state import ServiceRequestState
from tests.conftest import fresh_database
from tests.kpi_dataset import FIRST, LAST, NOW, TZ, build, delivery

WEEK = Period(FIRST, LAST, TZ)


@pytest.fixture(scope="module")
def week(
    database_url: str, settings: Settings, tmp_path_factory
) -> Iterator[tuple[SessionFactory, dict[str, str]]]:
    with fresh_database(database_url, tmp_path_factory.mktemp("kpi")) as engine:
        create_schema(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            load_demo(session)
        yield sessions, build(sessions, replace(settings, database_url=str(engine.url)))


def report(week: Any, grouping: Any = None) -> KpiReport:
    sessions, _ = week
    with sessions() as session:
        return kpi_report(session, WEEK, grouping, now=NOW)


def test_clock_figures_of_the_week(week):
    clocks = report(week).total.clocks
    response = clocks["response"]
    assert (response.ended, response.met, response.breached) == (6, 5, 1)
    assert response.compliance == 83.3
    assert (response.business_minutes.mean, response.business_minutes.p90) == (17.5, 45)
    diagnosis = clocks["diagnosis"]
    assert (diagnosis.ended, diagnosis.compliance, diagnosis.breached_running) == (4, 100.0, 1)
    # B's 30-minute pause counts in wall time only.
    assert (diagnosis.business_minutes.mean, diagnosis.business_minutes.p90) == (52.5, 70)
    assert (diagnosis.wall_minutes.mean, diagnosis.wall_minutes.p90) == (60, 100)
    arrival = clocks["arrival"]
    assert (arrival.ended, arrival.business_minutes.mean, arrival.business_minutes.p90) == (
        3,
        83.3,
        190,
    )
    resolution = clocks["resolution"]
    # B's 30-minute pause is outside its business minutes (370 of its 400)
    assert (resolution.ended, resolution.business_minutes.mean) == (4, 367.5)
    assert resolution.business_minutes.p90 == 900  # C's, run again from the first report
    # The signature runs on the office calendar: A signed over lunch, C after midnight.
    signature = clocks["signature"]
    assert (signature.business_minutes.mean, signature.business_minutes.p90) == (62.5, 230)
    assert (signature.wall_minutes.mean, signature.wall_minutes.p90) == (307.5, 1160)


def test_repair_loan_revisit_and_complaint_figures(week):
    total = report(week).total
    requests = total.requests
    assert (requests.closed, requests.cancelled, requests.resolved) == (4, 1, 4)
    assert (requests.resolved_remotely, requests.remote_resolution_rate) == (1, 25.0)
    assert (requests.fixed_on_site, requests.first_time_fixes) == (3, 2)
    assert requests.first_time_fix_rate == 66.7
    assert requests.repeat_repairs == 1
    assert (total.loaners.issued, total.loaners.loaner_days) == (2, 6.96)
    assert total.escalations == {"1": 2, "2": 2}
    revisits = total.revisits
    assert (revisits.due, revisits.done, revisits.unreachable) == (3, 2, 1)
    assert (revisits.unreachable_rate, revisits.satisfaction_mean) == (33.3, 3.5)
    assert (revisits.attitude_mean, revisits.satisfied_share, revisits.not_solved_rate) == (
        4.0,
        50.0,
        50.0,
    )
    complaints = total.complaints
    assert (complaints.opened, complaints.answered_in_time, complaints.still_open) == (2, 1, 1)
    assert complaints.per_100_closed == 50.0


def test_backlog_and_engineer_load(week):
    result = report(week)
    [open_] = result.backlog
    assert (open_.stage, open_.sla_status, open_.open, open_.mean_age_hours) == (
        "diagnosing",
        "breached",
        1,
        144.0,
    )
    load = {e.engineer_id: (e.open_assignments, e.closed_in_period) for e in result.engineers}
    assert load == {"E001": (0, 2), "E002": (0, 0), "E003": (0, 1), "E004": (0, 0)}


def test_grouped_by_engineer_the_reassigned_arrival_is_the_one_who_came(week):
    groups = {g.key: g for g in report(week, "engineer").groups}
    assert groups["E001"].label == "张伟"
    assert groups["E001"].clocks["arrival"].ended == 2
    assert groups["E003"].clocks["arrival"].ended == 1
    assert "E002" not in groups
    assert groups["—"].requests.closed == 1  # E, resolved remotely without an engineer


def test_grouped_by_day_every_day_of_the_week_is_there(week):
    days = report(week, "day").groups
    assert [d.key for d in days] == [f"2026-03-0{n}" for n in range(2, 9)]
    ended = [d.clocks["response"].ended for d in days]
    assert ended == [0, 2, 2, 1, 1, 0, 0]  # A, C · B, D · F · E
    assert sum(d.requests.closed for d in days) == report(week).total.requests.closed


def test_grouped_by_severity_and_week(week):
    severities = {g.key: g for g in report(week, "severity").groups}
    assert (severities["1"].label, severities["1"].requests.closed) == ("S1", 3)
    [only] = report(week, "week").groups
    assert only.key == "2026-W10"
    assert only.clocks == report(week).total.clocks


def test_the_requests_behind_a_figure_are_the_ones_it_counts(week):
    sessions, numbers = week
    n = numbers.__getitem__

    def behind(figure: str, grouping: Any = None, key: str | None = None) -> list[str]:
        with sessions() as session:
            return requests_behind(session, WEEK, grouping, figure, key)

    assert behind("clocks.response.breached") == [n("C")]
    assert behind("clocks.diagnosis.breached_running") == [n("D")]
    assert behind("requests.first_time_fixes") == sorted([n("A"), n("B")])
    assert behind("requests.repeat_repairs") == [n("E")]
    assert behind("revisits.unreachable") == [n("B")]
    assert behind("escalations.2") == sorted([n("C"), n("D")])
    assert behind("backlog") == [n("D")]
    assert behind("clocks.arrival.met", "engineer", "E001") == sorted([n("A"), n("C")])
    assert behind("clocks.response.ended", "day", "2026-03-05") == [n("F")]
    for wrong in ("clocks.response", "clocks.nope.met", "requests.number", "loaners.loaner_days"):
        with pytest.raises(UnknownFigure):
            behind(wrong)


def test_an_ended_clock_keeps_the_engineer_it_ended_under(week, settings):
    sessions, numbers = week
    with sessions() as session:
        row = session.get(RequestClockRow, (numbers["B"], "arrival"))
        assert row is not None and row.engineer_id == "E003"
    # A later record under another engineer leaves the ended clock as it was.
    with sessions() as session:
        stored = session.get(ServiceRequestRow, numbers["B"])
        assert stored is not None
        state = ServiceRequestState.model_validate(stored.state)
    state.engineer, state.version = "E002", state.version + 1
    records = RecordActivities(sessions, delivery(sessions, settings), timezone=TZ)
    records.record_events(RecordRequest(events=[], state=state))
    with sessions() as session:
        engineers = {
            clock: engineer
            for clock, engineer in session.execute(
                select(RequestClockRow.clock, RequestClockRow.engineer_id).where(
                    RequestClockRow.number == numbers["B"]
                )
            )
        }
    assert engineers["arrival"] == "E003"
    state.engineer, state.version = "E003", state.version + 1  # as the week was
    records.record_events(RecordRequest(events=[], state=state))


def test_the_definitions_are_the_same_in_the_module_and_the_readme():
    import kpi

    definitions = (kpi.__doc__ or "").split("DEFINITIONS:\n", 1)[1]
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### KPI definitions\n", 1)[1].split("\n## ", 1)[0]
    assert " ".join(definitions.split()) == " ".join(section.split())

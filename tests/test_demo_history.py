"""The demo's eight weeks of history: the same every time, recorded as workflows record, with
figures that mean something and outcomes the engine replays exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from activities.records import RecordActivities
from db.demo import load_demo
from db.demo_history import WEEKS, load_history
from db.session import create_schema, session_factory, transaction
from kpi.engine import kpi_report
from kpi.periods import Period
from kpi.what_if import compare
from models.what_if import PeriodFilters
from tests.conftest import fresh_database
from tests.kpi_dataset import delivery

TODAY = date(2026, 12, 2)
TZ = "Asia/Shanghai"


def test_the_demo_history(database_url, settings, tmp_path):
    with fresh_database(database_url, tmp_path) as engine:
        create_schema(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            load_demo(session)
        own = replace(settings, database_url=engine.url.render_as_string(hide_password=False))
        records = RecordActivities(sessions, delivery(sessions, own), timezone=TZ)
        made = load_history(sessions, TZ, TODAY, records.record_events)
        assert made == 263  # seeded: the same story every time
        period = Period(TODAY - timedelta(days=WEEKS * 7), TODAY - timedelta(days=1), TZ)
        with sessions() as session:
            report = kpi_report(session, period, "week")
            replayed = compare(
                session,
                period,
                PeriodFilters(**{"from": period.first, "to": period.last}),
                None,
                "recorded",
                datetime.now(UTC),
            )
        total = report.total
        assert len(report.groups) == 9  # eight weeks, cut at the period's first Monday
        assert 80 < (total.clocks["response"].compliance or 0) < 98
        assert 0 < total.requests.first_time_fixes < total.requests.fixed_on_site
        assert total.requests.resolved_remotely > 0 and total.requests.repeat_repairs > 0
        assert total.loaners.issued > 0 and total.complaints.opened > 0
        assert 3.5 < (total.revisits.satisfaction_mean or 0) < 5
        assert replayed.requests == made and replayed.changed == []

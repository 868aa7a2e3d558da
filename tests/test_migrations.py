"""The migrations build exactly the schema of `db/tables.py`, down and up again, on a fresh
database of the test URL's dialect (SQLite, or PostgreSQL with TEST_DATABASE_URL); and the
archive's constraints hold in the database itself."""

from collections.abc import Iterator
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from db.session import (
    LegacyDatabaseError,
    alembic_config,
    create_schema,
    schema_revision,
    session_factory,
    transaction,
)
from db.tables import Asset, Base, Customer, Site
from tests.conftest import fresh_database


@pytest.fixture
def fresh(database_url: str, tmp_path) -> Iterator[Engine]:
    """An engine on a new, empty database next to the test database."""
    with fresh_database(database_url, tmp_path) as engine:
        yield engine


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def check_constraints(engine: Engine) -> set[str]:
    found = inspect(engine)
    return {
        check["name"]
        for table in found.get_table_names()
        for check in found.get_check_constraints(table)
    }


def metadata_checks() -> set[str]:
    return {
        constraint.name
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if constraint.__visit_name__ == "check_constraint"
    }


def test_upgrade_builds_exactly_the_models_schema(fresh):
    create_schema(fresh)
    assert differences(fresh) == []
    # compare_metadata does not compare CHECK constraints: every one must be there too.
    assert metadata_checks() <= check_constraints(fresh)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None and schema_revision(fresh) == head


def test_downgrade_to_base_and_upgrade_again(fresh):
    create_schema(fresh)
    downgrade(fresh, "base")
    assert inspect(fresh).get_table_names() == ["alembic_version"]
    assert schema_revision(fresh) is None
    create_schema(fresh)
    assert differences(fresh) == []


def test_upgrade_twice_changes_nothing(fresh):
    create_schema(fresh)
    create_schema(fresh)
    assert differences(fresh) == []


def test_a_database_made_before_migrations_is_refused(fresh):
    Base.metadata.create_all(fresh)
    with pytest.raises(LegacyDatabaseError, match="before the schema had migrations"):
        create_schema(fresh)


def test_the_database_itself_enforces_the_archive(fresh):
    create_schema(fresh)
    sessions = session_factory(fresh)
    with transaction(sessions) as session:
        for n in (1, 2):
            session.add(Customer(id=f"C{n}", name="x", region="qingdao", sla_profile="standard"))
        session.flush()
        session.add(Site(id="S2", customer_id="C2", name="x", region="qingdao"))

    def refused(*rows: object) -> None:
        with pytest.raises(IntegrityError), transaction(sessions) as session:
            session.add_all(rows)

    warranty = {"start_basis": "invoice", "months": 12}
    refused(Customer(id="C3", name="x", region="", sla_profile="standard"))
    refused(Site(id="S3", customer_id="C1", name="x", region=""))
    refused(Site(id="S4", customer_id="nobody", name="x", region="qingdao"))
    # An asset at another customer's site: the composite foreign key says no.
    refused(
        Asset(
            serial="SN1",
            model="m",
            category="camera",
            customer_id="C1",
            site_id="S2",
            invoice_date=date(2026, 1, 1),
            warranty=warranty,
        )
    )
    with transaction(sessions) as session:
        session.add(
            Asset(
                serial="SN2",
                model="m",
                category="camera",
                customer_id="C2",
                site_id="S2",
                warranty=warranty,
            )
        )
    # A site with an asset cannot go; a customer's sites go with it.
    refused_delete = "DELETE FROM sites WHERE id = 'S2'"
    with pytest.raises(IntegrityError), fresh.begin() as connection:
        connection.execute(text(refused_delete))
    with fresh.begin() as connection:
        connection.execute(text("DELETE FROM assets"))
        connection.execute(text("DELETE FROM customers WHERE id = 'C2'"))
        assert connection.execute(text("SELECT count(*) FROM sites")).scalar() == 0


def test_revisits_of_requests_already_following_up_reach_the_call_list(fresh, intake):
    """Migration 0005 copies them from the read model: the call list reads `revisit_calls`."""
    from datetime import UTC, datetime, timedelta

    from activities.records import _projection
    from db.tables import RevisitCallRow, ServiceRequestRow
    from models.lifecycle import Stage
    from models.revisits import RevisitCallEntry
    from models.state import Diagnosis, RevisitRecord, ServiceRequestState, workflow_id_for

    closed = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    state = ServiceRequestState.registered(intake(at=closed - timedelta(hours=2)))
    state.stage, state.closed_at, state.version = Stage.FOLLOWING_UP, closed, 7
    state.diagnosis = Diagnosis(
        outcome="resolved_remotely", notes="重启", exclusion=None, by="s", at=closed
    )
    state.revisits = [
        RevisitRecord(
            due=closed + timedelta(days=3),
            channel="phone",
            attempts=1,
            status="answered",
            answered_at=closed + timedelta(days=3, hours=1),
            satisfaction=4,
            solved=True,
            attitude=5,
            suggestions="很好",
        ),
        RevisitRecord(due=closed + timedelta(days=30), channel="visit"),
    ]
    create_schema(fresh)
    downgrade(fresh, "0004")
    sessions = session_factory(fresh)
    at_0004 = {k: v for k, v in _projection(state).items() if k != "fault_code"}
    with transaction(sessions) as session:
        session.execute(insert(ServiceRequestRow.__table__).values(at_0004))
    create_schema(fresh)
    with sessions() as session:
        rows = session.query(RevisitCallRow).order_by(RevisitCallRow.id).all()
        copied = [RevisitCallEntry.model_validate(r, from_attributes=True) for r in rows]
        assert [r.version for r in rows] == [7, 7]
    expected = RevisitCallEntry.of_request(state, workflow_id_for(state.number))
    # `about` came with 0006: the request's next record of its state fills it in
    assert copied == [e.model_copy(update={"about": None}) for e in expected]


def test_requests_recorded_before_the_kpis_get_their_clock_rows(fresh, intake):
    """Migration 0010 projects the clocks and the rework window of every stored request."""
    from datetime import UTC, datetime, timedelta

    from activities.records import _projection
    from db.demo import load_demo
    from db.tables import RequestClockRow, ServiceRequestRow
    from models.common import ClockName, ClockStatus
    from models.lifecycle import Stage
    from models.state import ServiceRequestState

    reported = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    state = ServiceRequestState.registered(intake(at=reported))
    response = state.clocks[ClockName.RESPONSE]
    response.status, response.met_at = ClockStatus.MET, reported + timedelta(minutes=12)
    state.stage, state.outcome = Stage.FOLLOWING_UP, "fixed"
    state.closed_at, state.version = reported + timedelta(hours=3), 9
    create_schema(fresh)
    sessions = session_factory(fresh)
    with transaction(sessions) as session:  # the archive as today's code writes it
        load_demo(session)
    downgrade(fresh, "0009")
    before = {k: v for k, v in _projection(state).items() if k != "fault_code"}
    with transaction(sessions) as session:
        session.execute(insert(ServiceRequestRow.__table__).values(before))
    create_schema(fresh)
    with sessions() as session:
        row = session.get(RequestClockRow, (state.number, "response"))
        assert row is not None and (row.status, row.business_minutes) == ("met", 12.0)
        projected = session.get(ServiceRequestRow, state.number)
        assert projected is not None and projected.fault_code == state.fault_code
        # Demo assets keep the default repair warranty: three months after the repair day.
        assert projected.rework_until == datetime(2027, 2, 20, 16, 0, tzinfo=UTC)


def test_clocks_recorded_before_plans_were_kept_start_with_their_due(fresh, intake):
    """Migration 0012 starts each clock's plans (`clock_plans`) with the due it has now."""
    from datetime import UTC, datetime

    from activities.records import _projection
    from db.demo import load_demo
    from db.tables import ClockPlanRow, RequestClockRow, ServiceRequestRow
    from models.state import ServiceRequestState

    reported = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    state = ServiceRequestState.registered(intake(at=reported))
    create_schema(fresh)
    sessions = session_factory(fresh)
    with transaction(sessions) as session:  # the archive as today's code writes it
        load_demo(session)
    downgrade(fresh, "0011")
    response = state.clocks["response"]
    with transaction(sessions) as session:
        session.execute(insert(ServiceRequestRow.__table__).values(_projection(state)))
        session.execute(
            insert(RequestClockRow.__table__).values(
                number=state.number,
                clock="response",
                status="running",
                breached=False,
                started_at=response.started_at,
                due=response.due,
                version=1,
            )
        )
    create_schema(fresh)
    with sessions() as session:
        plans = list(session.query(ClockPlanRow).filter_by(number=state.number))
        assert [(p.clock, p.due, p.planned_at) for p in plans] == [
            ("response", response.due, response.started_at)
        ]

"""The KPI facts of requests recorded before they existed (migration 0010), from each
request's stored state, by the same projection the recording activity uses."""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from db.kpi_facts import repair_moves, repeated_repair, rework_until, write_clocks
from db.profiles import profile_version
from db.tables import ServiceRequestRow
from kpi.clock_facts import clock_facts
from models.intake import SERVICE_TIMEZONE
from models.profile import SlaProfile
from models.state import ServiceRequestState
from sla.deadlines import Calendars, calendars

BATCH = 500


def backfill(connection: Connection, timezone: str = SERVICE_TIMEZONE) -> int:
    """Project every stored request; how many. Only the columns of revision 0010 are read."""
    session = Session(bind=connection)
    built: dict[tuple[str, int], tuple[SlaProfile, Calendars] | None] = {}
    done = 0
    # Oldest first: a request's repeat is found among the repairs before it.
    by_report = select(ServiceRequestRow.state).order_by(ServiceRequestRow.reported_at)
    rows = connection.execute(by_report).scalars().partitions(BATCH)
    for batch in rows:
        for stored in batch:
            state = ServiceRequestState.model_validate(stored)
            key = (state.sla_profile, state.sla_profile_version)
            if key not in built:
                profile = profile_version(session, *key)
                built[key] = (profile, calendars(profile)) if profile else None
            found = built[key]
            if found is not None:
                write_clocks(session, state, clock_facts(state, *found))
            session.execute(
                update(ServiceRequestRow)
                .where(ServiceRequestRow.number == state.number)
                .values(
                    fault_code=state.fault_code,
                    rework_until=rework_until(session, state, timezone),
                    repeats=repeated_repair(session, state),
                    **repair_moves(session, state),
                )
            )
            done += 1
    session.flush()
    return done

"""The KPI facts written with each record of a request: its clocks (`request_clocks`) and the
end of its rework window. Single statements, like the read model (`db.upserts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.entitlements import resolved_on
from db.tables import Asset, ClockPlanRow, RequestClockRow, ServiceRequestRow, TimelineEventRow
from db.upserts import INSERTS, dialect_of, insert_new
from kpi.clock_facts import ClockFact
from models.common import ClockName
from models.lifecycle import Stage
from models.state import ServiceRequestState, TimelineEvent
from warranty.entitlement import REPAIRED, WarrantyTerms, add_months


def write_clocks(session: Session, state: ServiceRequestState, facts: list[ClockFact]) -> None:
    """Insert or update the request's clock rows; a row whose clock has ended stays as it
    is (with the engineer it ended under) until the clock ends differently."""
    rows: list[dict[str, Any]] = [
        {
            "number": state.number,
            "clock": fact.clock,
            "status": fact.status,
            "breached": fact.breached,
            "engineer_id": state.engineer,
            "started_at": fact.started_at,
            "due": fact.due,
            "met_at": fact.met_at,
            "ended_at": fact.ended_at,
            "business_minutes": fact.business_minutes,
            "wall_minutes": fact.wall_minutes,
            "version": state.version,
        }
        for fact in facts
    ]
    session.execute(_upsert_clocks(dialect_of(session)), rows)


#: Timeline entries that follow from a plan rather than change one.
NOT_PLANNING = frozenset(
    {
        "clock_met",
        "clock_breached",
        "escalated",
        "notification_queued",
        "notification_dropped",
        "loaner_issued",
        "loaner_returned",
    }
)


def write_plans(
    session: Session, state: ServiceRequestState, events: Sequence[TimelineEvent]
) -> None:
    """A row for each clock's start and due not seen before (`clock_plans`)."""
    if not events:
        return
    kinds = (e.kind for e in events if e.kind not in NOT_PLANNING)
    because = ", ".join(dict.fromkeys(kinds))[:400]
    planned_at = max(e.at for e in events)
    rows = [
        {
            "number": state.number,
            "clock": name.value,
            "started_at": clock.started_at,
            "due": clock.due,
            "planned_at": planned_at,
            "because": because,
        }
        for name, clock in state.clocks.items()
        if clock.started_at is not None and clock.due is not None
    ]
    insert_new(session, ClockPlanRow, rows, unique=("number", "clock", "started_at", "due"))


#: The read model's columns `repair_moves` fills.
MOVES = ("visits", "parts_waits", "reworks")
#: The stages a request ends in.
ENDS = (Stage.CLOSED, Stage.CANCELLED)


@cache
def _upsert_clocks(dialect: str) -> Any:
    statement = INSERTS[dialect](RequestClockRow)
    table, new = RequestClockRow.__table__.c, statement.excluded
    columns = [c.key for c in RequestClockRow.__table__.columns if c.key not in ("number", "clock")]
    changed_end = or_(
        table.ended_at.is_(None),
        new.ended_at.is_(None),
        table.ended_at != new.ended_at,
        table.status != new.status,
    )
    return statement.on_conflict_do_update(
        index_elements=["number", "clock"],
        set_={name: new[name] for name in columns},
        where=and_(table.version < new.version, changed_end),
    )


#: The read model's facts found once, when the request is registered or ends; a record
#: that finds none keeps them (`db.upserts.upsert_newer`'s `kept`).
FOUND_ONCE = ("repeats", "rework_until", *MOVES)


def found_once(
    session: Session, state: ServiceRequestState, events: Sequence[TimelineEvent], timezone: str
) -> dict[str, Any]:
    """`FOUND_ONCE` as this record finds them: the repeated repair with the registration,
    the rework window and the repair's moves with the end (NULL otherwise: kept as stored,
    so the records after the end ask nothing)."""
    found: dict[str, Any] = dict.fromkeys(FOUND_ONCE)
    if any(event.seq == 1 for event in events):
        found["repeats"] = repeated_repair(session, state)
    if any(event.kind == "stage_changed" and event.stage in ENDS for event in events):
        found |= repair_moves(session, state)
        found["rework_until"] = rework_until(session, state, timezone)
    return found


def repair_moves(session: Session, state: ServiceRequestState) -> dict[str, int | None]:
    """How the repair went, from the request's timeline (this record's entries included):
    entries on site, waits for parts, and reworks (back from the signature to diagnosis).
    None while the request is open."""
    if state.closed_at is None:
        return dict.fromkeys(MOVES)
    T = TimelineEventRow
    rework = and_(
        T.stage == Stage.DIAGNOSING, T.data["from"].as_string() == Stage.AWAITING_SIGNATURE
    )
    counted = session.execute(
        select(
            func.count().filter(T.stage == Stage.ON_SITE),
            func.count().filter(T.stage == Stage.AWAITING_PARTS),
            func.count().filter(rework),
        ).where(T.number == state.number, T.kind == "stage_changed")
    ).one()
    return dict(zip(MOVES, (int(n) for n in counted), strict=True))


def repeated_repair(session: Session, state: ServiceRequestState) -> str | None:
    """The latest earlier request of the same asset and fault that closed with a repair
    whose warranty (`rework_until`) this one was reported in: this one repeats it."""
    E = ServiceRequestRow
    return session.scalar(
        select(E.number)
        .where(
            E.asset_serial == state.asset_serial,
            E.fault_code == state.fault_code,
            E.number != state.number,
            E.closed_at < state.reported_at,
            E.rework_until > state.reported_at,
        )
        .order_by(E.closed_at.desc())
        .limit(1)
    )


def rework_until(session: Session, state: ServiceRequestState, timezone: str) -> datetime | None:
    """The instant before which a new request of the same asset and fault repeats this one:
    the day `repair_warranty_months` after it was resolved, included (as the entitlement
    rule has it). None while the request has not closed with a repair."""
    if state.closed_at is None or state.outcome not in REPAIRED:
        return None
    zone = ZoneInfo(timezone)
    met = state.clocks.get(ClockName.RESOLUTION)
    resolved = resolved_on(met.met_at if met else None, state.closed_at, zone)
    assert resolved is not None  # closed
    warranty = session.scalar(select(Asset.warranty).where(Asset.serial == state.asset_serial))
    months = WarrantyTerms.of(warranty or {}, None, None).repair_warranty_months
    last_day = add_months(resolved, months)
    return datetime.combine(last_day + timedelta(days=1), time(), zone)

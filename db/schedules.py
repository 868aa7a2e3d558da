"""Contract schedules as defined by the admin, kept so they can be re-created in Temporal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.tables import ContractSchedule
from models.schedules import ScheduleDefinition


def remember(session: Session, sid: str, definition: ScheduleDefinition, paused: bool) -> None:
    row = session.get(ContractSchedule, sid) or ContractSchedule(id=sid)
    row.definition = definition.model_dump(mode="json")
    row.paused = paused
    row.updated_at = datetime.now(UTC)
    session.add(row)


def set_paused(session: Session, sid: str, paused: bool) -> None:
    row = session.get(ContractSchedule, sid)
    if row is not None:
        row.paused, row.updated_at = paused, datetime.now(UTC)


def forget(session: Session, sid: str) -> None:
    row = session.get(ContractSchedule, sid)
    if row is not None:
        session.delete(row)


def defined(session: Session) -> list[tuple[str, ScheduleDefinition, bool]]:
    rows = session.scalars(select(ContractSchedule).order_by(ContractSchedule.id))
    return [(r.id, ScheduleDefinition.model_validate(r.definition), r.paused) for r in rows]

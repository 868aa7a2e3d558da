"""Projections of the complaint and revisit workflows: rows that only move forward in version,
so a retried or late activity never overwrites a newer state."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from db.tables import ComplaintRow, RevisitCallRow
from models.complaints import ComplaintState
from models.revisits import RevisitCallEntry


def project_call(session: Session, entry: RevisitCallEntry, version: int) -> None:
    row = session.get(RevisitCallRow, entry.id)
    if row is not None and row.version > version:
        return
    row = row or RevisitCallRow()
    for field, value in entry.model_dump().items():
        setattr(row, field, value)
    row.version, row.updated_at = version, datetime.now(UTC)
    session.add(row)


def project_complaint(session: Session, state: ComplaintState) -> None:
    row = session.get(ComplaintRow, state.number)
    if row is not None and row.version > state.version:
        return
    row = row or ComplaintRow()
    for field, value in state.model_dump().items():
        setattr(row, field, value)
    row.workflow_id, row.updated_at = state.workflow_id, datetime.now(UTC)
    session.add(row)

"""The loaner pool in the database (`loaner_units`), as the admin keeps it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.tables import LoanerUnit
from models.archive import Page
from models.loaners import LoanerStatus, LoanerUnitRecord, LoanerUnitView


def loaner_view(unit: LoanerUnit) -> LoanerUnitView:
    return LoanerUnitView.model_validate(unit, from_attributes=True)


def list_loaners(
    session: Session,
    category: str | None,
    status: LoanerStatus | None,
    page: int,
    page_size: int,
) -> Page[LoanerUnitView]:
    query = select(LoanerUnit)
    if category is not None:
        query = query.where(LoanerUnit.category == category)
    if status is not None:
        query = query.where(LoanerUnit.status == status)
    units = [loaner_view(u) for u in session.scalars(query.order_by(LoanerUnit.serial))]
    return Page.of(units, page, page_size)


def save_loaner(session: Session, record: LoanerUnitRecord) -> LoanerUnitView:
    """Add or change a unit that no request has now."""
    unit = session.get(LoanerUnit, record.serial)
    if unit is None:
        unit = LoanerUnit(serial=record.serial)
        session.add(unit)
    unit.model, unit.category, unit.rank = record.model, record.category, record.rank
    unit.status = record.status
    session.flush()
    return loaner_view(unit)

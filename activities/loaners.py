"""Loaner units (备用机): lend one from the pool when a fix is late, take it back at close."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from temporalio import activity

from db.session import SessionFactory, transaction
from db.tables import LoanerUnit
from models.activity_io import ActivityName, LoanerIssue, LoanerRequest


class LoanerActivities:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @activity.defn(name=ActivityName.ISSUE_LOANER)
    def issue_loaner(self, request: LoanerRequest) -> LoanerIssue:
        """Idempotent: a retry finds the unit already lent to this request."""
        with transaction(self._sessions) as session:
            unit = session.scalars(
                select(LoanerUnit).where(LoanerUnit.issued_to == request.number)
            ).first()
            if unit is None:
                unit = session.scalars(
                    select(LoanerUnit)
                    .where(LoanerUnit.category == request.category)
                    .where(LoanerUnit.status == "available")
                    .order_by(LoanerUnit.serial)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if unit is None:
                    return LoanerIssue(unit_serial=None)
                unit.status, unit.issued_to = "issued", request.number
                unit.issued_at = datetime.now(UTC)
            return LoanerIssue(unit_serial=unit.serial, model=unit.model)

    @activity.defn(name=ActivityName.RETURN_LOANER)
    def return_loaner(self, number: str) -> None:
        """Idempotent: returning a unit that is already back changes nothing."""
        with transaction(self._sessions) as session:
            for unit in session.scalars(select(LoanerUnit).where(LoanerUnit.issued_to == number)):
                unit.status, unit.issued_to, unit.issued_at = "available", None, None

"""Loaner units (备用机): lend one from the pool when a fix is late, take it back at close."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from temporalio import activity

from db.session import SessionFactory, transaction
from db.tables import Asset, LoanerUnit, ServiceRequestRow
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
                need = _rank_needed(session, request.number)
                unit = session.scalars(
                    select(LoanerUnit)
                    .where(LoanerUnit.category == request.category)
                    .where(LoanerUnit.status == "available")
                    .where(LoanerUnit.rank >= need)
                    # the plainest unit that will do: better ones stay for better machines
                    .order_by(LoanerUnit.rank, LoanerUnit.serial)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if unit is None:
                    return LoanerIssue(unit_serial=None, reason=_why_none(session, request, need))
                unit.status, unit.issued_to = "issued", request.number
                unit.issued_at = datetime.now(UTC)
            return LoanerIssue(unit_serial=unit.serial, model=unit.model)

    @activity.defn(name=ActivityName.RETURN_LOANER)
    def return_loaner(self, number: str) -> None:
        """Idempotent: returning a unit that is already back changes nothing."""
        with transaction(self._sessions) as session:
            for unit in session.scalars(select(LoanerUnit).where(LoanerUnit.issued_to == number)):
                unit.status, unit.issued_to, unit.issued_at = "available", None, None


def _rank_needed(session: Session, number: str) -> int:
    """The rank of the request's asset (1 when it has none, or the read model does not know
    the request yet)."""
    rank = session.scalar(
        select(Asset.capability_rank)
        .join(ServiceRequestRow, ServiceRequestRow.asset_serial == Asset.serial)
        .where(ServiceRequestRow.number == number)
    )
    return rank or 1


def _why_none(session: Session, request: LoanerRequest, need: int) -> str:
    """No unit free at all, or only lower ones: the supervisor is told which."""
    lower = session.scalar(
        select(func.max(LoanerUnit.rank)).where(
            LoanerUnit.category == request.category, LoanerUnit.status == "available"
        )
    )
    if lower is None:
        return f"no loaner unit of category {request.category!r} free"
    return (
        f"no free loaner of category {request.category!r} is at least rank {need} like the "
        f"customer's unit (the best free one is rank {lower})"
    )

"""The staff's work lists from the read model: open requests with their customer, asset and
engineer, earliest deadline first; counts per SLA status and the engineers' loads. Each desk
of the web app narrows these with the same filters as `GET /v1/service-requests`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.tables import Asset, Customer, Engineer, ServiceRequestRow
from dispatch import Candidate
from models.common import ClockStatus
from models.lifecycle import OPEN_STAGES
from models.state import ServiceRequestState

#: A desk shows this many at most; its filters find the rest.
LIMIT = 200
OPEN = ServiceRequestRow.stage.in_([s.value for s in OPEN_STAGES])
#: Breached requests first, then those at risk, on track, and paused (their clocks stand).
URGENCY = case(
    {"breached": 0, "at_risk": 1, "on_track": 2, "paused": 3},
    value=ServiceRequestRow.sla_status,
    else_=2,
)
#: Key accounts (重点客户) first among requests of the same urgency (P1, 003: priority).
KEY_ACCOUNTS_FIRST = case((Customer.key_account.is_(True), 0), else_=1)


@dataclass(frozen=True)
class WorkItem:
    """One request on a list, with the archive's names for what it refers to."""

    row: ServiceRequestRow
    customer: Customer | None
    asset: Asset | None
    engineer: Engineer | None

    @cached_property
    def state(self) -> ServiceRequestState:
        return ServiceRequestState.model_validate(self.row.state)

    @property
    def deadline(self) -> datetime | None:
        """The next deadline; for a request whose every running clock has breached, the
        earliest of those, so that the list says how long it is overdue."""
        if self.row.next_deadline is not None:
            return self.row.next_deadline
        overdue = [
            clock.due
            for clock in self.state.clocks.values()
            if clock.status == ClockStatus.BREACHED and clock.met_at is None and clock.due
        ]
        return min(overdue, default=None)


def work_items(session: Session, filters: Sequence[Any], *, limit: int = LIMIT) -> list[WorkItem]:
    """Open requests matching `filters`: breached first, then by `URGENCY`, key accounts
    first within each, then the next deadline first (none last)."""
    query = (
        select(ServiceRequestRow, Customer, Asset, Engineer)
        .join(Customer, Customer.id == ServiceRequestRow.customer_id, isouter=True)
        .join(Asset, Asset.serial == ServiceRequestRow.asset_serial, isouter=True)
        .join(Engineer, Engineer.id == ServiceRequestRow.engineer_id, isouter=True)
        .where(OPEN, *filters)
        .order_by(
            URGENCY,
            KEY_ACCOUNTS_FIRST,
            ServiceRequestRow.next_deadline.is_(None),
            ServiceRequestRow.next_deadline,
            ServiceRequestRow.number,
        )
        .limit(limit)
    )
    return [WorkItem(*found) for found in session.execute(query).all()]


def count_open(session: Session, filters: Sequence[Any]) -> int:
    query = select(func.count()).select_from(ServiceRequestRow).where(OPEN, *filters)
    return session.scalar(query) or 0


def status_counts(session: Session, filters: Sequence[Any] = ()) -> dict[str, int]:
    """Open requests per SLA status."""
    rows = session.execute(
        select(ServiceRequestRow.sla_status, func.count())
        .where(OPEN, *filters)
        .group_by(ServiceRequestRow.sla_status)
    )
    return {status: count for status, count in rows.all()}


@dataclass(frozen=True)
class Load:
    engineer: Engineer
    open_jobs: int

    @property
    def candidate(self) -> Candidate:
        """The engineer as the dispatch rules weigh them."""
        e = self.engineer
        return Candidate(e.id, frozenset(e.skills), frozenset(e.regions), e.on_duty, self.open_jobs)


def engineer_loads(session: Session) -> list[Load]:
    """Every engineer with their open requests, the busiest first."""
    jobs = (
        select(ServiceRequestRow.engineer_id, func.count().label("n"))
        .where(OPEN)
        .group_by(ServiceRequestRow.engineer_id)
        .subquery()
    )
    rows = session.execute(
        select(Engineer, func.coalesce(jobs.c.n, 0))
        .join(jobs, jobs.c.engineer_id == Engineer.id, isouter=True)
        .order_by(func.coalesce(jobs.c.n, 0).desc(), Engineer.id)
    )
    return [Load(engineer, n) for engineer, n in rows.all()]

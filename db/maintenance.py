"""The next maintenance of each asset with an interval (保养计划), from the archive: the last
inspection or repair this system closed, or the legacy system's last resolved repair."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.tables import Asset, ServiceRequestRow
from models.archive import MaintenanceDue
from warranty.maintenance import counted_from, last_service, next_maintenance

#: Requests whose close is a service of the asset: a repair or an inspection that was done
#: (not cancelled, not a quote the customer declined).
SERVICES = ("repair", "inspection")
NOT_DONE = ("cancelled", "declined")


def maintenance_due(
    session: Session, which: Any, timezone: str, today: date
) -> list[MaintenanceDue]:
    """The assets matching `which` that have an interval, the soonest due first."""
    assets = list(
        session.scalars(
            select(Asset)
            .where(which, Asset.maintenance_interval_months.is_not(None))
            .order_by(Asset.serial)
        )
    )
    closed = dict(
        session.execute(
            select(ServiceRequestRow.asset_serial, func.max(ServiceRequestRow.closed_at))
            .where(
                ServiceRequestRow.asset_serial.in_([a.serial for a in assets]),
                ServiceRequestRow.closed_at.is_not(None),
                ServiceRequestRow.type.in_(SERVICES),
                ServiceRequestRow.outcome.not_in(NOT_DONE),
            )
            .group_by(ServiceRequestRow.asset_serial)
        ).all()
    )
    zone = ZoneInfo(timezone)
    due = []
    for asset in assets:
        ended = closed.get(asset.serial)
        last = last_service(
            [ended.astimezone(zone).date() if ended else None, *_legacy_ends(asset.repairs)]
        )
        since = counted_from(last, asset.acceptance_date, asset.invoice_date)
        next_due = next_maintenance(asset.maintenance_interval_months, since)
        due.append(
            MaintenanceDue(
                serial=asset.serial,
                model=asset.model,
                interval_months=asset.maintenance_interval_months or 0,
                last_service=last,
                counted_from=since,
                next_due=next_due,
                overdue=next_due is not None and next_due < today,
            )
        )
    return sorted(due, key=lambda d: (d.next_due is None, d.next_due or date.max, d.serial))


def _legacy_ends(repairs: list[dict[str, Any]]) -> list[date | None]:
    """The local days the legacy system's repairs were resolved (its dates as written)."""
    ends: list[date | None] = []
    for repair in repairs or []:
        resolved = str(repair.get("resolved_at") or "")[:10]
        try:
            ends.append(date.fromisoformat(resolved))
        except ValueError:
            ends.append(None)
    return ends

"""Entitlement from the database: an asset's terms, its repair history (imported legacy
repairs and the requests handled here) and the holidays of its customer's office calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.profiles import latest_profile
from db.tables import Asset, Customer, ServiceRequestRow
from models.entitlement import Entitlement
from warranty.entitlement import REPAIRED, Repair, WarrantyTerms, entitlement

#: The calendar whose holidays move a warranty end (SPEC §4).
HOLIDAY_CALENDAR = "office"


#: What the history needs of a request's state, read by the database (not the whole state:
#: an asset with many requests made every intake parse all of them).
_FAULT = ServiceRequestRow.state["fault_code"].as_string()
_RESULT = ServiceRequestRow.state[("repair", "result")].as_string()
_RESOLVED = ServiceRequestRow.state[("clocks", "resolution", "met_at")].as_string()


def repair_history(session: Session, asset: Asset, timezone: str) -> list[Repair]:
    zone = ZoneInfo(timezone)
    legacy = [_legacy(entry) for entry in asset.repairs or []]
    rows = session.execute(
        select(
            _FAULT,
            _RESULT,
            ServiceRequestRow.outcome,
            _RESOLVED,
            ServiceRequestRow.reported_at,
            ServiceRequestRow.closed_at,
        )
        .where(ServiceRequestRow.asset_serial == asset.serial)
        .where(ServiceRequestRow.closed_at.is_not(None))
    )
    handled = [
        Repair(
            fault_code=fault,
            registered_on=reported.astimezone(zone).date(),
            resolved_on=resolved_on(datetime.fromisoformat(met) if met else None, closed, zone),
            outcome=done,
        )
        for fault, result, outcome, met, reported, closed in rows
        if (done := _work_done(result, outcome)) in REPAIRED
    ]
    return legacy + handled


def _work_done(result: str | None, outcome: str | None) -> str:
    """What was done to the asset, whatever closed the request: a fix closed by the supervisor
    without the customer's signature is still a repair."""
    if result in ("fixed", "replace"):
        return "replaced" if result == "replace" else "fixed"
    return str(outcome)


def _legacy(entry: dict[str, Any]) -> Repair:
    resolved = entry.get("resolved_at")
    return Repair(
        fault_code=entry["fault_code"],
        registered_on=_day(entry["registered_at"]),
        resolved_on=_day(resolved) if resolved else None,
        outcome=entry.get("outcome", "fixed"),
    )


def _day(value: str) -> date:
    """A date, or the date part of an ISO instant (legacy files carry either)."""
    return date.fromisoformat(value[:10])


def resolved_on(met: datetime | None, closed: datetime | None, zone: ZoneInfo) -> date | None:
    """The local day a repair was resolved: its resolution clock met, else its closing."""
    instant = met or closed
    return instant.astimezone(zone).date() if instant else None


def holidays_for(session: Session, customer: Customer) -> frozenset[date]:
    found = latest_profile(session, customer.sla_profile)
    office = found[0].calendars.get(HOLIDAY_CALENDAR) if found else None
    return frozenset(office.holidays) if office else frozenset()


def entitlement_for(
    session: Session, asset: Asset, reported_on: date, fault_code: str | None, timezone: str
) -> Entitlement:
    customer = session.get(Customer, asset.customer_id)
    return entitlement(
        WarrantyTerms.of(asset.warranty, asset.invoice_date, asset.acceptance_date),
        reported_on,
        fault_code,
        repair_history(session, asset, timezone),
        holidays_for(session, customer) if customer else frozenset(),
    )

"""Replacements and returns a request reports, written to the asset archive in its record's
transaction (`activities.records`): the new unit enters the archive in the old one's place with
its own warranty, the old one is marked replaced with a link to it, and a replaced component's
term restarts (`warranty.replacement` has the rules); a unit the customer returned (三包 退货,
once the return form closes the request) is marked returned. Replaced and returned units are
out of service (`IN_SERVICE`).

Idempotent, like the rest of the record: a unit already replaced by the new one, a component
already fitted that day, or a unit already returned, is left as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from db.archive import asset_values, get_asset
from db.entitlements import holidays_for, repair_history
from db.tables import Asset, Customer
from models.archive import AssetView, Replacement, Returned, Warranty
from models.profile import ReplacementPolicy
from models.state import COMPONENTS_REPLACED, UNIT_REPLACED, ServiceRequestState, TimelineEvent
from warranty.entitlement import Repair
from warranty.replacement import EXCHANGE, replacement_unit, with_fitted_components

log = logging.getLogger(__name__)

#: Units still the customer's and in use: neither replaced nor returned.
IN_SERVICE: ColumnElement[bool] = and_(Asset.replaced_by.is_(None), Asset.returned_on.is_(None))


def record_replacements(
    session: Session,
    state: ServiceRequestState,
    events: Sequence[TimelineEvent],
    policy: ReplacementPolicy,
    timezone: str,
) -> None:
    zone = ZoneInfo(timezone)
    for event in events:
        fitted_on = event.at.astimezone(zone).date()
        if event.kind == UNIT_REPLACED:
            _replace_unit(session, state, event, fitted_on, policy, timezone)
        elif event.kind == COMPONENTS_REPLACED and state.asset_serial:
            _fit_components(session, state.asset_serial, event, fitted_on, policy)
    if state.outcome == "returned" and state.closed_at is not None:
        # Settled, not merely chosen: a return cancelled before the form is signed keeps
        # the unit the customer's.
        _return_unit(session, state, state.closed_at.astimezone(zone).date())


def in_service(session: Session, serial: str) -> Asset | None:
    """The unit now in service in `serial`'s place: itself, or the last of its replacements."""
    asset, seen = session.get(Asset, serial), {serial}
    while asset is not None and asset.replaced_by and asset.replaced_by not in seen:
        seen.add(asset.replaced_by)
        asset = session.get(Asset, asset.replaced_by)
    return asset


def asset_view(session: Session, serial: str) -> AssetView | None:
    record = get_asset(session, serial)
    asset = session.get(Asset, serial)
    if record is None or asset is None:
        return None
    before = session.scalars(select(Asset).where(Asset.replaced_by == serial)).first()
    returned = (
        Returned(on=asset.returned_on, request=asset.returned_in) if asset.returned_on else None
    )
    return AssetView.model_validate(
        record.model_dump()
        | {"replaced": _replacement(asset), "replaces": before and _replacement(before)}
        | {"returned": returned}
    )


def _replacement(old: Asset) -> Replacement | None:
    if old.replaced_by is None or old.replaced_on is None:
        return None
    return Replacement(
        old_serial=old.serial,
        new_serial=old.replaced_by,
        on=old.replaced_on,
        request=old.replaced_in,
    )


def _replace_unit(
    session: Session,
    state: ServiceRequestState,
    event: TimelineEvent,
    fitted_on: date,
    policy: ReplacementPolicy,
    timezone: str,
) -> None:
    new_serial = str(event.data["new_serial"])
    old = in_service(session, str(event.data["old_serial"]))
    if old is None or old.serial == new_serial:
        return  # deleted from the archive, or this very replacement was recorded already
    if session.get(Asset, new_serial) is not None:
        # The API refuses a serial the archive has; one that arrived since is not overwritten.
        log.error("%s: unit %s is in the archive already: not recorded", state.number, new_serial)
        return
    record = get_asset(session, old.serial)
    assert record is not None  # `old` was just read
    customer = session.get(Customer, old.customer_id)
    # This request's days count too: the old unit was in repair until the new one came.
    this_repair = Repair(
        fault_code=state.fault_code or "",
        registered_on=state.reported_at.astimezone(ZoneInfo(timezone)).date(),
        resolved_on=fitted_on,
        outcome="replaced",
    )
    if event.data.get("exchange"):
        policy = EXCHANGE
    new = replacement_unit(
        record,
        new_serial,
        event.data.get("model"),
        fitted_on,
        policy,
        [*repair_history(session, old, timezone), this_repair],
        holidays_for(session, customer) if customer else frozenset(),
    )
    session.add(Asset(**asset_values(new)))
    session.flush()  # the new unit exists before the old one links to it
    old.replaced_by, old.replaced_on, old.replaced_in = new_serial, fitted_on, state.number


def _fit_components(
    session: Session,
    serial: str,
    event: TimelineEvent,
    fitted_on: date,
    policy: ReplacementPolicy,
) -> None:
    asset = session.get(Asset, serial)
    if asset is None:
        return
    warranty = Warranty.model_validate(asset.warranty)
    fitted = with_fitted_components(warranty, event.data["components"], fitted_on, policy)
    if fitted != warranty:
        asset.warranty = fitted.model_dump(mode="json")


def _return_unit(session: Session, state: ServiceRequestState, returned_on: date) -> None:
    asset = session.get(Asset, state.asset_serial) if state.asset_serial else None
    if asset is not None and asset.returned_on is None:
        asset.returned_on, asset.returned_in = returned_on, state.number

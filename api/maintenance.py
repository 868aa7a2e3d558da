"""`GET /v1/customers/{id}/maintenance` and `GET /v1/assets/{serial}/maintenance`: when each
asset's next maintenance is due (保养计划), for the desks that read the archive and the
customer itself (its own assets only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends

from api.context import ARCHIVE_READERS, Ctx, require
from api.ownership import check_asset, check_customer
from api.problems import Problem
from db.maintenance import maintenance_due
from db.tables import Asset, Customer
from identity.keys import Principal
from models.archive import MaintenanceDue
from models.lifecycle import Role

router = APIRouter(prefix="/v1", tags=["customer archive"])
Reader = Annotated[Principal, Depends(require(*ARCHIVE_READERS, Role.CUSTOMER))]


async def _due(
    ctx: Ctx, exists: type[Customer] | type[Asset], key: str, which: object
) -> list[MaintenanceDue]:
    today = datetime.now(ZoneInfo(ctx.settings.timezone)).date()

    def load() -> list[MaintenanceDue] | None:
        with ctx.sessions() as session:
            if session.get(exists, key) is None:
                return None
            return maintenance_due(session, which, ctx.settings.timezone, today)

    found = await ctx.db(load)
    if found is None:
        noun = "customer" if exists is Customer else "asset with serial"
        raise Problem(404, f"there is no {noun} {key!r}")
    return found


@router.get("/customers/{customer_id}/maintenance", response_model=list[MaintenanceDue])
async def customer_maintenance(customer_id: str, ctx: Ctx, who: Reader) -> list[MaintenanceDue]:
    """The customer's assets with a maintenance interval, the soonest due first: the last
    inspection or repair, what the interval counts from, the next due day, overdue or not."""
    check_customer(who, customer_id)
    return await _due(ctx, Customer, customer_id, Asset.customer_id == customer_id)


@router.get("/assets/{serial}/maintenance", response_model=list[MaintenanceDue])
async def asset_maintenance(serial: str, ctx: Ctx, who: Reader) -> list[MaintenanceDue]:
    """The asset's next maintenance (an empty list: it has no interval)."""
    await check_asset(ctx, who, serial)
    return await _due(ctx, Asset, serial, Asset.serial == serial)

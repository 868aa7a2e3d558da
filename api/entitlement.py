"""`GET /v1/assets/{serial}/entitlement`: warranty and remedies on a date (SPEC §4)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from api.context import Anyone, Ctx
from api.ownership import check_asset
from api.problems import Problem
from db.entitlements import entitlement_for
from db.tables import Asset
from models.common import FaultCode
from models.entitlement import Entitlement

router = APIRouter(prefix="/v1/assets", tags=["warranty"])


@router.get("/{serial}/entitlement", response_model=Entitlement)
async def asset_entitlement(
    serial: str,
    ctx: Ctx,
    who: Anyone,
    on: Annotated[date | None, Query(alias="date", description="default: today")] = None,
    fault_code: Annotated[FaultCode | None, Query()] = None,
) -> Entitlement:
    """Warranty status, start and end, remedies (return / exchange / repair / replacement /
    paid_repair / rework) and whether the work is chargeable, for a fault reported on `date`."""
    await check_asset(ctx, who, serial)
    day = on or datetime.now(ZoneInfo(ctx.settings.timezone)).date()

    def compute() -> Entitlement | None:
        with ctx.sessions() as session:
            asset = session.get(Asset, serial)
            if asset is None:
                return None
            return entitlement_for(session, asset, day, fault_code, ctx.settings.timezone)

    result = await ctx.db(compute)
    if result is None:
        raise Problem(404, f"there is no asset with serial {serial!r}")
    return result

"""`POST /v1/sla/what-if`: a period's requests as they happened, under a proposed SLA profile,
beside what was recorded; `POST /v1/sla/replay-check`: the same period replayed under the
versions its requests ran on, which must change nothing (supervisors and admins)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from api.context import AppContext, Ctx
from api.kpis import Manager
from api.problems import Problem
from db.profiles import latest_profile, profile_version
from kpi.periods import Period
from kpi.what_if import compare
from models.errors import invalid_field
from models.profile import SlaProfile
from models.what_if import PeriodFilters, WhatIfRequest, WhatIfResult

router = APIRouter(prefix="/v1/sla", tags=["SLA"])


def _period(ctx: AppContext, filters: PeriodFilters) -> Period:
    try:
        return Period(filters.first, filters.last, ctx.settings.timezone)
    except ValueError as error:
        raise invalid_field("to", str(error)) from None


def proposal_of(ctx: AppContext, body: WhatIfRequest) -> tuple[SlaProfile, str]:
    if body.profile is not None:
        return body.profile, f"proposed profile {body.profile.name}"
    assert body.profile_name is not None  # the validator asks for one of them
    with ctx.sessions() as session:
        if body.version is None:
            stored = latest_profile(session, body.profile_name)
        else:
            profile = profile_version(session, body.profile_name, body.version)
            stored = (profile, body.version) if profile else None
    if stored is None:
        version = f" v{body.version}" if body.version else ""
        raise Problem(404, f"there is no SLA profile {body.profile_name}{version}")
    return stored[0], f"{body.profile_name} v{stored[1]}"


def compare_period(
    ctx: AppContext, filters: PeriodFilters, proposal: SlaProfile | None, label: str
) -> WhatIfResult:
    period = _period(ctx, filters)
    with ctx.sessions() as session:
        return compare(session, period, filters, proposal, label, datetime.now(UTC))


@router.post("/what-if", response_model=WhatIfResult)
async def what_if(body: WhatIfRequest, ctx: Ctx, who: Manager) -> WhatIfResult:
    """Compliance per clock and severity as recorded and under the proposal, and every clock
    whose outcome changes (met → breached and back)."""

    def run() -> WhatIfResult:
        proposal, label = proposal_of(ctx, body)
        return compare_period(ctx, body, proposal, label)

    return await ctx.db(run)


@router.post("/replay-check", response_model=WhatIfResult)
async def replay_check(body: PeriodFilters, ctx: Ctx, who: Manager) -> WhatIfResult:
    """The period replayed under the versions its requests ran on: `changed` is empty when
    the engine today gives every clock the outcome it had."""
    return await ctx.db(lambda: compare_period(ctx, body, None, "recorded versions"))

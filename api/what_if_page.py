"""`GET /reports/kpi/what-if`: the KPI page's what-if, a stored profile version against what
the period recorded (read-only, so a plain GET form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.context import AppContext, Ctx
from api.kpis import Manager, Params
from api.reports import BrowserAwareRoute
from api.what_if import compare_period, proposal_of
from db.profiles import stored_versions as profile_versions
from documents.kpi_view import PAGE, period_query
from documents.templating import report_pages
from models.what_if import WhatIfRequest

router = APIRouter(include_in_schema=False, route_class=BrowserAwareRoute)


def stored_versions(ctx: AppContext) -> list[tuple[str, int]]:
    """Every stored version that is not deleted, for the form's choice."""
    with ctx.sessions() as session:
        return [(row.name, row.version) for row in profile_versions(session)]


@router.get(f"{PAGE}/what-if", response_class=HTMLResponse)
async def what_if_page(
    ctx: Ctx,
    who: Manager,
    params: Params,
    profile: Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]* v\d+$")],
) -> HTMLResponse:
    """`profile`: "<name> v<version>", as the KPI page's form offers them."""
    period = params.period(ctx.settings.timezone)
    name, version = profile.rsplit(" v", 1)
    body = WhatIfRequest.model_validate(
        {"from": period.first, "to": period.last, "profile_name": name, "version": int(version)}
    )

    def run() -> str:
        proposal, label = proposal_of(ctx, body)
        result = compare_period(ctx, body, proposal, label)
        return report_pages.get_template("what_if.html").render(
            result=result, period=period, back=f"{PAGE}?{period_query(period)}", static="/static"
        )

    return HTMLResponse(await ctx.db(run))

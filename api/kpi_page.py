"""`GET /reports/kpi`: the KPI page (charts, tables, every figure a link), and
`/reports/kpi/requests`: the requests behind one figure. For supervisors and admins; a browser
without a key gets a readable page (`BrowserAwareRoute`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select

from api.context import AppContext, Ctx
from api.kpis import Figure, GroupKey, KpiQuery, Manager, Params, numbers_behind
from api.reports import BrowserAwareRoute
from api.what_if_page import stored_versions
from config import ROOT
from db.tables import Customer, Engineer, ServiceRequestRow
from documents.kpi_view import (
    GROUPINGS,
    PAGE,
    charts,
    clock_table,
    drill,
    period_query,
    service_table,
    tiles,
    trend_unit,
)
from documents.templating import local_time, report_pages
from kpi.engine import kpi_report
from kpi.periods import Period
from models.kpi import TIME_GROUPINGS, Grouping, KpiReport

STATIC = "/static"
router = APIRouter(include_in_schema=False, route_class=BrowserAwareRoute)
router.mount(STATIC, StaticFiles(directory=ROOT / "static"), name="static")


def _reports(ctx: AppContext, period: Period, grouping: Grouping | None) -> dict[str, KpiReport]:
    """The page's reports: its grouping's, and the trend, severity and region ones."""
    wanted: dict[str, Grouping | None] = {
        "table": grouping,
        "trend": trend_unit(period),
        "severity": "severity",
        "region": "region",
    }
    made: dict[Grouping | None, KpiReport] = {}
    with ctx.sessions() as session:
        for by in wanted.values():
            if by not in made:
                made[by] = kpi_report(session, period, by)
    return {name: made[by] for name, by in wanted.items()}


@router.get(PAGE, response_class=HTMLResponse)
async def kpi_page(ctx: Ctx, who: Manager, params: Params) -> HTMLResponse:
    period = params.period(ctx.settings.timezone)
    reports = await ctx.db(lambda: _reports(ctx, period, params.group_by))
    profiles = await ctx.db(lambda: stored_versions(ctx))
    table = reports["table"]
    untimed = params.group_by is None or params.group_by in TIME_GROUPINGS
    backlog = [
        entry.model_dump()
        | {
            "href": drill(
                period,
                None if untimed else params.group_by,
                f"backlog.{entry.stage}",
                None if untimed else entry.key,
            )
        }
        for entry in table.backlog
    ]
    html = report_pages.get_template("kpi.html").render(
        period=period,
        grouping=params.group_by,
        groupings=GROUPINGS,
        csv=f"/v1/kpis.csv?{period_query(period, params.group_by)}",
        tiles=tiles(table, period),
        charts=charts(period, reports["trend"], reports["severity"], reports["region"]),
        tables=[clock_table(table, period), service_table(table, period)],
        backlog=backlog,
        profiles=profiles,
        generated_at=table.generated_at.astimezone(ZoneInfo(period.timezone)).isoformat(
            timespec="seconds"
        ),
        static=STATIC,
    )
    return HTMLResponse(html)


@router.get(f"{PAGE}/requests", response_class=HTMLResponse)
async def requests_page(
    ctx: Ctx,
    who: Manager,
    params: Params,
    figure: Figure,
    key: GroupKey = None,
) -> HTMLResponse:
    period = params.period(ctx.settings.timezone)
    rows = await ctx.db(lambda: _rows(ctx, params, figure, key))
    html = report_pages.get_template("kpi_requests.html").render(
        figure=figure,
        key=key,
        period=period,
        rows=rows,
        back=f"{PAGE}?{period_query(period, params.group_by)}",
        static=STATIC,
    )
    return HTMLResponse(html)


def _rows(
    ctx: AppContext, params: KpiQuery, figure: str, key: str | None
) -> list[dict[str, object]]:
    numbers = numbers_behind(ctx, params, figure, key)
    R = ServiceRequestRow
    with ctx.sessions() as session:
        found = session.execute(
            select(R, Customer.name, Engineer.name)
            .outerjoin(Customer, Customer.id == R.customer_id)
            .outerjoin(Engineer, Engineer.id == R.engineer_id)
            .where(R.number.in_(numbers))
            .order_by(R.reported_at.desc())
        )
        return [
            {
                "number": r.number,
                "href": f"/v1/service-requests/{r.number}",
                "customer": customer or r.customer_id,
                "asset": r.asset_serial,
                "fault": r.fault_code or "",
                "severity": r.severity,
                "stage": r.stage,
                "engineer": engineer,
                "outcome": r.outcome,
                "reported": local_time(r.reported_at, ctx.settings.timezone),
            }
            for r, customer, engineer in found
        ]

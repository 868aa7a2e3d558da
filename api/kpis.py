"""`GET /v1/kpis` (JSON), `/v1/kpis.csv` and `/v1/kpis/requests` (the requests behind a
figure), for supervisors and admins. What each figure counts: the `kpi` package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.context import AppContext, Ctx, require
from api.csv_export import csv_response, flatten
from db.session import SessionFactory
from kpi.engine import UnknownFigure, kpi_report, requests_behind
from kpi.periods import Period
from models.errors import invalid_field
from models.kpi import Grouping, KpiReport
from models.lifecycle import Role

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])
#: The period when none is given: the last 30 days, today included.
DEFAULT_DAYS = 30
Manager = Annotated[Any, Depends(require(Role.SUPERVISOR, Role.ADMIN))]


@dataclass(frozen=True)
class KpiQuery:
    """`from` and `to`: days in the service time zone, both included (default: the 30 days
    to today); `group_by`: one of the groupings, or none for the totals only."""

    first: date | None
    last: date | None
    group_by: Grouping | None

    def period(self, timezone: str) -> Period:
        today = datetime.now(ZoneInfo(timezone)).date()
        last = self.last or max(today, self.first or today)
        first = self.first or last - timedelta(days=DEFAULT_DAYS - 1)
        try:
            return Period(first, last, timezone)
        except ValueError as error:
            raise invalid_field("to" if self.last else "from", str(error)) from None


def kpi_query(
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    group_by: Grouping | None = None,
) -> KpiQuery:
    return KpiQuery(first, last, group_by)


Params = Annotated[KpiQuery, Depends(kpi_query)]
#: `figure`: a figure of the report (`clocks.response.breached`); `key`: one of its groups.
Figure = Annotated[str, Query(max_length=80)]
GroupKey = Annotated[str | None, Query(max_length=120)]


def report_for(sessions: SessionFactory, period: Period, grouping: Grouping | None) -> KpiReport:
    with sessions() as session:
        return kpi_report(session, period, grouping)


@router.get("", response_model=KpiReport)
async def kpis(ctx: Ctx, who: Manager, params: Params) -> KpiReport:
    """The KPIs of the period, per group of `group_by` and in total, with the backlog now and
    each engineer's load."""
    period = params.period(ctx.settings.timezone)
    return await ctx.db(lambda: report_for(ctx.sessions, period, params.group_by))


@router.get(".csv", response_class=StreamingResponse)
async def kpis_csv(ctx: Ctx, who: Manager, params: Params) -> StreamingResponse:
    """The same figures as a spreadsheet: a row per group and a last row of totals (UTF-8
    with a byte-order mark, which Excel needs to read Chinese)."""
    period = params.period(ctx.settings.timezone)
    report = await ctx.db(lambda: report_for(ctx.sessions, period, params.group_by))
    rows = [flatten(group.model_dump(mode="json")) for group in [*report.groups, report.total]]
    name = f"kpi-{period.first}-{period.last}-{params.group_by or 'total'}.csv"
    return csv_response(iter(rows), list(rows[0]) if rows else [], name)


class Behind(BaseModel):
    figure: str
    key: str | None
    numbers: list[str]


@router.get("/requests", response_model=Behind)
async def behind(
    ctx: Ctx,
    who: Manager,
    params: Params,
    figure: Figure,
    key: GroupKey = None,
) -> Behind:
    """The request numbers a figure counts, e.g. `figure=clocks.response.breached`,
    `requests.first_time_fixes`, `escalations.2` or `backlog`; `key` names the group."""
    return Behind(
        figure=figure,
        key=key,
        numbers=await ctx.db(lambda: numbers_behind(ctx, params, figure, key)),
    )


def numbers_behind(ctx: AppContext, params: KpiQuery, figure: str, key: str | None) -> list[str]:
    period = params.period(ctx.settings.timezone)
    with ctx.sessions() as session:
        try:
            return requests_behind(session, period, params.group_by, figure, key)
        except UnknownFigure as error:
            raise invalid_field(error.field, error.reason) from None

"""`GET /v1/service-requests.csv`: the list (with its filters and the person's scope) as a
spreadsheet, every matching request, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.context import Ctx
from api.csv_export import csv_response
from api.service_requests import NEWEST_FIRST, Filters
from db.session import SessionFactory
from db.tables import Customer, Engineer, ServiceRequestRow

router = APIRouter(tags=["service requests"])
R = ServiceRequestRow
COLUMNS = (
    "number", "type", "stage", "severity", "region", "customer_id", "customer_name",
    "asset_serial", "fault_code", "engineer_id", "engineer_name", "sla_status", "breached",
    "next_deadline", "reported_at", "registered_at", "closed_at", "outcome",
)  # fmt: skip
#: Rows fetched at a time while the file streams.
BATCH = 1000


@router.get("/v1/service-requests.csv", response_class=StreamingResponse)
async def requests_csv(ctx: Ctx, filters: Filters) -> StreamingResponse:
    """Every request the list would show (no pages), instants in the service time zone."""
    zone = ZoneInfo(ctx.settings.timezone)
    return csv_response(_rows(ctx.sessions, filters, zone), COLUMNS, "service-requests.csv")


def _rows(sessions: SessionFactory, filters: list[Any], zone: ZoneInfo) -> Iterator[dict[str, Any]]:
    query = (
        select(R, Customer.name, Engineer.name)
        .outerjoin(Customer, Customer.id == R.customer_id)
        .outerjoin(Engineer, Engineer.id == R.engineer_id)
        .where(*filters)
        .order_by(*NEWEST_FIRST)
        .execution_options(yield_per=BATCH)
    )
    with sessions() as session:
        for row, customer, engineer in session.execute(query):
            yield {
                name: _cell(getattr(row, name, None), zone)
                for name in COLUMNS
                if name not in ("customer_name", "engineer_name")
            } | {"customer_name": customer, "engineer_name": engineer}


def _cell(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    return value

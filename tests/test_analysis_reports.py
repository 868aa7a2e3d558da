"""Periodic analysis reports: the period each kind reports on (exact dates), and the monthly
schedule on the dev server triggered twice in one month making one report and one message,
listed and downloaded as a Chinese PDF through the API."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from temporalio.service import RPCError

from db.tables import AnalysisReportRow, Notification
from kpi.periods import ended_before
from models.analysis import report_id, schedule_id
from models.lifecycle import Role
from schedules.analysis import build_analysis_schedule, ensure_analysis_schedules
from tests.workflow_helpers import TASK_QUEUE, eventually

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        ("weekly", date(2026, 12, 2), date(2026, 11, 23), date(2026, 11, 29)),
        ("weekly", date(2026, 11, 30), date(2026, 11, 23), date(2026, 11, 29)),
        ("monthly", date(2026, 12, 1), date(2026, 11, 1), date(2026, 11, 30)),
        ("monthly", date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        ("half_yearly", date(2026, 7, 1), date(2026, 1, 1), date(2026, 6, 30)),
        ("half_yearly", date(2026, 1, 1), date(2025, 7, 1), date(2025, 12, 31)),
    ],
)
def test_each_report_covers_the_period_that_just_ended(kind, day, first, last):
    period = ended_before(kind, day, TZ)
    assert (period.first, period.last) == (first, last)


def test_the_schedules_fire_at_seven_on_the_first_day_of_their_period():
    half = build_analysis_schedule("half_yearly", TZ, "q").spec.calendars[0]
    assert [r.start for r in half.month] == [1, 7] and [r.start for r in half.hour] == [7]
    weekly = build_analysis_schedule("weekly", TZ, "q").spec.calendars[0]
    assert [r.start for r in weekly.day_of_week] == [1]


async def test_triggered_twice_in_a_month_one_report_and_one_message(
    dev_client, sessions, api_url, api_keys
):
    handle = dev_client.get_schedule_handle(schedule_id("monthly"))
    with contextlib.suppress(RPCError):  # left by an earlier `sync-schedules` of the session
        await handle.delete()
    created = await ensure_analysis_schedules(dev_client, ("monthly",), TZ, TASK_QUEUE)
    assert created == [schedule_id("monthly")]
    assert await ensure_analysis_schedules(dev_client, ("monthly",), TZ, TASK_QUEUE) == []
    first = ended_before("monthly", _local_today(), TZ).first  # a trigger runs now
    rid = report_id("monthly", first)

    async def runs() -> list[str]:
        info = (await handle.describe()).info
        return [a.action.workflow_id for a in info.recent_actions]

    for n in (1, 2):
        await handle.trigger()
        [*_, latest] = await eventually(lambda n=n: _at_least(runs, n))
        assert await dev_client.get_workflow_handle(latest).result() == rid
    with sessions() as session:
        reports = session.scalar(
            select(func.count()).select_from(AnalysisReportRow).where(AnalysisReportRow.id == rid)
        )
        messages = session.scalars(
            select(Notification).where(Notification.key == f"analysis-report:{rid}")
        ).all()
    assert reports == 1 and len(messages) == 1
    assert "manager@" in " ".join(messages[0].addresses)
    assert f"/v1/reports/{rid}.pdf" in (messages[0].body or "")

    headers = {"Authorization": f"Bearer {api_keys[Role.SUPERVISOR]}"}
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=30) as http:
        listed = await http.get("/v1/reports")
        assert rid in [r["id"] for r in listed.json()]
        pdf = await http.get(f"/v1/reports/{rid}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "服务月报" in text and first.isoformat() in text
        assert (await http.get("/v1/reports/monthly-1999-01-01.pdf")).status_code == 404
    await handle.delete()


async def _at_least(runs, n: int) -> list[str] | None:
    found = await runs()
    return found if len(found) >= n else None


def _local_today() -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo(TZ)).date()

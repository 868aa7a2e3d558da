"""`/v1/kpis`, `/v1/kpis.csv`, `/v1/kpis/requests` and the KPI page over real HTTP, on the
hand-built week (`tests/kpi_dataset.py`) in a database of its own; the page in Debian
Chromium: charts render, nothing leaves the machine, no console error, every figure links to
its requests. Screenshots in tests/artifacts/."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from config import Settings
from db.demo import STANDARD_PROFILE, load_demo
from db.profiles import load_profile_file, store_profile
from db.session import create_schema, session_factory, transaction
from identity.keys import create_api_key
from models.lifecycle import Role
from models.profile import SlaProfile
from tests.conftest import fresh_database, serve
from tests.kpi_dataset import build
from tests.test_docs_browser import DESKTOP, PHONE, browser_page
from tests.test_signing_browser import ARTIFACTS

WEEK = "from=2026-03-02&to=2026-03-08"


@dataclass(frozen=True)
class Served:
    url: str
    numbers: dict[str, str]
    keys: dict[Role, str]


@pytest.fixture(scope="module")
async def served(database_url: str, settings: Settings, tmp_path_factory) -> AsyncIterator[Served]:
    with fresh_database(database_url, tmp_path_factory.mktemp("kpi-api")) as engine:
        create_schema(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            load_demo(session)
            keys = {
                role: create_api_key(session, role, f"kpi {role}").key
                for role in (Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
            }
            tight = load_profile_file(STANDARD_PROFILE).model_dump(mode="json")
            tight["targets"]["response"]["1"]["minutes"] = 15
            store_profile(session, SlaProfile.model_validate(tight | {"name": "tight"}))
        own = replace(settings, database_url=engine.url.render_as_string(hide_password=False))
        numbers = build(sessions, own)
        async with serve(own, None) as url:
            yield Served(url, numbers, keys)


async def get(served: Served, path: str, role: Role = Role.SUPERVISOR) -> httpx.Response:
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        return await http.get(path, headers={"Authorization": f"Bearer {served.keys[role]}"})


async def test_the_kpis_as_json_for_the_week(served):
    r = await get(served, f"/v1/kpis?{WEEK}&group_by=engineer")
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["first"], report["last"], report["group_by"]) == (
        "2026-03-02",
        "2026-03-08",
        "engineer",
    )
    assert report["total"]["clocks"]["response"]["compliance"] == 83.3
    assert report["total"]["requests"]["first_time_fix_rate"] == 66.7
    assert {g["key"] for g in report["groups"]} == {"E001", "E003", "—"}
    assert (await get(served, f"/v1/kpis?{WEEK}", Role.ADMIN)).status_code == 200


async def test_bad_periods_and_groupings_are_422_and_other_roles_403(served):
    for query, field in (
        ("from=2026-03-08&to=2026-03-02", "to"),
        ("from=2026-03-02&to=2026-03-99", "to"),
        ("from=2020-01-01&to=2026-03-02", "to"),
        (f"{WEEK}&group_by=planet", "group_by"),
    ):
        r = await get(served, f"/v1/kpis?{query}")
        assert r.status_code == 422, (query, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.text, (query, r.text)
    r = await get(served, f"/v1/kpis/requests?{WEEK}&figure=clocks.nope.met")
    assert r.status_code == 422 and "figure" in r.text
    r = await get(served, f"/v1/kpis/requests?{WEEK}&group_by=day&key=2027-01-01&figure=backlog")
    assert r.status_code == 422 and "key" in r.text
    assert (await get(served, f"/v1/kpis?{WEEK}", Role.DISPATCHER)).status_code == 403


async def test_the_requests_behind_a_figure(served):
    r = await get(served, f"/v1/kpis/requests?{WEEK}&figure=requests.repeat_repairs")
    assert r.status_code == 200 and r.json()["numbers"] == [served.numbers["E"]]


async def post(
    served: Served, path: str, body: dict[str, Any], role: Role = Role.SUPERVISOR
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        return await http.post(
            path, json=body, headers={"Authorization": f"Bearer {served.keys[role]}"}
        )


async def test_what_if_a_tighter_response_target(served):
    week = {"from": "2026-03-02", "to": "2026-03-08"}
    r = await post(served, "/v1/sla/replay-check", week)
    assert r.status_code == 200, r.text
    assert (r.json()["requests"], r.json()["changed"]) == (6, [])
    assert (await post(served, "/v1/sla/what-if", week | {"profile_name": "standard"})).json()[
        "changed"
    ] == []
    tight = load_profile_file(STANDARD_PROFILE).model_dump(mode="json")
    tight["targets"]["response"]["1"]["minutes"] = 15
    r = await post(served, "/v1/sla/what-if", week | {"profile": tight})
    assert r.status_code == 200, r.text
    # A was answered in 20 minutes (breached now); E in exactly 15 (still met); C was late.
    assert [
        (c["number"], c["clock"], c["recorded"], c["proposed"]) for c in r.json()["changed"]
    ] == [(served.numbers["A"], "response", "met", "breached")]
    [response_1] = [
        c for c in r.json()["comparisons"] if c["clock"] == "response" and c["severity"] == 1
    ]
    assert (response_1["recorded"]["compliance"], response_1["proposed"]["compliance"]) == (
        66.7,
        33.3,
    )


async def test_what_if_refuses_a_period_too_big_to_replay(served, monkeypatch):
    monkeypatch.setattr("kpi.what_if.MAX_REQUESTS", 5)
    week = {"from": "2026-03-02", "to": "2026-03-08", "profile_name": "standard"}
    r = await post(served, "/v1/sla/what-if", week)
    assert r.status_code == 422 and "holds 6 requests" in r.text, r.text
    assert (await post(served, "/v1/sla/what-if", week | {"severity": 1})).status_code == 200


async def test_what_if_refuses_what_it_cannot_answer(served):
    week = {"from": "2026-03-02", "to": "2026-03-08"}
    tight = load_profile_file(STANDARD_PROFILE).model_dump(mode="json")
    for body, status, says in (
        (week, 422, "profile_name"),
        (week | {"profile": tight, "profile_name": "standard"}, 422, "profile_name"),
        (week | {"profile_name": "nope"}, 404, "nope"),
        (week | {"profile_name": "standard", "version": 99}, 404, "v99"),
        ({"from": "2026-03-08", "to": "2026-03-01", "profile_name": "standard"}, 422, "to"),
    ):
        r = await post(served, "/v1/sla/what-if", body)
        assert r.status_code == status and says in r.text, (body, r.text)
    assert (
        await post(served, "/v1/sla/what-if", week | {"profile_name": "standard"}, Role.DISPATCHER)
    ).status_code == 403


async def test_the_kpis_as_a_spreadsheet(served):
    r = await get(served, f"/v1/kpis.csv?{WEEK}&group_by=severity")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    rows = list(csv.DictReader(io.StringIO(r.text.removeprefix("\ufeff"))))
    # "—": the hotline complaint, about no request and so of no severity
    assert [row["key"] for row in rows] == ["1", "2", "—", "all"]
    assert rows[-1]["label"] == "合计"
    assert rows[-1]["clocks.response.breached"] == "1"
    assert rows[0]["requests.closed"] == "3"


@asynccontextmanager
async def kpi_page(served: Served, viewport: dict[str, int], name: str) -> AsyncIterator[Page]:
    """The page of the week by day, its charts drawn; on leaving, nothing went outside, no
    request failed and the console stayed clean."""
    headers = {"Authorization": f"Bearer {served.keys[Role.SUPERVISOR]}"}
    errors: list[str] = []
    async with browser_page(viewport, extra_http_headers=headers, locale="zh-CN") as (
        page,
        traffic,
    ):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(f"{served.url}/reports/kpi?{WEEK}&group_by=day")
        for chart in ("compliance", "breaches_by_severity", "breaches_by_region", "load"):
            drawn = page.locator(f'.chart[data-chart="{chart}"] svg path')
            await drawn.first.wait_for(state="attached", timeout=15_000)
            assert await drawn.count() > 5, chart
        await page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        yield page
        assert traffic.outside == [] and traffic.failed == [], traffic
        assert errors == []


async def test_the_kpi_page_draws_its_charts_offline(served):
    async with kpi_page(served, DESKTOP, "kpi-desktop.png") as page:
        await _follow_a_figure(served, page)


async def _follow_a_figure(served: Served, page: Page) -> None:
    assert "考核指标 KPIs" in await page.inner_text("h1")
    tiles = await page.locator(".tile .value").all_inner_texts()
    assert tiles[:4] == ["4", "83.3 %", "100 %", "66.7 %"]
    # The week's response clocks by day; a count opens the requests it counts.
    await page.get_by_role("link", name="83.3 %", exact=True).click()
    await page.wait_for_url("**/reports/kpi/requests?**")
    assert await page.locator("tbody tr td:first-child").all_inner_texts() == [served.numbers["C"]]
    await page.screenshot(path=str(ARTIFACTS / "kpi-requests-desktop.png"), full_page=True)


async def test_the_what_if_form_compares_a_stored_profile(served):
    async with kpi_page(served, DESKTOP, "kpi-desktop-what-if-form.png") as page:
        await page.select_option("select[name=profile]", "tight v1")
        await page.get_by_role("button", name="计算 Compare").click()
        await page.wait_for_url("**/reports/kpi/what-if?**")
        changed = page.locator("tr.changed td:first-child")
        assert await changed.all_inner_texts() == [served.numbers["A"]]
        assert "tight v1" in await page.inner_text("h1")
        await page.screenshot(path=str(ARTIFACTS / "kpi-what-if-desktop.png"), full_page=True)


async def test_the_kpi_page_on_a_phone(served):
    async with kpi_page(served, PHONE, "kpi-phone.png") as page:
        width = await page.evaluate("document.querySelector('.charts figure').clientWidth")
        assert width <= PHONE["width"]

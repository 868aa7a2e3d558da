"""The status page in a real browser (headless Debian Chromium, driven by Playwright) on a phone:
the customer reads where the request stands, escalates it with a reason and sees who was told,
and the page never reaches beyond this server. Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from models.lifecycle import Role
from tests.test_quote_browser import PHONE, in_first_screen, phone
from tests.test_signing_browser import ARTIFACTS
from tests.test_status_page import status_path


async def test_a_customer_escalates_on_a_phone(api_url, as_role, sessions):
    number, path = await status_path(as_role, sessions)
    async with phone() as (page, outside):
        await page.goto(f"{api_url}{path}")
        assert number in await page.inner_text("h1")
        assert "已登记 Registered" in await page.inner_text("#stage")
        assert "响应 Response" in await page.inner_text("#clocks")
        await in_first_screen(page, "#stage")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.screenshot(path=str(ARTIFACTS / "status-page.png"), full_page=True)

        await page.click("#escalate")  # no reason yet: said on the page, nothing sent
        assert "请写明升级原因" in await page.inner_text("#error")
        await page.fill("#reason", "两小时了还没人联系 nobody called in two hours")
        await page.click("#escalate")
        await page.wait_for_selector("#escalated")
        assert "已通知主管 Supervisor" in await page.inner_text("#escalated")
        assert "两小时了还没人联系" in await page.inner_text("#escalations")
        await in_first_screen(page, "#escalated")
        await page.screenshot(path=str(ARTIFACTS / "status-escalated.png"), full_page=True)
        assert outside == []

    state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert [e["level"] for e in state["customer_escalations"]] == [1]

"""The engineer records a revisit visit on the request page, in Chromium: the answers, a hidden
fault found, and the link to the repair request it opened."""

from __future__ import annotations

from models.lifecycle import Role
from tests.test_api import register
from tests.test_web_browser import shoot, signed_in


async def test_the_engineer_records_a_visit_and_follows_the_hidden_fault_s_repair(
    api_url, api_keys, as_role
):
    number = await register(as_role, type="revisit_visit", fault_code="REVISIT_VISIT", severity=4)
    for role, action, body in (
        (Role.SUPPORT, "acknowledge", {}),
        (Role.SUPPORT, "diagnose", {"outcome": "needs_onsite", "notes": "quarterly visit"}),
        (Role.DISPATCHER, "assign", {"engineer_id": "E001"}),
        (Role.ENGINEER, "check-in", {}),
    ):
        answer = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=body)
        assert answer.status_code == 200, answer.text
    async with signed_in(api_url, api_keys[Role.ENGINEER]) as (page, _):
        await page.goto(f"{api_url}/app/requests/{number}")
        form = page.locator("#act-record-visit")
        await form.locator("summary").click()
        await form.locator("select[name=satisfaction]").select_option("4")
        await form.locator("select[name=solved]").select_option("true")
        await form.locator("select[name=attitude]").select_option("5")
        await form.locator("input[name='hidden_fault.fault_code']").fill("LENS_FOGGED")
        await form.locator("textarea[name='hidden_fault.description']").fill("镜头起雾 fogging")
        await form.locator("select[name='hidden_fault.severity']").select_option("3")
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        visit = page.locator("dd.visit")
        await visit.wait_for()
        assert "LENS_FOGGED: 镜头起雾 fogging" in await visit.inner_text()
        await shoot(page, "visit-recorded")
        repair = await visit.get_by_role("link").get_attribute("href")
        assert repair is not None and repair.startswith("/app/requests/SR-")
    # The repair is nobody's job yet: the supervisor (not this engineer) sees it.
    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as (page, _):
        await page.goto(f"{api_url}{repair}")
        assert "回访发现隐患 hidden fault found on the visit" in await page.content()
        assert number in await page.content()

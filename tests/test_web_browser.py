"""Every role's main path through the staff web app in Debian Chromium: intake registers,
support diagnoses, the dispatcher assigns on the board, the engineer schedules, checks in and
reports on a 390×844 phone and hands it to the customer, who signs; the revisit agent records
the answer; the supervisor finds the breached request at the top of the board and answers a
complaint; the admin edits the archive and issues a key with a password. A form without its
CSRF token is refused; nothing leaves the machine. Screenshots of every page, at phone and
desktop size, in tests/artifacts/app-*.png."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Page

from models.lifecycle import Role
from tests.test_docs_browser import DESKTOP, PHONE, Traffic, browser_page
from tests.test_signing_browser import ARTIFACTS, ZONE, draw_signature
from tests.workflow_helpers import eventually


@asynccontextmanager
async def signed_in(
    api_url: str, key: str, viewport: dict[str, int] = DESKTOP
) -> AsyncIterator[tuple[Page, Traffic]]:
    """A browser of its own, signed in with `key` through the sign-in page."""
    async with browser_page(viewport) as (page, traffic):
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(f"{api_url}/app")
        assert "/app/sign-in" in page.url
        await page.fill("input[name=key]", key)
        await page.click("button[type=submit].primary")
        await page.wait_for_load_state()
        yield page, traffic
        assert traffic.outside == [], traffic.outside
        assert [e for e in errors if "403" not in e and "422" not in e] == []


async def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"app-{name}.png"), full_page=True)


def auth(api_keys, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_keys[role]}"}


async def state_of(http: httpx.AsyncClient, api_keys, number: str) -> dict:
    answer = await http.get(
        f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR)
    )
    return answer.json()


async def test_a_request_from_the_call_to_the_revisit_through_the_pages(api_url, api_keys, http):
    fault = f"WEB_{secrets.token_hex(3).upper()}"
    # ---- intake: find the caller, see the entitlement, register
    async with signed_in(api_url, api_keys[Role.INTAKE]) as (page, _):
        assert page.url.endswith("/app/intake")
        await page.fill("input[name=q]", "SN-1001")
        await page.locator("#matches a", has_text="SN-1001").first.wait_for()  # htmx, live
        await page.locator("#matches a", has_text="SN-1001").first.click()
        await page.wait_for_selector("p.entitlement")
        assert "保修期内" in await page.inner_text("p.entitlement")
        form = page.locator("#register")
        assert await form.locator("input[name=customer_id]").input_value() == "C001"
        await form.locator("select[name=severity]").select_option("2")
        await form.locator("input[name=fault_code]").fill(fault)
        await form.locator("textarea[name=description]").fill("3号摄像机黑屏 camera 3 is black")
        await form.locator("input[name='contact.name']").fill("王强")
        await form.locator("input[name='contact.phone']").fill("+86 532 8000 1001")
        await shoot(page, "intake-desktop")
        await form.locator("button[type=submit]").click()
        await page.wait_for_selector("#saved")
        heading = await page.inner_text("#saved h2")
        assert heading.startswith("已登记 Registered: SR-")
        number = heading.rsplit(" ", 1)[-1]
        assert await page.locator("#saved tr[data-clock=response]").count() == 1
        await shoot(page, "intake-saved-desktop")

    # ---- support: acknowledge, then diagnose (and a form without its CSRF token)
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as (page, _):
        assert page.url.endswith("/app/support")
        card = page.locator(f"#job-{number}")
        await card.locator("details#act-acknowledge summary").click()
        await card.locator("details#act-acknowledge button[type=submit]").click()
        await page.wait_for_load_state()
        card = page.locator(f"#job-{number}")
        await card.locator("details#act-diagnose summary").click()
        await card.locator("#act-diagnose select[name=outcome]").select_option("needs_onsite")
        await card.locator("#act-diagnose textarea[name=notes]").fill("镜头故障 lens fault")
        # the token removed, as a forged form from another site would lack it
        await card.locator("#act-diagnose input[name=csrf_token]").evaluate("e => e.remove()")
        await card.locator("#act-diagnose button[type=submit]").click()
        await page.wait_for_load_state()
        assert "CSRF" in await page.inner_text("main")
        await shoot(page, "csrf-refused-desktop")
        assert (await state_of(http, api_keys, number))["stage"] == "diagnosing"
        await page.goto(f"{api_url}/app/support")
        card = page.locator(f"#job-{number}")
        await card.locator("details#act-diagnose summary").click()
        await card.locator("#act-diagnose select[name=outcome]").select_option("needs_onsite")
        await card.locator("#act-diagnose textarea[name=notes]").fill("镜头故障 lens fault")
        amounts = card.locator("#act-diagnose input[name$='.amount']")
        await amounts.nth(0).fill("1200")
        await amounts.nth(1).fill("80.5")
        assert await card.locator("#act-diagnose output.total").inner_text() == "1280.50"
        await shoot(page, "support-desktop")
        await amounts.nth(0).fill("")  # in warranty: no quote after all
        await amounts.nth(1).fill("")
        await card.locator("#act-diagnose button[type=submit]").click()
        await page.wait_for_load_state()
        assert await page.locator(f"#job-{number}").count() == 0  # on to dispatch
        assert (await state_of(http, api_keys, number))["stage"] == "awaiting_dispatch"

    # ---- dispatcher: the qualified engineers, auto-assign's choice first; assign E001
    async with signed_in(api_url, api_keys[Role.DISPATCHER]) as (page, _):
        card = page.locator(f"#job-{number}")
        candidates = card.locator("ol.candidates li")
        assert await candidates.count() >= 1
        assert "自动派工首选" in await candidates.first.inner_text()
        await shoot(page, "dispatch-desktop")
        await card.locator("li[data-engineer=E001] button").click()
        await page.wait_for_load_state()
        assert "E001" in await page.inner_text("#engineer-E001")
        assert number in await page.inner_text("#engineer-E001")
        assert (await state_of(http, api_keys, number))["engineer"] == "E001"

    # ---- engineer on a phone: schedule, check in, report, hand over for the signature
    async with signed_in(api_url, api_keys[Role.ENGINEER], PHONE) as (page, _):
        assert page.url.endswith("/app/my-jobs")
        card = page.locator(f"#job-{number}")
        assert "到场时限" in await card.inner_text()
        await shoot(page, "my-jobs-phone")
        visit = (datetime.now(UTC) + timedelta(hours=1)).astimezone(ZONE)
        await card.locator("#act-schedule-visit summary").click()
        await card.locator("#act-schedule-visit input[name=appointment_at]").fill(
            visit.strftime("%Y-%m-%dT%H:%M")
        )
        await card.locator("#act-schedule-visit button[type=submit]").click()
        await page.wait_for_load_state()
        card = page.locator(f"#job-{number}")
        assert visit.strftime("%Y-%m-%d %H:%M") in await card.inner_text()
        await card.locator("#act-check-in summary").click()
        await card.locator("#act-check-in button[type=submit]").click()
        await page.wait_for_load_state()
        card = page.locator(f"#job-{number}")
        await card.locator("#act-report-repair summary").click()
        report = card.locator("#act-report-repair")
        await report.locator("select[name=result]").select_option("fixed")
        await report.locator("textarea[name=work_done]").fill("更换镜头 replaced the lens")
        await report.locator("input[name='parts.0.part_no']").fill("LENS-01")
        await report.locator("input[name='parts.0.qty']").fill("1")
        await report.locator("textarea[name=test_result]").fill("画面正常 picture ok")
        await shoot(page, "report-repair-phone")
        await report.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        hand_over = page.locator(f"#job-{number} a.button", has_text="交给客户签字")
        await hand_over.click()
        await page.wait_for_selector("#pad")
        await page.fill("#signer", "王强")
        await draw_signature(page)
        await page.check("input[name=quality][value='5']")
        await page.check("input[name=attitude][value='5']")
        await page.click("#submit")
        await page.wait_for_selector("text=谢谢！已签字确认")
    state = await state_of(http, api_keys, number)
    assert state["stage"] == "following_up" and state["repair"]["parts"][0]["part_no"] == "LENS-01"

    # ---- revisit agent: the call, and the answers
    async with signed_in(api_url, api_keys[Role.REVISIT]) as (page, _):
        await page.goto(f"{api_url}/app/revisits?ahead=30")
        call = page.locator("article[data-call]", has=page.locator(f"a:text('{number}')"))
        await call.wait_for()
        await call.locator("summary").click()
        await call.locator("select[name=satisfaction]").select_option("5")
        await call.locator("select[name=solved]").select_option("true")
        await call.locator("select[name=attitude]").select_option("4")
        await shoot(page, "revisits-desktop")
        await call.locator("button[type=submit]").click()
        await page.wait_for_selector("p.flash")
    final = await eventually(lambda: _completed(http, api_keys, number))
    assert final["revisits"][0]["satisfaction"] == 5


async def _completed(http, api_keys, number):
    found = await state_of(http, api_keys, number)
    return found if found["stage"] == "completed" else None


async def test_the_supervisor_sees_the_breach_first_and_answers_a_complaint(
    api_url, api_keys, person_keys, http, own_customer
):
    intake = auth(api_keys, Role.INTAKE)
    base = {
        "channel": "phone",
        "customer_id": own_customer,
        "asset_serial": f"{own_customer}-1",
        "force_new": True,
    }
    on_track = await http.post(
        "/v1/service-requests",
        json=base | {"severity": 3, "fault_code": "NO_SOUND", "description": "today"},
        headers=intake,
    )
    # reported two days ago: its response clock is long past due, and breaches at once
    late = await http.post(
        "/v1/service-requests",
        json=base
        | {
            "severity": 2,
            "fault_code": "NO_PICTURE",
            "description": "两天前报修",
            "reported_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        },
        headers=intake,
    )
    breached = late.json()["number"]
    complaint = await http.post(
        "/v1/service-requests",
        json={
            "type": "complaint",
            "channel": "phone",
            "customer_id": own_customer,
            "description": "工程师迟到 the engineer was late",
        },
        headers=intake,
    )
    assert on_track.status_code == late.status_code == complaint.status_code == 201
    complaint_number = complaint.json()["number"]

    async def breach_recorded():
        found = await http.get(
            "/v1/service-requests",
            params={"customer": own_customer, "sla_status": "breached"},
            headers=auth(api_keys, Role.SUPERVISOR),
        )
        return found.json()["total"] == 1

    await eventually(breach_recorded)

    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as (page, _):
        await page.goto(f"{api_url}/app?customer={own_customer}")
        rows = page.locator("table.work tbody tr")
        assert await rows.count() == 2
        assert await rows.first.get_attribute("data-number") == breached
        assert "sla-breached" in (await rows.first.get_attribute("class") or "")
        assert "超时 Overdue" in await rows.first.locator("td.left").inner_text()
        workflow = rows.first.locator("a", has_text="工作流")
        assert (await workflow.get_attribute("href") or "").endswith(
            f"/workflows/service-request-{breached}"
        )
        await shoot(page, "board-desktop")

        card = page.locator(f"#complaint-{complaint_number}")
        await eventually(lambda: _reloaded_until(page, card))
        await card.locator("textarea[name=response]").fill("已致电致歉并安排回访 apologised")
        await card.locator("button[type=submit]").click()
        await page.wait_for_selector("p.flash")
        assert await page.locator(f"#complaint-{complaint_number}").count() == 0

        await page.click(f"a:text('{breached}')")
        await page.wait_for_selector("table.clocks")
        response_row = page.locator("tr[data-clock=response]")
        assert "超时" in await response_row.inner_text()
        assert await response_row.locator(".plan").count() >= 1  # its plan, kept
        await shoot(page, "request-desktop")
        await page.set_viewport_size(PHONE)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        await shoot(page, "request-phone")

    answered = await http.get(
        f"/v1/complaints/{complaint_number}", headers=auth(api_keys, Role.SUPERVISOR)
    )
    assert answered.json()["status"] == "responded"

    # an engineer it is not assigned to gets no page for it, only the refusal
    async with signed_in(api_url, person_keys["E002"], PHONE) as (page, _):
        refused = await page.goto(f"{api_url}/app/requests/{breached}")
        assert refused is not None and refused.status == 403
        assert "无权操作" in await page.inner_text("main")
        assert "only the assigned engineer" in await page.inner_text("main")
        await shoot(page, "not-yours-phone")


async def _reloaded_until(page: Page, locator) -> bool:
    if await locator.count():
        return True
    await page.reload()
    return False


async def test_the_admin_keeps_the_archive_and_issues_a_key_with_a_password(api_url, api_keys):
    engineer = f"EW{secrets.token_hex(2).upper()}"
    async with signed_in(api_url, api_keys[Role.ADMIN]) as (page, _):
        assert page.url.endswith("/app")  # the admin's board
        await page.goto(f"{api_url}/app/admin")
        await shoot(page, "admin-desktop")
        await page.goto(f"{api_url}/app/admin/engineers/new")
        record = page.locator("#record")
        await record.locator("input[name=id]").fill(engineer)
        await record.locator("input[name=name]").fill("赵磊")
        await record.locator("input[name=phone]").fill("not a phone")
        # a skill and region nobody asks for: the session's other tests never auto-assign them
        await record.locator("input[name=skills]").fill("projector, display")
        await record.locator("input[name=regions]").fill("weihai")
        await record.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        invalid = page.locator(".field.invalid", has=page.locator("input[name=phone]"))
        assert await invalid.count() == 1  # the API's message, next to its field
        assert await invalid.locator("small.error").inner_text()
        await shoot(page, "admin-record-error-desktop")
        await page.locator("#record input[name=phone]").fill("+86 139 0000 0000")
        await page.locator("#record button[type=submit]").click()
        await page.wait_for_selector("p.flash")
        assert engineer in await page.inner_text("#engineers")

        issue = page.locator("#keys details.action", has_text="发放密钥")
        await issue.locator("summary").click()
        await issue.locator("select[name=role]").select_option("engineer")
        await issue.locator("input[name=engineer_id]").fill(engineer)
        await issue.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        await page.wait_for_selector("#issued")
        secret = await page.inner_text("#issued code")
        assert secret.startswith("as_engineer_")
        row = page.locator("#keys tr", has_text="赵磊")
        await row.locator("summary").click()
        await row.locator("input[name=login]").fill(engineer.lower())
        await row.locator("input[name=password]").fill("a long password")
        await row.locator("button.primary").click()
        await page.wait_for_selector("p.flash")

    async with browser_page(PHONE) as (page, _):  # the new engineer signs in with it
        await page.goto(f"{api_url}/app/sign-in")
        await page.fill("input[name=login]", engineer.lower())
        await page.fill("input[name=password]", "a long password")
        await page.click("button[type=submit].primary")
        await page.wait_for_load_state()
        assert page.url.endswith("/app/my-jobs")
        assert "赵磊" in await page.inner_text("header")


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.SUPERVISOR, "/app"),
        (Role.INTAKE, "/app/intake"),
        (Role.SUPPORT, "/app/support"),
        (Role.DISPATCHER, "/app/dispatch"),
        (Role.ENGINEER, "/app/my-jobs"),
        (Role.REVISIT, "/app/revisits?ahead=30"),
        (Role.ADMIN, "/app/admin"),
    ],
)
async def test_every_page_at_phone_and_desktop_size(api_url, api_keys, role, path):
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        async with signed_in(api_url, api_keys[role], viewport) as (page, traffic):
            await page.goto(f"{api_url}{path}")
            assert traffic.failed == [], traffic.failed
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"{path} scrolls sideways at {name} size"
            await shoot(page, f"{role.value}-{name}")
    async with browser_page(PHONE) as (page, _):
        await page.goto(f"{api_url}/app/sign-in")
        await shoot(page, "sign-in-phone")

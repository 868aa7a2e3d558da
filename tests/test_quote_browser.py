"""The quote-approval page in a real browser (headless Debian Chromium, driven by Playwright) on a
phone-sized screen: the quote is readable at once, a tap approves or declines it, and the page
never reaches beyond this server. Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from playwright.async_api import Page, Route, async_playwright

from models.lifecycle import Role
from tests.test_quote_page import awaiting_approval, staff_view
from tests.test_signing import auth
from tests.test_signing_browser import ARGS, ARTIFACTS, CHROMIUM

PHONE = {"width": 390, "height": 844}


@asynccontextmanager
async def phone() -> AsyncIterator[tuple[Page, list[str]]]:
    """A phone's browser page, and every request it tried to send off this machine (each one
    is refused, so nothing could be fetched from the internet)."""
    outside: list[str] = []

    async def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        context = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, has_touch=True, locale="zh-CN"
        )
        await context.route("**/*", loopback_only)
        try:
            yield await context.new_page(), outside
        finally:
            await browser.close()


async def in_first_screen(page: Page, selector: str) -> None:
    """Visible without scrolling: inside the phone's first screen, and not inside a frame."""
    box = await page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


async def open_quote(page: Page, url: str, number: str) -> None:
    await page.goto(url)
    assert number in await page.inner_text("h1")
    assert await page.locator("iframe").count() == 0
    lines = page.locator("table.quote tbody tr")
    assert await lines.count() == 2
    for row in range(2):
        await in_first_screen(page, f"table.quote tbody tr:nth-child({row + 1})")
    await in_first_screen(page, "#total")
    assert "CNY 1,280.00" in await page.inner_text("#total")
    assert "配件 Part" in await lines.nth(0).inner_text()
    await in_first_screen(page, "#approve")
    # nothing wider than the phone: no sideways scrolling
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def test_a_customer_declines_on_a_phone(http, api_keys, api_url):
    number, path = await awaiting_approval(http, api_keys)
    async with phone() as (page, outside):
        await open_quote(page, f"{api_url}{path}", number)
        await page.screenshot(path=str(ARTIFACTS / "quote-page.png"))
        await page.screenshot(path=str(ARTIFACTS / "quote-page-full.png"), full_page=True)

        await page.fill("#reason", "太贵了，先不修 too expensive")
        await page.click("#decline")
        await page.wait_for_selector("#result:not([hidden])")
        result = await page.inner_text("#result")
        assert "已拒绝报价" in result and "The request is closed" in result
        assert not await page.locator("#quote").is_visible()
        await page.screenshot(path=str(ARTIFACTS / "quote-declined.png"))

        await page.goto(f"{api_url}{path}")  # the link again: answered, once
        assert "已答复" in await page.inner_text("h1")
        await page.screenshot(path=str(ARTIFACTS / "quote-answered.png"))
        assert outside == []

    state = await staff_view(http, api_keys, number)
    assert state["outcome"] == "declined"
    assert state["quote"]["decline_reason"] == "太贵了，先不修 too expensive"


async def test_a_customer_approves_on_a_phone(http, api_keys, api_url):
    number, path = await awaiting_approval(http, api_keys)
    async with phone() as (page, outside):
        await open_quote(page, f"{api_url}{path}", number)
        await page.fill("#reason", "typed, then changed my mind")  # not sent with approve
        await page.click("#approve")
        await page.wait_for_selector("#result:not([hidden])")
        result = await page.inner_text("#result")
        assert "已同意报价" in result and "dispatch an engineer" in result
        await page.screenshot(path=str(ARTIFACTS / "quote-approved.png"))
        # a page that fetches something from elsewhere is caught: the guard itself works
        await page.evaluate("fetch('http://example.invalid/x').catch(() => null)")
        await page.wait_for_timeout(200)
        assert outside == ["http://example.invalid/x"]

    state = await staff_view(http, api_keys, number)
    assert state["stage"] == "awaiting_dispatch" and state["quote"]["status"] == "approved"


async def test_a_refusal_is_shown_on_the_page(http, api_keys, api_url):
    """The request moves on while the page is open: the tap is refused, and the page says why."""
    number, path = await awaiting_approval(http, api_keys)
    async with phone() as (page, outside):
        await open_quote(page, f"{api_url}{path}", number)
        r = await http.post(
            f"/v1/service-requests/{number}/cancel",
            json={"reason": "duplicate call"},
            headers=auth(api_keys, Role.INTAKE),
        )
        assert r.status_code == 200, r.text
        await page.click("#approve")
        await page.wait_for_selector("#error:not(:empty)")
        assert "moved on" in await page.inner_text("#error")
        assert await page.locator("#result").is_hidden()
        # the link is gone for good: no second tap on either button
        assert await page.locator("#approve").is_disabled()
        assert await page.locator("#decline").is_disabled()
        await page.screenshot(path=str(ARTIFACTS / "quote-refused.png"))
        assert outside == []
    assert (await staff_view(http, api_keys, number))["stage"] == "cancelled"

"""The signing page in a real browser (headless Chromium from Debian, driven by Playwright):
open the link on a phone-sized screen, draw a signature, rate, submit; the request closes.
Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from models.lifecycle import Role
from tests.test_signing import auth, awaiting_signature

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Chromium as root, offline: no sandbox, and none of its background calls home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian chromium is not installed (make test installs it)", allow_module_level=True)


async def test_a_customer_signs_on_a_phone(http, api_keys, api_url):
    number, page_path = await awaiting_signature(http, api_keys)
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        context = await browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            has_touch=True,
            locale="zh-CN",
        )
        page = await context.new_page()
        await page.goto(f"{api_url}{page_path}")
        assert number in await page.inner_text("h1")
        frame = page.frame_locator("iframe.report")
        assert "维修服务报告" in await frame.locator("h1").inner_text()

        await page.fill("#signer", "王强")
        await page.locator("#pad").scroll_into_view_if_needed()
        box = await page.locator("#pad").bounding_box()
        assert box is not None
        # a signature-like scribble: two strokes
        for stroke in (
            [(0.1, 0.6), (0.25, 0.3), (0.4, 0.7), (0.55, 0.35)],
            [(0.6, 0.5), (0.9, 0.45)],
        ):
            x0, y0 = stroke[0]
            await page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y0)
            await page.mouse.down()
            for x, y in stroke[1:]:
                await page.mouse.move(
                    box["x"] + box["width"] * x, box["y"] + box["height"] * y, steps=8
                )
            await page.mouse.up()
        await page.check("input[name=quality][value='5']")
        await page.check("input[name=attitude][value='4']")
        await page.fill("#comment", "工程师很专业")
        await page.screenshot(path=str(ARTIFACTS / "signing-page.png"), full_page=True)

        await page.click("#submit")
        await page.wait_for_selector("text=已签字")
        await page.screenshot(path=str(ARTIFACTS / "signing-done.png"))
        await browser.close()

    state = (
        await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR))
    ).json()
    assert state["stage"] in ("closed", "following_up")
    assert state["signature"]["signer"] == "王强" and state["signature"]["method"] == "drawn"
    assert (state["signature"]["quality"], state["signature"]["attitude"]) == (5, 4)
    check = (
        await http.get(
            f"/v1/service-requests/{number}/signature", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    assert check["intact"] is True


def test_chromium_is_there_in_ci():
    if os.environ.get("CI"):
        assert shutil.which("chromium") or Path(CHROMIUM).exists()

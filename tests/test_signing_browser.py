"""The signing page in a real browser (headless Chromium from Debian, driven by Playwright):
open the link on a phone-sized screen, read the whole report, draw a signature, rate, submit;
the request closes, the customer is thanked and downloads the signed PDF. Screenshots (and the
PDF with its pages as PNG) are kept in tests/artifacts/."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import async_playwright
from pypdf import PdfReader

from config import Settings
from models.lifecycle import Role
from tests.test_signing import auth, awaiting_signature

CHROMIUM = "/usr/bin/chromium"
ZONE = ZoneInfo(Settings.from_env().timezone)
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


async def draw_signature(page) -> None:
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
            accept_downloads=True,
        )
        page = await context.new_page()
        await page.goto(f"{api_url}{page_path}")
        assert number in await page.inner_text("h1")
        assert "UTC+08:00" in await page.inner_text("main")  # the link's expiry, local time
        frame = page.frame_locator("iframe.report")
        assert "维修服务报告" in await frame.locator("h1").inner_text()
        assert "UTC+08:00" in await frame.locator("p.meta").inner_text()

        # The whole report is in the page: the frame is as tall as its content, nothing
        # scrolls inside it, and its last part (the signature block) is inside the frame.
        await page.wait_for_function(
            """() => { const f = document.querySelector("iframe.report");
                       const d = f.contentDocument.documentElement;
                       return f.clientHeight > 600 && d.scrollHeight <= f.clientHeight + 1; }"""
        )
        inner = (
            await page.frame_locator("iframe.report")
            .locator("html")
            .evaluate(
                "d => [d.scrollHeight, d.clientHeight, d.ownerDocument.defaultView.innerHeight,"
                " d.scrollWidth, d.clientWidth]"
            )
        )
        scroll_height, client_height, inner_height, scroll_width, client_width = inner
        assert scroll_height <= inner_height and scroll_height <= client_height + 1, inner
        assert scroll_width <= client_width + 1, inner  # nor sideways
        frame_box = await page.locator("iframe.report").bounding_box()
        assert frame_box is not None and frame_box["width"] <= 390
        last = await frame.locator("table.signature").bounding_box()  # in page coordinates
        assert last is not None
        assert last["y"] + last["height"] <= frame_box["y"] + frame_box["height"] + 1
        await page.screenshot(path=str(ARTIFACTS / "signing-report-full.png"), full_page=True)

        # A message goes as soon as the customer corrects what it was about.
        error = page.locator("#error")
        await page.click("#submit")
        assert "姓名" in await error.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "signing-error.png"))
        await page.fill("#signer", "王强")
        assert await error.inner_text() == ""
        await page.click("#submit")
        assert "签名" in await error.inner_text()
        await draw_signature(page)
        assert await error.inner_text() == ""
        await page.click("#submit")
        assert "评价" in await error.inner_text()
        await page.check("input[name=quality][value='5']")
        assert await error.inner_text() == ""
        await page.check("input[name=attitude][value='4']")
        await page.fill("#comment", "工程师很专业")
        await page.screenshot(path=str(ARTIFACTS / "signing-page.png"), full_page=True)

        await page.click("#submit")
        await page.wait_for_selector("text=谢谢！已签字确认")
        assert page.url.endswith(f"{page_path}/signed")
        heading = await page.inner_text("h1")
        assert "Thank you" in heading and "Already" not in heading
        await page.screenshot(path=str(ARTIFACTS / "signing-done.png"), full_page=True)
        state = (
            await http.get(
                f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR)
            )
        ).json()
        signed_at = datetime.fromisoformat(state["signature"]["signed_at"]).astimezone(ZONE)
        assert f"{signed_at:%Y-%m-%d %H:%M} (UTC+08:00)" in await page.inner_text("main")

        async with page.expect_download() as download_info:
            await page.click("a[download]")
        download = await download_info.value
        pdf_path = ARTIFACTS / "signed-report.pdf"
        await download.save_as(str(pdf_path))
        assert pdf_path.read_bytes().startswith(b"%PDF")
        reader = PdfReader(str(pdf_path))
        assert sum(len(p.images) for p in reader.pages) >= 1  # the drawn signature

        # Back on the link later: "already signed", with the same download.
        await page.goto(f"{api_url}{page_path}")
        assert "已签字" in await page.inner_text("h1")
        assert "UTC+08:00" in await page.inner_text("main")
        async with page.expect_download() as again:
            await page.click("a[download]")
        assert (await again.value).suggested_filename == f"{number}-signed.pdf"
        await page.screenshot(path=str(ARTIFACTS / "signing-already.png"), full_page=True)
        await browser.close()

    if shutil.which("pdftoppm"):  # to look at: the signed PDF's pages as pictures
        convert = await asyncio.create_subprocess_exec(
            "pdftoppm", "-png", "-r", "60", str(pdf_path), str(ARTIFACTS / "signed-report")
        )
        assert await convert.wait() == 0
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

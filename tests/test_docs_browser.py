"""The API documentation (/docs: Swagger UI, /redoc: ReDoc) on a machine without internet: the
pages and every script, style and image they use come from this server, Authorize takes an API
key, and the operations render. Headless Debian Chromium driven by Playwright; every request
that would leave the machine is refused and recorded. Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.async_api import Page, Response, Route, async_playwright

from models.lifecycle import Role
from tests.test_signing_browser import ARGS, ARTIFACTS, CHROMIUM

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SCHEMES = {"BearerKey", "XApiKey"}


@dataclass
class Traffic:
    outside: list[str] = field(default_factory=list)  # refused: not to this machine
    failed: list[str] = field(default_factory=list)  # answered 4xx/5xx by the server


@asynccontextmanager
async def browser_page(
    viewport: dict[str, int], **options: object
) -> AsyncIterator[tuple[Page, Traffic]]:
    traffic = Traffic()

    async def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            await route.continue_()
        else:
            traffic.outside.append(route.request.url)
            await route.abort()

    def on_response(response: Response) -> None:
        if response.status >= 400:
            traffic.failed.append(f"{response.status} {response.url}")

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        context = await browser.new_context(viewport=viewport, **options)
        await context.route("**/*", loopback_only)
        page = await context.new_page()
        page.on("response", on_response)
        try:
            yield page, traffic
        finally:
            await browser.close()


def register_operation(page: Page):
    """Swagger UI's block for `POST /v1/service-requests`."""
    return page.locator(".opblock.opblock-post").filter(
        has=page.locator('.opblock-summary-path[data-path="/v1/service-requests"]')
    )


async def test_swagger_ui_renders_offline_and_authorize_takes_an_api_key(api_url, api_keys):
    async with browser_page(DESKTOP) as (page, traffic):
        await page.goto(f"{api_url}/docs")
        register = register_operation(page)
        await register.wait_for(state="visible", timeout=30_000)
        assert "Register" in await register.inner_text()
        assert await page.locator(".opblock").count() > 30  # every route of the API
        # operations that need a key show a lock; /healthz does not
        assert await register.locator(".authorization__btn").count() == 1
        await page.screenshot(path=str(ARTIFACTS / "docs-swagger-desktop.png"))

        await page.click("button.authorize")
        dialog = page.locator(".dialog-ux .modal-ux")
        await dialog.wait_for(state="visible")
        text = await dialog.inner_text()
        for name in SCHEMES:
            assert name in text, text
        assert "X-API-Key" in text and "Bearer" in text
        await page.screenshot(path=str(ARTIFACTS / "docs-swagger-authorize.png"))

        # authorize with a key, then call an operation from the page: the key is sent
        bearer = dialog.locator(".auth-container").filter(has_text="BearerKey")
        await bearer.locator("input").fill(api_keys[Role.ADMIN])
        await bearer.locator("button.authorize").click()
        await bearer.locator("button", has_text="Logout").wait_for(state="visible")
        assert "Authorized" in await bearer.inner_text()
        await dialog.locator("button.close-modal").click()

        listing = page.locator(".opblock.opblock-get").filter(
            has=page.locator('.opblock-summary-path[data-path="/v1/service-requests"]')
        )
        await listing.locator(".opblock-summary").click()
        await listing.locator("button.try-out__btn").click()
        await listing.locator("button.execute").click()
        status = listing.locator(".live-responses-table .response .response-col_status")
        await status.first.wait_for(state="visible", timeout=30_000)
        assert (await status.first.inner_text()).strip() == "200"
        curl = await listing.locator(".curl-command").inner_text()
        assert f"Authorization: Bearer {api_keys[Role.ADMIN]}" in curl
        await page.screenshot(path=str(ARTIFACTS / "docs-swagger-try-it.png"))

    assert traffic.outside == [], f"/docs tried to reach the internet: {traffic.outside}"
    assert traffic.failed == [], traffic.failed


async def test_swagger_ui_on_a_phone(api_url):
    async with browser_page(PHONE, device_scale_factor=2, has_touch=True) as (page, traffic):
        await page.goto(f"{api_url}/docs")
        await register_operation(page).wait_for(state="visible", timeout=30_000)
        await page.locator("button.authorize").wait_for(state="visible")
        await page.screenshot(path=str(ARTIFACTS / "docs-swagger-phone.png"))
    assert traffic.outside == [], f"/docs tried to reach the internet: {traffic.outside}"
    assert traffic.failed == [], traffic.failed


async def test_redoc_renders_offline(api_url):
    for name, viewport, options in (
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"device_scale_factor": 2, "has_touch": True}),
    ):
        async with browser_page(viewport, **options) as (page, traffic):
            await page.goto(f"{api_url}/redoc")
            register = page.locator(
                '[data-section-id="tag/service-requests/operation/'
                'register_v1_service_requests_post"]'
            )
            await register.wait_for(state="attached", timeout=30_000)
            assert "Register" in await register.locator("h2").first.inner_text()
            text = await register.inner_text()
            assert "/v1/service-requests" in text
            assert "XApiKey" in text and "BearerKey" in text  # its authorizations
            assert await page.locator('[data-section-id*="/operation/"]').count() > 30
            await page.wait_for_load_state("networkidle")
            await page.screenshot(path=str(ARTIFACTS / f"docs-redoc-{name}.png"))
        assert traffic.outside == [], f"/redoc tried to reach the internet: {traffic.outside}"
        assert traffic.failed == [], traffic.failed


# ------------------------------------------------------------------ plain HTTP
async def test_openapi_declares_the_api_key_schemes(http):
    r = await http.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerKey"] | {"description": None} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "API key",
        "description": None,
    }
    assert schemes["XApiKey"]["type"] == "apiKey"
    assert (schemes["XApiKey"]["in"], schemes["XApiKey"]["name"]) == ("header", "X-API-Key")
    either: list[dict[str, list[str]]] = [{"XApiKey": []}, {"BearerKey": []}]
    register = spec["paths"]["/v1/service-requests"]["post"]
    assert sorted(register["security"], key=str) == sorted(either, key=str)
    # the headers are no longer listed as parameters of every operation
    names = {p["name"].lower() for p in register.get("parameters", [])}
    assert not names & {"authorization", "x-api-key"}
    # every operation but the health check needs a key
    unsecured = {
        (method, path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if not operation.get("security")
    }
    assert unsecured == {("get", "/healthz")}


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


async def test_doc_pages_reference_only_assets_this_server_serves(http):
    expected = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for page, count in (("/docs", 3), ("/redoc", 2)):
        r = await http.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "http://" not in r.text and "https://" not in r.text, page
        urls = _asset_urls(r.text)
        assert len(urls) == count, urls
        for url in urls:
            assert url.startswith("/docs/assets/"), url
            asset = await http.get(url)
            assert asset.status_code == 200, url
            suffix = "." + urlsplit(url).path.rsplit(".", 1)[1]
            assert expected[suffix] in asset.headers["content-type"], (url, asset.headers)
            assert len(asset.content) > 500, url
    redoc = (await http.get("/redoc")).text
    assert 'spec-url="/openapi.json"' in redoc
    assert "url: '/openapi.json'" in (await http.get("/docs")).text

    # ReDoc's logo, which its bundle loads from the page's own path, and the licences
    logo = await http.get("/redoc/logo-mini.svg")
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg")
    for licence in ("swagger/LICENSE", "redoc/redoc.standalone.js.LICENSE.txt"):
        assert (await http.get(f"/docs/assets/{licence}")).status_code == 200
    assert (await http.get("/docs/oauth2-redirect")).status_code == 200
    moved = await http.get("/redoc/", follow_redirects=False)
    assert moved.status_code in (307, 308) and moved.headers["location"] == "/redoc"


async def test_declaring_the_schemes_changed_nothing_about_how_a_key_is_read(http, api_keys):
    key = api_keys[Role.ADMIN]
    missing = "send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'"
    invalid = "this API key is not valid (unknown, revoked or expired)"
    cases: list[tuple[dict[str, str], str | None]] = [
        ({}, missing),
        ({"Authorization": f"Bearer {key}"}, None),
        ({"Authorization": f"bearer   {key}"}, None),  # any case, spaces around the key
        ({"X-API-Key": key}, None),
        ({"Authorization": f"Basic {key}", "X-API-Key": key}, None),  # not Bearer: X-API-Key
        ({"Authorization": "Bearer nope", "X-API-Key": key}, invalid),  # Bearer comes first
        ({"Authorization": f"Basic {key}"}, missing),
        ({"X-API-Key": "nope"}, invalid),
    ]
    for headers, refusal in cases:
        r = await http.get("/v1/service-requests", headers=headers)
        if refusal is None:
            assert r.status_code == 200, (headers, r.text)
        else:
            assert (r.status_code, r.json()["detail"]) == (401, refusal), headers

"""The price list on the admin's page in Chromium: a price set, refused at its field when it
has fractions of a fen, listed, changed by setting it again, and deleted; the API agrees each
time."""

from __future__ import annotations

import secrets

from models.lifecycle import Role
from tests.test_web_browser import shoot, signed_in


async def test_the_admin_keeps_the_price_list_on_the_admin_page(api_url, api_keys, as_role):
    code = f"PART-{secrets.token_hex(3).upper()}"

    async def listed() -> dict[str, str]:
        prices = (await as_role(Role.SUPPORT, "GET", "/v1/price-list")).json()
        return {p["code"]: p["unit_price"] for p in prices if p["kind"] == "part"}

    async with signed_in(api_url, api_keys[Role.ADMIN]) as (page, _):
        await page.goto(f"{api_url}/app/admin")
        await page.get_by_role("link", name="收费标准 Prices").click()
        section = page.locator("#prices")
        assert "LENS-4MM" in await section.inner_text()  # the demo's prices

        async def set_price(price: str) -> None:
            form = page.locator("#prices form[action='/app/admin/prices']")
            if not await form.is_visible():
                await page.locator("#prices details.action summary").click()
            await form.locator("select[name=kind]").select_option("part")
            await form.locator("input[name=code]").fill(code)
            await form.locator("input[name=description]").fill("测试镜头 test lens")
            await form.locator("input[name=unit_price]").fill(price)
            await form.locator("button[type=submit]").click()
            await page.wait_for_load_state()

        await set_price("12.345")  # a tenth of a fen: the browser lets it through, the API not
        invalid = page.locator("#prices .field.invalid", has=page.locator("input[name=unit_price]"))
        assert await invalid.count() == 1  # the API's message, next to its field
        assert code not in await listed()
        await set_price("88.5")
        await page.wait_for_selector("p.flash")
        row = page.locator(f"#prices tr[data-price='part/{code}']")
        assert "88.50" in await row.inner_text() and "配件 Part" in await row.inner_text()
        assert (await listed())[code] == "88.50"
        await shoot(page, "admin-prices")
        await set_price("90")  # the same code again: changed, not added
        assert (await listed())[code] == "90.00"
        assert await page.locator(f"#prices tr[data-price='part/{code}']").count() == 1
        await page.locator(f"#prices tr[data-price='part/{code}'] button").click()
        await page.wait_for_selector("p.flash")
        assert code not in await listed()
        assert await page.locator(f"#prices tr[data-price='part/{code}']").count() == 0

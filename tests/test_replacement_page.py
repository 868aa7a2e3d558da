"""The admin's asset page in Chromium: a replaced unit links to its replacement and back; a
returned unit says it is no longer the customer's."""

from __future__ import annotations

import secrets

from db.replacements import record_replacements
from db.session import SessionFactory, transaction
from models.lifecycle import Role
from tests.test_replacements_db import LATE, RESTART, record, replaced, settled, unit
from tests.test_web_browser import shoot, signed_in


async def test_the_asset_page_links_a_replaced_unit_and_its_replacement(
    api_url, api_keys, sessions: SessionFactory
):
    old, new = (f"PG{secrets.token_hex(3).upper()}-{n}" for n in (1, 2))
    with transaction(sessions) as session:
        session.add(unit(old))
    record(sessions, old, [replaced(old, new)])
    async with signed_in(api_url, api_keys[Role.ADMIN]) as (page, _):
        await page.goto(f"{api_url}/app/admin/assets/{old}")
        card = page.locator("#replacements")
        await card.wait_for()
        assert "被更换为 replaced by" in await card.inner_text()
        assert "SR-20261202-000001" in await card.inner_text()
        await shoot(page, "asset-replaced")
        await card.get_by_role("link", name=new).click()
        await page.wait_for_url(f"**/app/admin/assets/{new}")
        assert "替换了 replaced" in await page.locator("#replacements").inner_text()
        await page.get_by_role("link", name=old).click()
        await page.wait_for_url(f"**/app/admin/assets/{old}")


async def test_the_asset_page_says_a_returned_unit_is_no_longer_the_customers(
    api_url, api_keys, sessions: SessionFactory
):
    serial = f"PG{secrets.token_hex(3).upper()}-R"
    with transaction(sessions) as session:
        session.add(unit(serial))
    with transaction(sessions) as session:
        returned = settled(serial, "returned", LATE)
        record_replacements(session, returned, [], RESTART, "Asia/Shanghai")
    async with signed_in(api_url, api_keys[Role.ADMIN]) as (page, _):
        await page.goto(f"{api_url}/app/admin/assets/{serial}")
        card = page.locator("#returned")
        await card.wait_for()
        text = await card.inner_text()
        assert "2026-12-02" in text and "no longer theirs" in text
        await card.get_by_role("link", name="SR-20261202-000001").wait_for()
        await shoot(page, "asset-returned")

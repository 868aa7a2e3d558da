"""The loaner pool (备用机) as the admin keeps it: `/v1/loaner-units` over real HTTP and the admin's
page in Chromium. A unit a request has is the workflow's until it is back; a retired one is
never lent. Each test's units are of a category of their own, so no other test lends them."""

from __future__ import annotations

import secrets

from activities.loaners import LoanerActivities
from db.session import SessionFactory
from models.activity_io import LoanerRequest
from models.lifecycle import Role
from tests.test_api import problem
from tests.test_web_browser import shoot, signed_in

PATH = "/v1/loaner-units"


def fresh() -> tuple[str, str]:
    tag = secrets.token_hex(3)
    return f"LN-T{tag.upper()}", f"pool-{tag}"


def lend(sessions: SessionFactory, number: str, category: str) -> str | None:
    """What the workflow's activity lends for a request of `category` (its asset unknown to the
    read model: rank 1 will do)."""
    request = LoanerRequest(number=number, customer_id="C001", category=category)
    return LoanerActivities(sessions).issue_loaner(request).unit_serial


async def test_the_admin_adds_changes_retires_and_deletes_a_unit(as_role, sessions):
    serial, category = fresh()
    unit = {"serial": serial, "model": "投影仪 spare", "category": category, "rank": 3}
    created = await as_role(Role.ADMIN, "POST", PATH, json=unit)
    assert created.status_code == 201, created.text
    assert created.json() == unit | {"status": "available", "issued_to": None, "issued_at": None}
    problem(await as_role(Role.ADMIN, "POST", PATH, json=unit), 409)
    shown = await as_role(Role.DISPATCHER, "GET", f"{PATH}/{serial}")
    assert shown.status_code == 200 and shown.json()["rank"] == 3
    listed = await as_role(Role.SUPERVISOR, "GET", PATH, params={"category": category})
    assert [u["serial"] for u in listed.json()["items"]] == [serial]

    # read back and written unchanged: the view's own fields are the system's, not a mistake
    again = await as_role(Role.ADMIN, "PUT", f"{PATH}/{serial}", json=shown.json())
    assert again.status_code == 200, again.text

    assert lend(sessions, "SR-20261203-900001", category) == serial
    lent = (await as_role(Role.ADMIN, "GET", f"{PATH}/{serial}")).json()
    assert (lent["status"], lent["issued_to"]) == ("issued", "SR-20261203-900001")
    changed = problem(
        await as_role(Role.ADMIN, "PUT", f"{PATH}/{serial}", json=unit | {"rank": 5}), 409
    )
    assert f"{serial} is lent to SR-20261203-900001 since" in changed["detail"]
    assert "change it once it is returned" in changed["detail"]
    problem(await as_role(Role.ADMIN, "DELETE", f"{PATH}/{serial}"), 409)
    LoanerActivities(sessions).return_loaner("SR-20261203-900001")

    retired = await as_role(
        Role.ADMIN, "PUT", f"{PATH}/{serial}", json=unit | {"status": "retired"}
    )
    assert retired.json()["status"] == "retired"
    assert lend(sessions, "SR-20261203-900002", category) is None  # never lent again
    by_status = await as_role(Role.ADMIN, "GET", PATH, params={"status": "retired"})
    assert serial in {u["serial"] for u in by_status.json()["items"]}

    gone = await as_role(Role.ADMIN, "DELETE", f"{PATH}/{serial}")
    assert gone.status_code == 204
    problem(await as_role(Role.ADMIN, "GET", f"{PATH}/{serial}"), 404)
    problem(await as_role(Role.ADMIN, "DELETE", f"{PATH}/{serial}"), 404)


async def test_bad_units_are_refused_and_change_nothing(as_role):
    serial, category = fresh()
    unit = {"serial": serial, "model": "spare", "category": category}
    for bad, field in (
        ({"rank": 0}, "rank"),
        ({"rank": 11}, "rank"),
        ({"rank": True}, "rank"),
        ({"status": "issued"}, "status"),  # the system's, while a request has the unit
        ({"serial": "has space"}, "serial"),
        ({"model": " "}, "model"),
        ({"colour": "red"}, "colour"),
    ):
        refused = problem(await as_role(Role.ADMIN, "POST", PATH, json=unit | bad), 422)
        assert field in refused["detail"], (bad, refused)
    problem(await as_role(Role.ADMIN, "GET", f"{PATH}/{serial}"), 404)  # nothing written
    problem(await as_role(Role.ADMIN, "PUT", f"{PATH}/{serial}", json=unit), 404)
    await as_role(Role.ADMIN, "POST", PATH, json=unit)
    other = problem(
        await as_role(Role.ADMIN, "PUT", f"{PATH}/{serial}", json=unit | {"serial": "LN-X"}), 422
    )
    assert "the path names" in other["detail"]
    problem(await as_role(Role.ADMIN, "GET", PATH, params={"status": "lost"}), 422)
    await as_role(Role.ADMIN, "DELETE", f"{PATH}/{serial}")


async def test_the_admin_keeps_the_pool_on_the_admin_page(api_url, api_keys, as_role):
    serial, category = fresh()
    async with signed_in(api_url, api_keys[Role.ADMIN]) as (page, _):
        await page.goto(f"{api_url}/app/admin")
        await page.get_by_role("link", name="备用机 Loaner units").click()
        await page.locator("#loaner-units").get_by_role("link", name="新建 New").click()
        await page.wait_for_url("**/app/admin/loaner-units/new")
        record = page.locator("#record")
        await record.locator("input[name=serial]").fill(serial)
        await record.locator("input[name=model]").fill("DS-2CD 备用机")
        await record.locator("input[name=category]").fill(category)
        await record.locator("input[name=rank]").fill("12")
        await record.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        invalid = page.locator(".field.invalid", has=page.locator("input[name=rank]"))
        assert await invalid.count() == 1  # the API's message, next to its field
        await page.locator("#record input[name=rank]").fill("4")
        await page.locator("#record button[type=submit]").click()
        await page.wait_for_selector("p.flash")
        row = page.locator("#loaner-units tr", has_text=serial)
        assert "可借" in await row.inner_text() or "available" in await row.inner_text()
        await shoot(page, "admin-loaners")

        await row.get_by_role("link", name=serial).click()
        await page.wait_for_url(f"**/app/admin/loaner-units/{serial}")
        await page.locator("#record select[name=status]").select_option("retired")
        await page.locator("#record button[type=submit]").click()
        await page.wait_for_selector("p.flash")
    shown = (await as_role(Role.ADMIN, "GET", f"{PATH}/{serial}")).json()
    assert (shown["rank"], shown["status"], shown["model"]) == (4, "retired", "DS-2CD 备用机")
    await as_role(Role.ADMIN, "DELETE", f"{PATH}/{serial}")

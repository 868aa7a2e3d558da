"""Return and exchange (三包, P19, P21) in the workflow (time skipping) and through the API: the
remedy chosen within its window, refused outside it with the reason, the signed return /
exchange form, and the exchanged unit in the archive with its term counted anew."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from db.session import SessionFactory, transaction
from db.tables import Asset
from models.intake import SERVICE_TIMEZONE
from models.lifecycle import Role
from tests.test_api import SIGNED, problem
from tests.test_web_browser import shoot, signed_in
from tests.workflow_helpers import act, eventually, rejected, start

RETURN_EXCHANGE = {"type": "return_exchange", "fault_code": "DEAD_ON_ARRIVAL", "severity": 3}


def sold(sessions: SessionFactory, on_day: int, at: datetime) -> str:
    """A camera of C001 invoiced so that `at` is day `on_day` of its 三包 count."""
    serial = f"RX-{secrets.token_hex(4)}"
    invoice = at.astimezone(ZoneInfo(SERVICE_TIMEZONE)).date() - timedelta(days=on_day - 1)
    with transaction(sessions) as session:
        session.add(
            Asset(
                serial=serial,
                model="DS-2CD",
                category="camera",
                customer_id="C001",
                invoice_date=invoice,
                warranty={"start_basis": "invoice", "months": 12},
            )
        )
    return serial


async def test_an_exchange_within_day_15_is_signed_and_the_new_unit_starts_its_own_term(
    ts_env: WorkflowEnvironment, ts_client: Client, intake, sessions: SessionFactory
) -> None:
    at = await ts_env.get_current_time()
    old, new = sold(sessions, 10, at), f"RN-{secrets.token_hex(4)}"
    handle = await start(ts_client, intake(at=at, asset_serial=old, **RETURN_EXCHANGE))
    await act(handle, "acknowledge", "support")
    late = await rejected(handle, "choose_remedy", "customer", {"remedy": "return"})
    assert late.type == "Conflict" and "return up to day 7" in late.message
    assert "it may have exchange, repair" in late.message
    unnamed = await rejected(handle, "choose_remedy", "customer", {"remedy": "exchange"})
    assert unnamed.type == "InvalidData" and "replacement_serial" in unnamed.message
    s = await act(
        handle, "choose_remedy", "customer", {"remedy": "exchange", "replacement_serial": new}
    )
    assert s.stage == "awaiting_signature" and s.outcome == "exchanged"
    assert s.remedy is not None and s.remedy.replacement_serial == new
    settled = await rejected(handle, "choose_remedy", "customer", {"remedy": "repair"})
    assert settled.type == "WrongStage"
    s = await act(handle, "sign", "customer", SIGNED)
    assert s.stage in ("following_up", "completed") and s.outcome == "exchanged"

    def fitted() -> Asset | None:
        with sessions() as session:
            return session.get(Asset, new)

    unit = await eventually(fitted)
    fitted_on = at.astimezone(ZoneInfo(SERVICE_TIMEZONE)).date()
    # 三包: the exchanged product's term and day count start again (the standard profile
    # inherits for repairs: the exchange does not).
    assert unit.invoice_date == fitted_on and unit.warranty.get("inherited_end") is None
    assert unit.warranty["months"] == 12  # without the 3 months a replaced unit gets


async def test_after_day_15_only_a_repair_is_open_and_it_goes_on_as_one(
    ts_env: WorkflowEnvironment, ts_client: Client, intake, sessions: SessionFactory
) -> None:
    at = await ts_env.get_current_time()
    handle = await start(
        ts_client, intake(at=at, asset_serial=sold(sessions, 20, at), **RETURN_EXCHANGE)
    )
    await act(handle, "acknowledge", "support")
    refused = await rejected(
        handle, "choose_remedy", "intake", {"remedy": "exchange", "replacement_serial": "X-1"}
    )
    assert refused.type == "Conflict" and "it may have repair" in refused.message
    s = await act(handle, "choose_remedy", "intake", {"remedy": "repair"})
    assert s.stage == "diagnosing" and s.outcome is None
    again = await rejected(handle, "choose_remedy", "customer", {"remedy": "repair"})
    assert again.type == "Conflict" and "chose repair already" in again.message
    s = await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "swap"})
    assert s.stage == "awaiting_dispatch"


async def test_a_repair_request_chooses_no_remedy(
    ts_env: WorkflowEnvironment, ts_client: Client, intake, sessions: SessionFactory
) -> None:
    at = await ts_env.get_current_time()
    handle = await start(ts_client, intake(at=at, asset_serial=sold(sessions, 2, at)))
    await act(handle, "acknowledge", "support")
    error = await rejected(handle, "choose_remedy", "customer", {"remedy": "return"})
    assert error.type == "Conflict" and "only a return / exchange request" in error.message


async def test_a_return_is_settled_by_the_signed_return_form(as_role, sessions) -> None:
    serial = sold(sessions, 3, datetime.now(ZoneInfo(SERVICE_TIMEZONE)))
    body = {
        "channel": "phone",
        "customer_id": "C001",
        "asset_serial": serial,
        "description": "开箱即坏 dead on arrival",
        "force_new": True,
    } | RETURN_EXCHANGE
    registered = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body)
    assert registered.status_code == 201, registered.text
    number = registered.json()["number"]

    async def do(role: Role, action: str, json: dict[str, object], status: int = 200) -> dict:
        answer = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=json)
        return problem(answer, status) if status >= 400 else answer.json()

    await do(Role.SUPPORT, "acknowledge", {})
    taken = await do(
        Role.CUSTOMER, "choose-remedy", {"remedy": "exchange", "replacement_serial": "SN-1001"}, 409
    )
    assert "SN-1001 is in the archive already" in taken["detail"]
    state = await do(Role.CUSTOMER, "choose-remedy", {"remedy": "return", "note": "退款 refund"})
    assert state["stage"] == "awaiting_signature" and state["outcome"] == "returned"
    html = (
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/report.html")
    ).text
    for text in ("退换货单 Return / exchange form", "退货 Return", "退款 refund"):
        assert text in html, text
    assert "维修服务报告 Service report" not in html
    signed = await do(Role.CUSTOMER, "sign", SIGNED)
    assert signed["outcome"] == "returned"
    assert date.fromisoformat(signed["closed_at"][:10])

    # The unit is no longer the customer's: the archive says so, and nobody registers it again.
    async def returned() -> dict | None:
        shown = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
        return shown["returned"]

    assert (await eventually(returned))["request"] == number
    again = problem(await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body), 422)
    assert f"unit {serial} was returned on" in again["detail"] and number in again["detail"]
    shown = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    kept = await as_role(Role.ADMIN, "PUT", f"/v1/assets/{serial}", json=shown)
    assert kept.status_code == 200, kept.text  # read back and written unchanged: still returned
    assert (await returned())["request"] == number


async def test_a_return_cancelled_before_its_form_is_signed_keeps_the_unit(as_role, sessions):
    serial = sold(sessions, 2, datetime.now(ZoneInfo(SERVICE_TIMEZONE)))
    body = {"channel": "phone", "customer_id": "C001", "asset_serial": serial}
    body |= {"description": "退货 return", "force_new": True} | RETURN_EXCHANGE
    registered = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body)
    number = registered.json()["number"]
    for role, action, json in (
        (Role.SUPPORT, "acknowledge", {}),
        (Role.CUSTOMER, "choose-remedy", {"remedy": "return"}),
        (Role.SUPERVISOR, "cancel", {"reason": "客户改主意 the customer kept it"}),
    ):
        answer = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=json)
        assert answer.status_code == 200, (action, answer.text)

    async def recorded() -> bool:
        row = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
        return row["stage"] == "cancelled"

    await eventually(recorded)
    shown = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    assert shown["returned"] is None
    again = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body)
    assert again.status_code == 201, again.text  # still the customer's unit


async def test_support_records_the_customer_s_exchange_on_the_request_page(
    as_role, sessions, api_url, api_keys
) -> None:
    serial = sold(sessions, 3, datetime.now(ZoneInfo(SERVICE_TIMEZONE)))
    body = {"channel": "phone", "customer_id": "C001", "asset_serial": serial} | RETURN_EXCHANGE
    body |= {"description": "开箱即坏 dead on arrival", "force_new": True}
    registered = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body)
    number = registered.json()["number"]
    path = f"/v1/service-requests/{number}/acknowledge"
    assert (await as_role(Role.SUPPORT, "POST", path, json={})).status_code == 200
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as (page, _):
        await page.goto(f"{api_url}/app/requests/{number}")
        form = page.locator("#act-choose-remedy")
        await form.locator("summary").click()
        await form.locator("select[name=remedy]").select_option("exchange")
        await form.locator("input[name=replacement_serial]").fill(f"NEW-{serial}")
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        remedy = page.locator("dd.remedy")
        await remedy.wait_for()
        assert "换货 Exchange" in await remedy.inner_text()
        assert f"NEW-{serial}" in await remedy.inner_text()
        await shoot(page, "exchange-chosen")
        await page.goto(f"{api_url}/v1/service-requests/{number}/report.html")
        assert "退换货单 Return / exchange form" in await page.content()
        await shoot(page, "exchange-form")

"""Fees (001, 003, 004): amounts in capital numerals and lines drawn from a price list as
exact cases; through the API a price list entry, a quote drawn from it, the approved quote's
charges on the report and the receipt (收据) in HTML, PDF and Chromium."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from fees import NotPriced, Price, Wanted, amount_in_words, draw_lines
from models.lifecycle import Role
from tests.test_api import action, own_key, problem, register  # noqa: F401  (fixtures)
from tests.test_web_browser import shoot, signed_in


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("10", "壹拾元整"),
        ("101.50", "壹佰零壹元伍角整"),
        ("1.05", "壹元零伍分"),
        ("10001", "壹万零壹元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("120000000", "壹亿贰仟万元整"),
    ],
)
def test_amounts_in_capital_numerals(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


PRICES = {
    ("part", "LENS-4MM"): Price("4mm 镜头 lens", Decimal("180.00")),
    ("labour", "*"): Price("维修工时 labour", Decimal("120.00")),
    ("labour", "display"): Price("大屏维修工时 display labour", Decimal("160.00")),
    ("travel", "qingdao"): Price("上门费 call-out", Decimal("20.00")),
}


def test_lines_are_priced_by_part_category_and_region() -> None:
    wanted = [
        Wanted("part", "LENS-4MM", qty=Decimal(2)),
        Wanted("labour", hours=Decimal("1.25")),
        Wanted("travel"),
    ]
    camera = draw_lines(wanted, PRICES, "qingdao", "camera")
    assert [line.amount for line in camera] == [
        Decimal("360.00"),
        Decimal("150.00"),
        Decimal("20.00"),
    ]
    assert camera[0].description == "4mm 镜头 lens 2 × 180.00"
    display = draw_lines([Wanted("labour", hours=Decimal("0.333"))], PRICES, "qingdao", "display")
    assert display[0].amount == Decimal("53.28")  # 160 × 0.333 = 53.28, half up
    for wrong, field in (
        ([Wanted("part", "NOPE")], "lines.0.part_no"),
        ([Wanted("travel"), Wanted("travel")], None),
    ):
        if field is None:
            with pytest.raises(NotPriced, match="no travel fee for region 'jinan'"):
                draw_lines(wrong, PRICES, "jinan", "camera")
            continue
        with pytest.raises(NotPriced) as raised:
            draw_lines(wrong, PRICES, "qingdao", "camera")
        assert raised.value.field == field


async def test_a_quote_drawn_from_the_price_list_ends_in_a_receipt(
    as_role,
    action,  # noqa: F811  (test_api's fixture)
    api_url,
    api_keys,
) -> None:
    part = f"BOARD-{secrets.token_hex(3).upper()}"
    put = await as_role(
        Role.ADMIN,
        "PUT",
        f"/v1/price-list/part/{part}",
        json={"description": "主板 main board", "unit_price": "880.00"},
    )
    assert put.status_code == 200, put.text
    problem(
        await as_role(
            Role.SUPPORT, "PUT", f"/v1/price-list/part/{part}", json=put.json() | {"kind": "x"}
        ),
        403,
    )
    price = {"description": "x", "unit_price": "1.00"}
    for code in ("has space", "x" * 65, "-dash-first"):  # not a code: no row, no 500
        bad = await as_role(Role.ADMIN, "PUT", f"/v1/price-list/part/{code}", json=price)
        assert "code" in problem(bad, 422)["detail"], code
    listed = (await as_role(Role.DISPATCHER, "GET", "/v1/price-list")).json()
    assert not any(p["description"] == "x" for p in listed)
    assert {
        "kind": "part",
        "code": part,
        "description": "主板 main board",
        "unit_price": "880.00",
    } in listed

    # SN-1003 (C003, out of warranty, audio): its quote drawn from the list.
    number = await register(as_role, customer_id="C003", asset_serial="SN-1003", fault_code="HUM")
    await action(number, "acknowledge", Role.SUPPORT)
    path = f"/v1/service-requests/{number}/quote-lines"
    unknown = await as_role(
        Role.SUPPORT, "POST", path, json={"lines": [{"kind": "part", "part_no": "NOPE"}]}
    )
    assert "lines.0.part_no" in problem(unknown, 422)["detail"]
    wanted = {"lines": [{"kind": "part", "part_no": part}, {"kind": "labour", "hours": "2"}]}
    drawn = await as_role(Role.SUPPORT, "POST", path, json=wanted)
    assert drawn.status_code == 200, drawn.text
    quote = drawn.json()
    assert [line["amount"] for line in quote["lines"]] == ["880.00", "240.00"]
    premature = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/receipt.html")
    assert "has no quote yet" in problem(premature, 409)["detail"]

    s = await action(
        number,
        "diagnose",
        Role.SUPPORT,
        {"outcome": "needs_onsite", "notes": "hum", "quote": quote},
    )
    assert s["quote"]["total"] == "1120.00"
    await action(number, "approve-quote", Role.CUSTOMER)
    not_done = problem(
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/receipt.html"), 409
    )
    assert "not done yet" in not_done["detail"]
    await action(number, "assign", Role.DISPATCHER)
    await action(number, "check-in", Role.ENGINEER)
    await action(
        number, "report-repair", Role.ENGINEER, {"result": "fixed", "work_done": "新主板 new board"}
    )

    receipt = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/receipt.html")
    assert receipt.status_code == 200, receipt.text
    for text in ("收据", f"RC-{number[3:]}", "主板 main board", "1120.00", "壹仟壹佰贰拾元整"):
        assert text in receipt.text, text
    pdf = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/receipt.pdf")
    assert pdf.content.startswith(b"%PDF")
    report = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/report.html")
    assert "费用 Charges" in report.text and "1120.00" in report.text
    # C001's key: not its receipt; an in-warranty repair has none.
    problem(await as_role(Role.CUSTOMER, "GET", f"/v1/service-requests/{number}/receipt.html"), 404)
    free = await register(as_role)
    none = problem(
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{free}/receipt.html"), 409
    )
    assert "has no charges" in none["detail"]
    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as (page, _):
        await page.goto(f"{api_url}/app/requests/{number}")
        href = await page.get_by_role("link", name="收据 Receipt").get_attribute("href")
        await page.goto(f"{api_url}{href}")  # the link opens a tab of its own
        assert "壹仟壹佰贰拾元整" in await page.content()
        await shoot(page, "receipt")

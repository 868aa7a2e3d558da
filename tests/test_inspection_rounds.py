"""An inspection round (003) on the dev server: one contract-wide run's inspections, reported,
make one round report the customer signs once with the company's stamp; through the API and
in Chromium."""

from __future__ import annotations

import base64
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from temporalio.client import Client

from db.session import SessionFactory, transaction
from db.tables import Asset, Customer
from identity.keys import create_api_key
from inspection import checklist_for
from models.intake import SERVICE_TIMEZONE
from models.lifecycle import Role
from models.schedules import WORKFLOW_TYPE, ScheduleDefinition, ScheduledRun, schedule_id
from tests.test_api import PNG, problem
from tests.test_docs_browser import PHONE
from tests.test_signing_browser import draw_signature
from tests.test_web_app import csrf_of
from tests.test_web_app import signed_in as web_signed_in
from tests.test_web_browser import shoot, signed_in
from tests.workflow_helpers import TASK_QUEUE

#: A 1×1 PNG whose chunks all check (test_api's PNG has a bad checksum).
STAMP = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5Er"
    "kJggg=="
)


async def a_round(
    sessions: SessionFactory, dev_client: Client, assets: int
) -> tuple[str, list[str], str, list[str], date]:
    """A customer of its own with `assets` cameras, and the round its contract-wide inspection
    schedule's run registers today: (customer, serials, schedule id, numbers, day)."""
    tag = secrets.token_hex(3).upper()
    customer = f"IR{tag}"
    serials = [f"{customer}-{n}" for n in range(1, assets + 1)]
    with transaction(sessions) as session:
        session.add(
            Customer(id=customer, name=f"巡检轮次 {tag}", region="qingdao", sla_profile="standard")
        )
        session.flush()
        for serial in serials:
            session.add(
                Asset(
                    serial=serial,
                    model="DS-2CD",
                    category="camera",
                    customer_id=customer,
                    invoice_date=date(2026, 6, 1),
                    warranty={"start_basis": "invoice", "months": 36},
                )
            )
    sid = schedule_id("inspection", customer)
    run = ScheduledRun(
        schedule_id=sid,
        definition=ScheduleDefinition(kind="inspection", customer_id=customer, every="monthly"),
        time_zone=SERVICE_TIMEZONE,
    )
    numbers = await dev_client.execute_workflow(
        WORKFLOW_TYPE, run, id=f"{sid}-test", task_queue=TASK_QUEUE, result_type=str
    )
    day = datetime.now(ZoneInfo(SERVICE_TIMEZONE)).date()
    return customer, serials, sid, numbers.split(", "), day


async def inspect(as_role, number: str) -> None:
    """E001 inspects the request's camera on site and reports one loose bracket."""
    checklist = [{"item": item, "ok": True} for item in checklist_for("camera")]
    checklist[-1] = checklist[-1] | {"ok": False, "note": "支架松动 loose bracket"}
    for role, action, body in (
        (Role.SUPPORT, "acknowledge", {}),
        (Role.SUPPORT, "diagnose", {"outcome": "needs_onsite", "notes": "round"}),
        (Role.DISPATCHER, "assign", {"engineer_id": "E001"}),
        (Role.ENGINEER, "check-in", {}),
        (
            Role.ENGINEER,
            "report-repair",
            {"result": "fixed", "work_done": "巡检 inspected", "checklist": checklist},
        ),
    ):
        url = f"/v1/service-requests/{number}/{action}"
        answer = await as_role(role, "POST", url, json=body)
        assert answer.status_code == 200, (action, answer.text)


async def test_a_round_is_reported_in_full_then_signed_once_with_the_stamp(
    as_role, api_url, api_keys, dev_client: Client, sessions: SessionFactory
) -> None:
    customer, serials, sid, (first, second, third), day = await a_round(sessions, dev_client, 3)
    path = f"/v1/inspection-rounds/{sid}/{day}"

    rated = {"quality": 5, "attitude": 4}
    # On the engineer's device the customer draws (any whole PNG stands for the drawing here).
    stamp = {"signer": "王经理", "signature_png": STAMP, "stamp_png": STAMP} | rated
    await inspect(as_role, first)
    early = problem(await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=stamp), 409)
    assert "not reported in full" in early["detail"] and serials[1] in early["detail"]
    await inspect(as_role, second)
    await inspect(as_role, third)

    found = (await as_role(Role.SUPERVISOR, "GET", path)).json()
    assert [i["asset_serial"] for i in found["items"]] == serials and found["signature"] is None
    assert all(len(i["checklist"]) == len(checklist_for("camera")) for i in found["items"])
    problem(await as_role(Role.CUSTOMER, "GET", path), 404)  # C001's key: not its round
    unstamped = problem(
        await as_role(
            Role.ENGINEER, "POST", f"{path}/sign", json={"signer": "x", "typed_name": "x"} | rated
        ),
        422,
    )
    assert "stamp_png" in unstamped["detail"]
    typed = {"signer": "王经理", "typed_name": "王经理", "stamp_png": STAMP} | rated
    by_engineer = problem(await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=typed), 422)
    assert "signature_png" in by_engineer["detail"] and "draws" in by_engineer["detail"]
    bad = stamp | {"stamp_png": "bm90IGEgcG5nLCBqdXN0IHRleHQ="}
    assert (
        "stamp_png: is not a PNG"
        in problem(await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=bad), 422)["detail"]
    )
    broken = problem(
        await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=stamp | {"stamp_png": PNG}), 422
    )
    assert "stamp_png: is not a readable PNG" in broken["detail"]
    problem(await as_role(Role.SUPPORT, "POST", f"{path}/sign", json=stamp), 403)
    unrated = {k: v for k, v in stamp.items() if k != "quality"}
    assert (
        "quality"
        in problem(await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=unrated), 422)[
            "detail"
        ]
    )

    # The customer signed the first inspection's report on their own already and refused the
    # second's: the round's signature signs the third only.
    with transaction(sessions) as session:
        own = create_api_key(session, Role.CUSTOMER, "", customer_id=customer).key
    for number, action, json in (
        (first, "sign", {"signer": "李工", "typed_name": "李工", "quality": 3, "attitude": 3}),
        (second, "refuse-signature", {"reason": "支架还松 the bracket is still loose"}),
    ):
        by_key = await as_role(
            Role.CUSTOMER,
            "POST",
            f"/v1/service-requests/{number}/{action}",
            json=json,
            headers={"Authorization": f"Bearer {own}"},
        )
        assert by_key.status_code == 200, by_key.text
    signed = await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=stamp)
    assert signed.status_code == 200, signed.text
    assert (
        signed.json()["signature"]["signer"] == "王经理" and signed.json()["signature"]["stamped"]
    )
    problem(await as_role(Role.ENGINEER, "POST", f"{path}/sign", json=stamp), 409)
    signatures = {}
    for number in (first, second, third):
        state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
        signatures[number] = state["signature"]
        assert (state["stage"] == "awaiting_signature") == (number == second), number
    assert signatures[first]["signer"] == "李工"
    assert signatures[first]["by"]["via"] == "api_key"
    assert signatures[second] is None  # refused: the supervisor settles it, not the round
    round_signed = signatures[third]
    assert (round_signed["signer"], round_signed["by"]["via"]) == ("王经理", "inspection_round")
    assert (round_signed["quality"], round_signed["attitude"]) == (5, 4)
    assert f"inspection round {sid} {day}" in round_signed["comment"]
    assert round_signed["by"]["customer_id"] == customer
    report = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{third}/report.html")
    assert "巡检轮次签字" in report.text

    html = (await as_role(Role.SUPERVISOR, "GET", f"{path}/report.html")).text
    for text in (
        *serials,
        first,
        second,
        third,
        "✘",
        "支架松动 loose bracket",
        "王经理",
        'alt="公章',
    ):
        assert text in html, text
    pdf = await as_role(Role.SUPERVISOR, "GET", f"{path}/report.pdf")
    assert pdf.content.startswith(b"%PDF")
    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as (page, _):
        await page.goto(f"{api_url}{path}/report.html")
        assert await page.locator("tr[data-serial]").count() == 3
        await shoot(page, "inspection-round")


async def read_in(page) -> None:
    """The chosen file is in the form once the page's script has read it."""
    await page.wait_for_function(
        "document.querySelector('#sign-round input[name=stamp_png]').value.length > 0"
    )


async def test_the_customer_signs_the_round_on_the_engineer_s_phone(
    as_role, api_url, api_keys, person_keys, dev_client: Client, sessions: SessionFactory, tmp_path
) -> None:
    _, (serial,), sid, (number,), day = await a_round(sessions, dev_client, 1)
    await inspect(as_role, number)
    # E002 was not sent on this round: neither its page nor its signature is theirs.
    page_path = f"/app/inspection-rounds/{sid}/{day}"
    async with web_signed_in(api_url, person_keys["E002"]) as other:
        assert (await other.get(page_path)).status_code == 403
        jobs = await other.get("/app/my-jobs")
        sent = await other.post(f"{page_path}/sign", data={"csrf_token": csrf_of(jobs)})
        assert sent.status_code == 403
    other_key = {"Authorization": f"Bearer {person_keys['E002']}"}
    api = f"/v1/inspection-rounds/{sid}/{day}"
    problem(await as_role(Role.ENGINEER, "GET", api, headers=other_key), 403)
    stamp, text = tmp_path / "stamp.png", tmp_path / "not-a-stamp.png"
    stamp.write_bytes(base64.b64decode(STAMP))
    text.write_text("这不是图片 this is a text file, not an image")
    async with signed_in(api_url, api_keys[Role.ENGINEER], PHONE) as (page, _):
        await page.goto(f"{api_url}/app/my-jobs")
        job = page.locator(f"#job-{number}")
        await job.get_by_role("link", name="客户签字（整轮） The customer signs the round").click()
        await page.wait_for_url(f"**/app/inspection-rounds/{sid}/{day}")
        assert "✘ 1/" in await page.locator(f"tr[data-serial='{serial}']").inner_text()
        form = page.locator("#sign-round")
        await form.locator("input[name=signer]").fill("王经理")
        await form.locator("select[name=quality]").select_option("5")
        await form.locator("select[name=attitude]").select_option("4")
        await form.locator("input[data-base64]").set_input_files(str(stamp))
        await read_in(page)
        await form.locator("button[type=submit]").click()  # nothing drawn
        await page.wait_for_load_state()
        undrawn = page.locator(".field.invalid", has=page.locator("canvas.pad"))
        assert "the customer signs in the box" in await undrawn.inner_text()
        await page.locator("#sign-round input[data-base64]").set_input_files(str(text))
        await read_in(page)
        await draw_signature(page)
        await page.locator("#sign-round button[type=submit]").click()
        await page.wait_for_load_state()
        refused = page.locator(".field.invalid", has=page.locator("input[data-base64]"))
        assert "not a PNG" in await refused.inner_text()  # said at the field, nothing signed
        assert await page.locator("#sign-round input[name=signer]").input_value() == "王经理"
        await shoot(page, "round-sign-refused-phone")
        await page.locator("#sign-round input[data-base64]").set_input_files(str(stamp))
        await read_in(page)
        await draw_signature(page)
        await page.locator("#sign-round button[type=submit]").click()
        await page.wait_for_selector("#signed")
        assert "已签字" in await page.inner_text("p.flash")
        assert "王经理" in await page.inner_text("#signed")
        await shoot(page, "round-signed-phone")
    state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert state["signature"]["by"]["via"] == "inspection_round"
    assert state["signature"]["method"] == "drawn"
    assert state["signature"]["by"]["key_id"] is not None  # the engineer's key it came through
    report = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/report.html")
    assert "data:image/png;base64," in report.text  # the drawn signature is in its report
    assert (state["signature"]["quality"], state["signature"]["attitude"]) == (5, 4)

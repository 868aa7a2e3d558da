"""Replacement units through the HTTP API (P9, 003, 004): a unit replaced on a repair enters
the archive in the old one's place with the warranty the profile gives it (the standard
profile: inherit, plus 3 months), the old one links to it and takes no more repairs, and a
replaced component's own term restarts. The report and the timeline say so."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.intake import SERVICE_TIMEZONE
from models.lifecycle import Role
from tests.test_api import SIGNED, intake_body, problem, register
from tests.workflow_helpers import eventually
from warranty.entitlement import add_days, add_months


async def on_site(as_role, serial: str) -> str:
    number = await register(as_role, asset_serial=serial)
    for role, action, body in (
        (Role.SUPPORT, "acknowledge", {}),
        (Role.SUPPORT, "diagnose", {"outcome": "needs_onsite", "notes": "no picture"}),
        (Role.DISPATCHER, "assign", {"engineer_id": "E001"}),
        (Role.ENGINEER, "check-in", {}),
    ):
        r = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    return number


async def test_a_replaced_unit_enters_the_archive_and_the_old_one_links_to_it(as_role):
    today = datetime.now(ZoneInfo(SERVICE_TIMEZONE)).date()
    invoice = today - timedelta(days=30)
    old, new = f"RP{secrets.token_hex(3).upper()}", f"RN{secrets.token_hex(3).upper()}"
    created = await as_role(
        Role.ADMIN,
        "POST",
        "/v1/assets",
        json={
            "serial": old,
            "model": "DS-2CD",
            "category": "camera",
            "customer_id": "C001",
            "invoice_date": invoice.isoformat(),
            "manufacture_date": (invoice - timedelta(days=60)).isoformat(),
            "purpose": "大门 gate",
            "warranty": {"months": 12, "components": {"lens": 6}},
        },
    )
    assert created.status_code == 201, created.text
    number = await on_site(as_role, old)

    async def report(body: dict, status: int = 200) -> dict:
        path = f"/v1/service-requests/{number}/report-repair"
        r = await as_role(Role.ENGINEER, "POST", path, json=body)
        return problem(r, status) if status >= 400 else r.json()

    replace = {"result": "replace", "work_done": "整机更换 unit replaced"}
    taken = await report(replace | {"replacement_serial": "SN-1001"}, 409)
    assert "SN-1001 is in the archive already" in taken["detail"]
    itself = await report(replace | {"replacement_serial": old}, 422)
    assert "is the unit being replaced" in itself["detail"]
    bad = await report(replace | {"replacement_serial": "new unit 1"}, 422)
    assert "replacement_serial" in bad["detail"]
    state = await report(replace | {"replacement_serial": new, "replacement_model": "DS-2CD-V2"})
    assert state["stage"] == "awaiting_signature"

    async def archived(serial: str, key: str) -> dict | None:
        r = await as_role(Role.SUPPORT, "GET", f"/v1/assets/{serial}")
        return r.json() if r.status_code == 200 and r.json().get(key) else None

    unit = await eventually(lambda: archived(new, "replaces"))
    # Same customer and terms, the new model; the old unit's end (its 12 months, this repair's
    # day) plus the standard profile's 3 months; its lens is new.
    old_end = add_days(add_months(invoice, 12), -1 + 1)
    assert (unit["customer_id"], unit["model"], unit["category"]) == ("C001", "DS-2CD-V2", "camera")
    assert unit["invoice_date"] == invoice.isoformat() and unit["manufacture_date"] is None
    assert unit["purpose"] == "大门 gate" and unit["repairs"] == []
    assert unit["warranty"]["inherited_end"] == add_months(old_end, 3).isoformat()
    lens_end = add_days(add_months(today, 6), -1)
    assert unit["warranty"]["fitted_components"] == {
        "lens": {"fitted_on": today.isoformat(), "ends_on": lens_end.isoformat()}
    }
    link = {"old_serial": old, "new_serial": new, "on": today.isoformat(), "request": number}
    assert unit["replaces"] == link and unit["replaced"] is None
    gone = (await as_role(Role.SUPPORT, "GET", f"/v1/assets/{old}")).json()
    assert gone["replaced"] == link and gone["replaces"] is None

    # The record as read goes back as it is; the edit keeps the link (the system's).
    edited = await as_role(Role.ADMIN, "PUT", f"/v1/assets/{old}", json=gone | {"purpose": "旧"})
    assert edited.status_code == 200, edited.text
    assert (await as_role(Role.SUPPORT, "GET", f"/v1/assets/{old}")).json()["replaced"] == link
    refused = problem(await as_role(Role.ADMIN, "DELETE", f"/v1/assets/{new}"), 409)
    assert "unit(s) it replaced" in refused["detail"] and old in refused["detail"]

    report_html = await as_role(
        Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/report.html"
    )
    wanted = f"新序列号 new serial {new} (DS-2CD-V2) · 新机保修至 new unit's warranty to "
    assert wanted + add_months(old_end, 3).isoformat() in report_html.text
    timeline = (
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    ).json()
    replaced = [e for e in timeline if e["kind"] == "unit_replaced"]
    assert [e["data"]["new_serial"] for e in replaced] == [new]

    # The old unit takes no more repairs: the new one does.
    answer = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(asset_serial=old)
    )
    assert f"replaced by {new}" in problem(answer, 422)["detail"]
    signed = await as_role(
        Role.CUSTOMER, "POST", f"/v1/service-requests/{number}/sign", json=SIGNED
    )
    assert signed.status_code == 200, signed.text

    # The new unit's lens replaced: its own term restarts, with the 3 months.
    second = await on_site(as_role, new)
    lens = [{"part_no": "LENS-4MM", "qty": 1, "component": "lens"}, {"part_no": "SCREW", "qty": 2}]
    fixed = {"result": "fixed", "work_done": "换镜头 new lens", "parts": lens}
    path = f"/v1/service-requests/{second}/report-repair"
    assert (await as_role(Role.ENGINEER, "POST", path, json=fixed)).status_code == 200

    async def lens_restarted() -> dict | None:
        unit = (await as_role(Role.SUPPORT, "GET", f"/v1/assets/{new}")).json()
        fitted = unit["warranty"]["fitted_components"]["lens"]
        return fitted if fitted["ends_on"] != lens_end.isoformat() else None

    fitted = await eventually(lens_restarted)
    assert fitted == {
        "fitted_on": today.isoformat(),
        "ends_on": add_days(add_months(today, 9), -1).isoformat(),
    }
    html = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{second}/report.html")
    assert "LENS-4MM × 1 · 部件 component lens" in html.text

"""Spare parts through the HTTP API: the need with serials, the shipment and arrival, the faulty
part returned for appraisal, and where people see it — the report, the timeline, the clocks."""

from __future__ import annotations

from models.lifecycle import Role
from tests.test_api import SIGNED, intake_body
from tests.test_report import auth
from tests.workflow_helpers import eventually

NEEDS_PARTS = {
    "result": "needs_parts",
    "work_done": "镜头破裂 lens cracked",
    "parts": [{"part_no": "LENS-4MM", "qty": 1, "serials": ["L-0042"]}],
}


async def test_a_spare_part_from_need_to_appraisal(http, api_keys):
    async def do(action: str, role: Role, body: dict | None = None, status: int = 200) -> dict:
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body or {}, headers=auth(api_keys, role)
        )
        assert r.status_code == status, (action, r.text)
        if status >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
        return r.json()

    r = await http.post(
        "/v1/service-requests", json=intake_body(), headers=auth(api_keys, Role.INTAKE)
    )
    number = r.json()["number"]
    await do("acknowledge", Role.SUPPORT)
    await do("diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "lens"})
    await do("assign", Role.DISPATCHER, {"engineer_id": "E001"})
    await do("check-in", Role.ENGINEER)
    too_many = {**NEEDS_PARTS, "parts": [{"part_no": "X", "qty": 1, "serials": ["a", "b"]}]}
    problem = await do("report-repair", Role.ENGINEER, too_many, status=422)
    assert "2 serials for a quantity of 1" in problem["detail"]
    s = await do("report-repair", Role.ENGINEER, NEEDS_PARTS)
    assert s["stage"] == "awaiting_parts" and s["clocks"]["parts_ship"]["status"] == "running"

    assert "engineer" in (await do("parts-shipped", Role.ENGINEER, status=403))["detail"]
    shipped = {"carrier": "顺丰 SF", "tracking_no": "SF1234567890"}
    s = await do("parts-shipped", Role.DISPATCHER, shipped)
    assert s["clocks"]["parts_ship"]["status"] == "met"
    again = await do("parts-shipped", Role.DISPATCHER, shipped, status=409)
    assert "already shipped" in again["detail"]
    s = await do("parts-arrived", Role.DISPATCHER)
    assert s["stage"] == "dispatched" and s["clocks"]["parts_return"]["status"] == "running"
    await do("check-in", Role.ENGINEER)
    await do("report-repair", Role.ENGINEER, {"result": "fixed", "work_done": "换镜头 new lens"})
    s = await do("sign", Role.CUSTOMER, SIGNED)
    assert s["stage"] == "following_up"

    report = await http.get(
        f"/v1/service-requests/{number}/report.html", headers=auth(api_keys, Role.SUPERVISOR)
    )
    for text in ("备件 Spare parts", "LENS-4MM × 1 (L-0042)", "SF1234567890", "待寄回 awaited"):
        assert text in report.text, text
    for clock in ("备件发出 Spare shipped", "故障件寄回 Faulty part back"):
        assert clock in report.text, clock

    unsaid = await do("faulty-part-returned", Role.DISPATCHER, {"written_off": True}, status=422)
    assert "needs a reason" in unsaid["detail"]
    returned = {"serials": ["L-0007"], "appraisal": "进水 water inside"}
    s = await do("faulty-part-returned", Role.DISPATCHER, returned)
    assert s["clocks"]["parts_return"]["status"] == "met" and s["stage"] == "following_up"
    answers = {"satisfaction": 5, "solved": True, "attitude": 5}
    assert (await do("record-revisit", Role.REVISIT, answers))["stage"] == "completed"

    async def archived_report() -> str | None:
        r = await http.get(
            f"/v1/service-requests/{number}/report.html", headers=auth(api_keys, Role.SUPERVISOR)
        )
        return r.text if "已寄回 returned" in r.text else None

    html = await eventually(archived_report)
    assert "鉴定 Appraisal: 进水 water inside" in html and "(L-0007)" in html
    timeline = (
        await http.get(
            f"/v1/service-requests/{number}/timeline", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    kinds = {e["kind"]: e for e in timeline}
    assert kinds["parts_shipped"]["data"] == shipped
    assert kinds["faulty_part_returned"]["data"] == returned
    assert {"parts_ship", "parts_return"} <= {
        e["data"]["clock"] for e in timeline if e["kind"] == "clock_met"
    }

"""An inspection request (巡检) goes through dispatch and check-in, then a checklist report of
its asset category, and the customer's signature."""

from __future__ import annotations

from inspection import checklist_for
from models.lifecycle import Role
from tests.test_api import intake_body


def auth(api_keys, role):
    return {"Authorization": f"Bearer {api_keys[role]}"}


def test_checklists_per_category():
    assert len(
        checklist_for("camera")
    ) == 6 and "本地录像正常 Local recording works" in checklist_for("camera")
    assert checklist_for("projector") == checklist_for("*")


async def test_an_inspection_reports_its_whole_checklist(http, api_keys):
    body = intake_body(type="inspection", fault_code="INSPECTION", channel="visit", severity=4)
    r = await http.post("/v1/service-requests", json=body, headers=auth(api_keys, Role.INTAKE))
    number = r.json()["number"]
    for action, role, payload in (
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "季度巡检 quarterly"}),
        ("assign", Role.DISPATCHER, {}),
        ("check-in", Role.ENGINEER, {}),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=payload, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, r.text
    items = checklist_for("camera")  # SN-1001 is a camera
    partial = {
        "result": "fixed",
        "work_done": "巡检",
        "checklist": [{"item": items[0], "ok": True}],
    }
    r = await http.post(
        f"/v1/service-requests/{number}/report-repair",
        json=partial,
        headers=auth(api_keys, Role.ENGINEER),
    )
    assert r.status_code == 422 and items[1] in r.json()["detail"]
    full = partial | {
        "checklist": [
            {"item": i, "ok": i != items[4], "note": "3号机偏暗" if i == items[4] else None}
            for i in items
        ]
    }
    r = await http.post(
        f"/v1/service-requests/{number}/report-repair",
        json=full,
        headers=auth(api_keys, Role.ENGINEER),
    )
    assert r.status_code == 200 and r.json()["stage"] == "awaiting_signature"
    html = (
        await http.get(
            f"/v1/service-requests/{number}/report.html", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).text
    assert "巡检项目 Checklist" in html and "✘ " + items[4] in html and "3号机偏暗" in html

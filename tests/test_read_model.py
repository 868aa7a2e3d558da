"""Duplicate reports (一事多投) and the read model following the workflow, through the API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from db.tables import ServiceRequestRow
from models.lifecycle import Role
from models.state import ServiceRequestState
from tests.test_api import FIXED, SIGNED, intake_body


def auth(api_keys, role):
    return {"Authorization": f"Bearer {api_keys[role]}"}


async def test_a_second_report_of_an_open_fault_returns_the_open_request(http, api_keys):
    fault = f"F_{uuid.uuid4().hex[:8].upper()}"
    body = intake_body(fault_code=fault) | {"force_new": False}
    first = await http.post("/v1/service-requests", json=body, headers=auth(api_keys, Role.INTAKE))
    assert first.status_code == 201
    number = first.json()["number"]

    async def projected():
        r = await http.get(
            "/v1/service-requests?customer=C001&page_size=200",
            headers=auth(api_keys, Role.SUPERVISOR),
        )
        return number in [i["number"] for i in r.json()["items"]]

    for _ in range(100):  # the duplicate check reads the read model
        if await projected():
            break
        await asyncio.sleep(0.05)
    again = await http.post(
        "/v1/service-requests",
        json=body | {"channel": "wechat"},
        headers=auth(api_keys, Role.INTAKE),
    )
    assert again.status_code == 200
    assert again.json()["number"] == number and again.json()["duplicate"] is True
    other_fault = await http.post(
        "/v1/service-requests",
        json=body | {"fault_code": f"{fault}_X"},
        headers=auth(api_keys, Role.INTAKE),
    )
    assert other_fault.status_code == 201 and other_fault.json()["number"] != number
    forced = await http.post(
        "/v1/service-requests", json=body | {"force_new": True}, headers=auth(api_keys, Role.INTAKE)
    )
    assert forced.status_code == 201 and forced.json()["number"] != number


async def test_the_read_model_agrees_with_the_workflow_after_every_action(http, api_keys, sessions):
    created = await http.post(
        "/v1/service-requests", json=intake_body(), headers=auth(api_keys, Role.INTAKE)
    )
    number = created.json()["number"]
    appointment = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    steps = [
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "x"}),
        ("assign", Role.DISPATCHER, {"engineer_id": "E001"}),
        ("schedule-visit", Role.ENGINEER, {"appointment_at": appointment}),
        ("check-in", Role.ENGINEER, {}),
        ("report-repair", Role.ENGINEER, {"result": "needs_parts", "work_done": "x"}),
        ("parts-shipped", Role.DISPATCHER, {"tracking_no": "SF1"}),
        ("parts-arrived", Role.DISPATCHER, {}),
        ("check-in", Role.ENGINEER, {}),
        ("report-repair", Role.ENGINEER, FIXED),
        ("sign", Role.CUSTOMER, SIGNED),
        ("record-revisit", Role.REVISIT, {"satisfaction": 5, "solved": True, "attitude": 5}),
        # the faulty part, back after the last call: that completes the request
        ("faulty-part-returned", Role.DISPATCHER, {"appraisal": "x"}),
    ]
    await agree(http, api_keys, sessions, number)
    for action, role, body in steps:
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, (action, r.text)
        await agree(http, api_keys, sessions, number)
        if action == "sign":
            for _ in range(100):
                if (await live(http, api_keys, number)).stage == "following_up":
                    break
                await asyncio.sleep(0.05)
            await agree(http, api_keys, sessions, number)
    assert (await live(http, api_keys, number)).stage == "completed"


async def live(http, api_keys, number) -> ServiceRequestState:
    r = await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR))
    return ServiceRequestState.model_validate(r.json())


async def agree(http, api_keys, sessions, number):
    """The projection catches up with the workflow (it is written by the workflow's own
    activity right after each change) and then holds exactly the queried state."""
    for _ in range(100):
        state = await live(http, api_keys, number)
        with sessions() as session:
            row = session.get(ServiceRequestRow, number)
            if row is not None and row.version == state.version:
                assert ServiceRequestState.model_validate(row.state) == state
                assert (row.stage, row.engineer_id) == (state.stage, state.engineer)
                assert row.sla_status == state.sla_status
                assert row.next_deadline == state.next_deadline
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the read model never caught up with {number}")

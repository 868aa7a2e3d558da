"""After close: the revisit call list, unreachable customers called again, and complaints that
open a linked rework request (SPEC §2 "After close")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models.lifecycle import Role
from tests.sla_fixtures import OFFICE
from tests.test_api import SIGNED, intake_body
from tests.workflow_helpers import act, start, until


def auth(api_keys, role):
    return {"Authorization": f"Bearer {api_keys[role]}"}


async def closed_request(http, api_keys) -> str:
    r = await http.post(
        "/v1/service-requests", json=intake_body(), headers=auth(api_keys, Role.INTAKE)
    )
    number = r.json()["number"]
    for action, role, body in (
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "resolved_remotely", "notes": "重启录像机"}),
        ("sign", Role.CUSTOMER, SIGNED),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, r.text
    for _ in range(100):
        got = await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.REVISIT))
        if got.json()["stage"] == "following_up":
            return number
        await asyncio.sleep(0.05)
    raise AssertionError("never reached following_up")


async def test_a_closed_request_is_on_the_call_list_and_a_complaint_opens_a_rework(http, api_keys):
    number = await closed_request(http, api_keys)
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    calls = (
        await http.get(
            "/v1/revisits", params={"due_before": later}, headers=auth(api_keys, Role.REVISIT)
        )
    ).json()
    call = next(c for c in calls if c["number"] == number)
    assert call["customer_name"] == "青岛港湾物流有限公司" and call["contact"]
    assert call["asset_serial"] == "SN-1001" and call["work_done"] == "重启录像机"
    not_yet = (await http.get("/v1/revisits", headers=auth(api_keys, Role.REVISIT))).json()
    assert number not in [c["number"] for c in not_yet]  # due in 3 working days, not now
    r = await http.get("/v1/revisits", headers=auth(api_keys, Role.ENGINEER))
    assert r.status_code == 403

    answers = {"satisfaction": 1, "solved": False, "attitude": 3, "suggestions": "还是黑屏"}
    r = await http.post(
        f"/v1/service-requests/{number}/record-revisit",
        json=answers,
        headers=auth(api_keys, Role.REVISIT),
    )
    state = r.json()
    assert state["stage"] == "completed"
    (rework,) = state["reworks"]
    assert (
        state["complaints"][0]["rework"] == rework
        and state["complaints"][0]["reason"] == "还是黑屏"
    )
    supervisor = [e for e in state["escalations"] if e["clock"] == "complaint"]
    assert supervisor and supervisor[0]["notified"] == ["supervisor"]

    for _ in range(100):
        linked = await http.get(
            f"/v1/service-requests/{rework}", headers=auth(api_keys, Role.SUPERVISOR)
        )
        if linked.status_code == 200:
            break
        await asyncio.sleep(0.05)
    linked_state = linked.json()
    assert linked_state["linked_to"] == number and linked_state["asset_serial"] == "SN-1001"
    assert linked_state["stage"] == "registered"
    timeline = (
        await http.get(
            f"/v1/service-requests/{number}/timeline", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    assert any(e["kind"] == "complaint" and e["data"]["rework"] == rework for e in timeline)
    for _ in range(100):  # the rework's own timeline names the original
        rework_timeline = (
            await http.get(
                f"/v1/service-requests/{rework}/timeline", headers=auth(api_keys, Role.SUPERVISOR)
            )
        ).json()
        if rework_timeline:
            break
        await asyncio.sleep(0.05)
    assert rework_timeline[0]["data"]["rework_of"] == number


async def test_a_satisfied_customer_opens_no_complaint(http, api_keys):
    number = await closed_request(http, api_keys)
    answers = {"satisfaction": 4, "solved": True, "attitude": 5}
    r = await http.post(
        f"/v1/service-requests/{number}/record-revisit",
        json=answers,
        headers=auth(api_keys, Role.REVISIT),
    )
    assert r.json()["stage"] == "completed" and r.json()["reworks"] == []


async def test_an_unreachable_customer_is_called_again_after_a_working_day(
    ts_env, ts_client, intake
):
    handle = await start(ts_client, intake(at=await ts_env.get_current_time()))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "x"})
    await act(handle, "sign", "customer", SIGNED)
    await until(handle, lambda s: s.stage == "following_up")
    s = await act(handle, "record_revisit", "revisit", {"unreachable": True})
    attempt_at = s.revisits[0].due
    assert s.revisits[0].attempts == 1 and s.stage == "following_up"
    # the next call: the end of the next office working day after the failed attempt
    assert attempt_at == OFFICE.working_days_end(await ts_env.get_current_time(), 1)

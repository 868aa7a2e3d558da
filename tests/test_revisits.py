"""After close: the revisit call list, unreachable customers called again, and complaints that
open a linked rework request (SPEC §2 "After close")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.tables import Notification
from models.lifecycle import Role
from tests.sla_fixtures import OFFICE
from tests.test_api import SIGNED, intake_body
from tests.workflow_helpers import act, eventually, start, until


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


async def test_a_closed_request_is_on_the_call_list_and_a_complaint_opens_a_rework(
    http, api_keys, sessions
):
    number = await closed_request(http, api_keys)
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    desk = auth(api_keys, Role.REVISIT)
    calls = (await http.get("/v1/revisits", params={"due_before": later}, headers=desk)).json()
    call = next(c for c in calls if c["number"] == number)
    assert call["id"] == f"{number}-R1" and call["kind"] == "after_close"
    assert call["customer_name"] == "青岛港湾物流有限公司" and call["contact"]
    assert call["asset_serial"] == "SN-1001" and call["work_done"] == "重启录像机"
    not_yet = (await http.get("/v1/revisits", headers=desk)).json()
    assert number not in [c["number"] for c in not_yet]  # due in 3 working days, not now
    r = await http.get("/v1/revisits", headers=auth(api_keys, Role.ENGINEER))
    assert r.status_code == 403

    answers = {"satisfaction": 1, "solved": False, "attitude": 3, "suggestions": "还是黑屏"}
    keyed = desk | {"Idempotency-Key": f"answer-{number}"}
    r = await http.post(f"/v1/revisits/{call['id']}/record", json=answers, headers=keyed)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "answered" and r.json()["satisfaction"] == 1
    by = r.json()["answered_by"]  # the desk's key, not a name the caller chose
    assert by["role"] == "revisit" and by["name"] == "test-revisit" and by["key_id"]
    # the same answer sent again (a lost response): the first answer, not a second complaint
    retried = await http.post(f"/v1/revisits/{call['id']}/record", json=answers, headers=keyed)
    assert retried.status_code == 200, retried.text
    assert retried.json()["answered_at"] == r.json()["answered_at"]
    state = (await http.get(f"/v1/service-requests/{number}", headers=desk)).json()
    assert state["stage"] == "completed"
    (rework,) = state["reworks"]
    (complaint,) = state["complaints"]
    assert complaint["rework"] == rework and complaint["reason"] == "还是黑屏"
    assert complaint["number"] == f"{number}-C1"
    # the standard profile: 24 hours round the clock to answer
    opened = datetime.fromisoformat(complaint["opened_at"])
    assert datetime.fromisoformat(complaint["respond_by"]) == opened + timedelta(hours=24)
    r = await http.post(f"/v1/revisits/{call['id']}/record", json=answers, headers=desk)
    assert r.status_code == 409  # answered already

    async def linked() -> dict[str, object] | None:
        found = await http.get(f"/v1/service-requests/{rework}", headers=desk)
        return found.json() if found.status_code == 200 else None

    linked_state = await eventually(linked)
    assert linked_state["linked_to"] == number and linked_state["asset_serial"] == "SN-1001"
    assert linked_state["stage"] == "registered"
    timeline = (await http.get(f"/v1/service-requests/{number}/timeline", headers=desk)).json()
    assert any(e["kind"] == "complaint" and e["data"]["rework"] == rework for e in timeline)

    async def rework_timeline() -> list[dict[str, object]]:
        return (await http.get(f"/v1/service-requests/{rework}/timeline", headers=desk)).json()

    assert (await eventually(rework_timeline))[0]["data"]["rework_of"] == number

    # The supervisor's complaint, told at once, answered through the API.
    supervisor = auth(api_keys, Role.SUPERVISOR)

    async def listed() -> list[dict[str, object]]:
        found = await http.get("/v1/complaints", params={"status": "open"}, headers=supervisor)
        return [c for c in found.json() if c["number"] == complaint["number"]]

    (row,) = await eventually(listed)
    assert row["source"] == "revisit" and row["about"] == number and row["rework"] == rework

    def queued() -> Notification | None:  # the complaint's workflow queues it a moment later
        with sessions() as session:
            return session.scalars(
                select(Notification).where(Notification.key == f"{complaint['number']}/opened")
            ).one_or_none()

    told = await eventually(queued)
    assert told.kind == "complaint_opened" and told.recipients == ["supervisor"]

    url = f"/v1/complaints/{complaint['number']}"
    answer = {"response": "已致电客户致歉，返修单已派工程师", "remedy": "免费更换录像机硬盘"}
    assert (await http.post(f"{url}/respond", json=answer, headers=desk)).status_code == 403
    assert (await http.post(f"{url}/respond", json={}, headers=supervisor)).status_code == 422
    assert (
        await http.post("/v1/complaints/SR-0-C9/respond", json=answer, headers=supervisor)
    ).status_code == 404
    answered = await http.post(f"{url}/respond", json=answer, headers=supervisor)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "responded" and answered.json()["breached_at"] is None
    twice = await http.post(f"{url}/respond", json=answer, headers=supervisor)
    assert twice.status_code == 409
    shown = (await http.get(url, headers=supervisor)).json()
    assert shown["response"] == answer["response"] and shown["responded_by"] == "test-supervisor"
    assert shown["responder"]["role"] == "supervisor" and shown["responder"]["key_id"]
    assert "test-supervisor" in twice.json()["detail"]  # who answered it already
    assert await eventually(lambda: _listed_as(http, supervisor, complaint["number"], "responded"))


async def _listed_as(http, headers, number: str, status: str) -> bool:
    found = await http.get("/v1/complaints", params={"status": status}, headers=headers)
    return number in [c["number"] for c in found.json()]


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
    planned = (await until(handle, lambda s: s.stage == "following_up")).revisits[0].due
    # tried early: the next attempt stays at the planned call, never earlier
    s = await act(handle, "record_revisit", "revisit", {"unreachable": True})
    assert s.revisits[0].attempts == 1 and s.revisits[0].due == planned
    # tried when due: the next call is the end of the next office working day
    await ts_env.sleep(planned - await ts_env.get_current_time() + timedelta(minutes=1))
    s = await act(handle, "record_revisit", "revisit", {"unreachable": True})
    attempt_at = s.revisits[0].due
    assert s.revisits[0].attempts == 2 and s.stage == "following_up"
    assert attempt_at == OFFICE.working_days_end(await ts_env.get_current_time(), 1)

"""A customer's own escalation (客户升级, 002: "C-1 may be escalated by the user"): through the
customer's key or by intake on their behalf, with a reason; the profile's next level is told at
once, at night too; once per level, never past the last, never after close."""

from __future__ import annotations

from sqlalchemy import select

from db.tables import Notification
from models.lifecycle import Role
from tests.test_api import register
from tests.test_web_app import csrf_of, signed_in
from tests.test_workflow_sla import move_to_evening
from tests.workflow_helpers import act, eventually, rejected, start


def told(sessions, number: str) -> list[tuple[str, list[str], str]]:
    with sessions() as session:
        rows = session.scalars(
            select(Notification)
            .where(Notification.number == number, Notification.kind == "customer_escalated")
            .order_by(Notification.id)
        )
        return [(n.key, n.recipients, n.body or "") for n in rows]


async def test_each_level_is_told_at_once_even_at_night_and_only_once(
    ts_env, ts_client, intake, sessions
):
    await move_to_evening(ts_env)  # 22:00: a severity 3 alarm would wait for the morning
    handle = await start(ts_client, intake(at=await ts_env.get_current_time(), severity=3))
    s = await act(handle, "escalate", "customer", {"reason": "三天没人来 nobody came for 3 days"})
    first = s.customer_escalations[0]
    assert (first.level, first.notified) == (1, ["supervisor"])
    assert first.by == "test-customer (customer, C001)"
    assert [(e.kind, e.clock, e.notified) for e in s.escalations] == [
        ("customer", "customer", ["supervisor"])
    ]
    notices = await eventually(lambda: told(sessions, s.number))
    key, recipients, body = notices[0]
    assert key.endswith("/customer-escalation/1") and recipients == ["supervisor"]
    assert "三天没人来" in body and "第 1 级" in body

    s = await act(handle, "escalate", "intake", {"reason": "the customer called again"})
    assert [(e.level, e.notified) for e in s.customer_escalations] == [
        (1, ["supervisor"]),
        (2, ["manager"]),
    ]
    notices = await eventually(lambda: (found := told(sessions, s.number))[1:] and found)
    assert notices[1][0].endswith("/customer-escalation/2") and notices[1][1] == ["manager"]
    last = await rejected(handle, "escalate", "customer", {"reason": "and again"})
    assert last.type == "Conflict" and "already escalated to the last level (2" in last.message


async def test_no_escalation_after_close(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await ts_env.get_current_time()))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "x"})
    signed = {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
    assert (await act(handle, "sign", "customer", signed)).stage == "following_up"
    closed = await rejected(handle, "escalate", "customer", {"reason": "too late"})
    assert closed.type == "WrongStage"
    assert "cannot escalate while the request is 'following_up'" in closed.message


async def test_escalation_through_the_api_is_held_to_the_customer_and_needs_a_reason(
    as_role, person_keys
):
    number = await register(as_role)
    path = f"/v1/service-requests/{number}/escalate"
    other = {"Authorization": f"Bearer {person_keys['C002']}"}
    stranger = await as_role(Role.CUSTOMER, "POST", path, json={"reason": "x"}, headers=other)
    assert stranger.status_code == 404  # another customer's request does not exist for them
    blank = await as_role(Role.CUSTOMER, "POST", path, json={"reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.text
    support = await as_role(Role.SUPPORT, "POST", path, json={"reason": "x"})
    assert support.status_code == 403
    own = await as_role(Role.CUSTOMER, "POST", path, json={"reason": "the line is down"})
    assert own.status_code == 200, own.text
    assert own.json()["customer_escalations"][0]["reason"] == "the line is down"
    timeline = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    escalated = [e for e in timeline.json() if e["kind"] == "customer_escalated"]
    assert escalated[0]["data"] == {"level": 1, "reason": "the line is down"}
    assert escalated[0]["by"]["customer_id"] == "C001"


async def test_intake_escalates_from_the_request_page(api_url, api_keys, as_role):
    number = await register(as_role)
    async with signed_in(api_url, api_keys[Role.INTAKE]) as client:
        page = await eventually(lambda: _ok(client.get(f"/app/requests/{number}")))
        assert "客户升级 Escalate" in page.text
        sent = await client.post(
            f"/app/requests/{number}/escalate",
            data={"reason": "客户电话催促 the customer chased", "csrf_token": csrf_of(page)},
        )
        assert sent.status_code == 303, sent.text
        shown = await client.get(sent.headers["location"])
        assert "客户要求升级 Customer escalated" in shown.text
        assert "客户电话催促" in shown.text


async def _ok(response):
    answer = await response
    return answer if answer.status_code == 200 else None

"""The HTTP API on the Temporal dev server, over real HTTP (uvicorn on a loopback port)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from db.tables import Intake
from models.lifecycle import Role
from tests.conftest import serve
from tests.workflow_helpers import eventually

QUOTE = {
    "lines": [
        {"kind": "part", "description": "mixer board", "amount": "1200.00"},
        {"kind": "travel", "description": "Jinan city", "amount": "80"},
    ]
}
FIXED = {"result": "fixed", "work_done": "replaced the lens", "test_result": "picture ok"}
SIGNED = {"signer": "王强", "typed_name": "王强", "quality": 5, "attitude": 4}


def intake_body(**fields: object) -> dict[str, object]:
    return {
        "channel": "phone",
        "customer_id": "C001",
        "asset_serial": "SN-1001",
        "severity": 2,
        "fault_code": "NO_PICTURE",
        "force_new": True,  # tests report the same fault many times
        "description": "camera 3 shows a black picture",
        "contact": {"name": "王强", "phone": "+86 532 8000 1001"},
    } | fields


@pytest.fixture
def own_key(as_role, person_keys):
    """The key of the request's own customer, or of the engineer assigned to it now."""

    async def key(number: str, role: Role) -> dict[str, str]:
        if role not in (Role.CUSTOMER, Role.ENGINEER):
            return {}
        found = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")
        state = found.json()
        person = state["customer_id"] if role == Role.CUSTOMER else state["engineer"]
        return {"Authorization": f"Bearer {person_keys[person]}"} if person else {}

    return key


@pytest.fixture
def action(as_role, own_key):
    """An action by `role`; a customer or engineer is the request's own one."""

    async def do(number: str, name: str, role: Role, body: dict | None = None, status: int = 200):
        response = await as_role(
            role,
            "POST",
            f"/v1/service-requests/{number}/{name}",
            json=body or {},
            headers=await own_key(number, role),
        )
        assert response.status_code == status, response.text
        return response.json()

    return do


async def register(as_role, **fields: object) -> str:
    response = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(**fields)
    )
    assert response.status_code == 201, response.text
    return response.json()["number"]


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


async def test_repair_to_completed_through_the_api(as_role, action, dev_client):
    response = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=intake_body())
    assert response.status_code == 201
    created = response.json()
    number = created["number"]
    assert created["workflow_id"] == f"service-request-{number}"
    assert created["stage"] == "registered" and created["entitlement"]["status"] == "in_warranty"
    assert created["clocks"]["response"]["due"] is not None  # planned at intake

    assert (await action(number, "acknowledge", Role.SUPPORT))["stage"] == "diagnosing"
    s = await action(number, "diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "lens"})
    assert s["stage"] == "awaiting_dispatch"
    s = await action(number, "assign", Role.DISPATCHER)
    assert s["stage"] == "dispatched" and s["engineer"] == "E001"
    appointment = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    await action(number, "schedule-visit", Role.ENGINEER, {"appointment_at": appointment})
    assert (await action(number, "check-in", Role.ENGINEER))["stage"] == "on_site"
    s = await action(number, "report-repair", Role.ENGINEER, FIXED)
    assert s["stage"] == "awaiting_signature"
    s = await action(number, "sign", Role.CUSTOMER, SIGNED)
    assert s["stage"] == "following_up" and s["outcome"] == "fixed"

    async def following_up():
        r = await as_role(Role.REVISIT, "GET", f"/v1/service-requests/{number}")
        return r.json()["stage"] == "following_up"

    await eventually(following_up)
    answers = {"satisfaction": 5, "solved": True, "attitude": 5, "suggestions": "快"}
    assert (await action(number, "record-revisit", Role.REVISIT, answers))["stage"] == "completed"

    # finished: served from the read model, with the same shape
    final = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert final["stage"] == "completed" and final["revisits"][0]["satisfaction"] == 5
    for clock in ("response", "diagnosis", "arrival", "resolution", "signature"):
        assert set(final["clocks"][clock]) >= {"due", "status", "met_at"}
        assert final["clocks"][clock]["status"] == "met"
    timeline = (
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    ).json()
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    assert (
        timeline[0]["kind"] == "registered"
        and [e for e in timeline if e["kind"] == "stage_changed"][-1]["data"]["to"] == "completed"
    )
    assert timeline[0]["actor"] == "test-intake" and timeline[1]["actor"] == "system"

    listed = (
        await as_role(
            Role.SUPERVISOR,
            "GET",
            "/v1/service-requests",
            params={"stage": "completed", "engineer": "E001"},
        )
    ).json()
    assert number in [item["number"] for item in listed["items"]]
    r = await as_role(
        Role.SUPERVISOR,
        "POST",
        f"/v1/service-requests/{number}/cancel",
        json={"reason": "too late"},
    )
    problem(r, 409)


async def test_remote_resolution(as_role, action):
    number = await register(as_role)
    await action(number, "acknowledge", Role.SUPPORT)
    s = await action(
        number,
        "diagnose",
        Role.SUPPORT,
        {"outcome": "resolved_remotely", "notes": "restarted the NVR by phone"},
    )
    assert s["stage"] == "awaiting_signature" and s["clocks"]["arrival"]["status"] == "not_started"
    s = await action(number, "sign", Role.CUSTOMER, SIGNED)
    assert s["outcome"] == "resolved_remotely"


async def test_out_of_warranty_quote_declined(as_role, action):
    number = await register(as_role, customer_id="C003", asset_serial="SN-1003", fault_code="HUM")
    await action(number, "acknowledge", Role.SUPPORT)
    r = await as_role(
        Role.SUPPORT,
        "POST",
        f"/v1/service-requests/{number}/diagnose",
        json={"outcome": "needs_onsite", "notes": "board"},
    )
    assert "quote" in problem(r, 422)["detail"]
    s = await action(
        number,
        "diagnose",
        Role.SUPPORT,
        {"outcome": "needs_onsite", "notes": "board", "quote": QUOTE},
    )
    assert s["stage"] == "awaiting_approval" and s["quote"]["total"] == "1280.00"
    assert s["entitlement"] == {
        "status": "out_of_warranty",
        "warranty_start": "2024-09-01",
        "warranty_end": "2025-08-31",
        "remedies": ["paid_repair"],
        "chargeable": True,
    }
    s = await action(number, "decline-quote", Role.CUSTOMER, {"reason": "buying a new one"})
    assert s["stage"] == "following_up" and s["outcome"] == "declined"

    # Its satisfaction call says what it is about, and lists no work: none was done.
    async def call():
        r = await as_role(
            Role.REVISIT, "GET", "/v1/revisits", params={"due_before": "2100-01-01T00:00:00Z"}
        )
        return next((c for c in r.json() if c["number"] == number), None)

    listed = await eventually(call)
    assert listed["work_done"] is None
    assert "declined" in listed["about"] and "buying a new one" in listed["about"]


async def test_cancel_before_and_after_on_site(as_role, action):
    number = await register(as_role)
    s = await action(number, "cancel", Role.INTAKE, {"reason": "duplicate call"})
    assert s["stage"] == "cancelled"
    other = await register(as_role)
    await action(other, "acknowledge", Role.SUPPORT)
    await action(other, "diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "x"})
    await action(other, "assign", Role.DISPATCHER, {"engineer_id": "E001"})
    await action(other, "check-in", Role.ENGINEER)
    r = await as_role(
        Role.INTAKE, "POST", f"/v1/service-requests/{other}/cancel", json={"reason": "x"}
    )
    assert "on_site" in problem(r, 409)["detail"]
    assert (await action(other, "cancel", Role.SUPERVISOR, {"reason": "contract ended"}))[
        "stage"
    ] == "cancelled"


async def test_duplicate_intake_sequential(as_role, sessions):
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    first = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(), headers=headers
    )
    again = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(), headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"] and again.json()["duplicate"] is True
    changed = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(severity=1), headers=headers
    )
    assert first.json()["number"] in problem(changed, 409)["detail"]

    ref = f"CALL-{uuid.uuid4().hex[:8]}"
    a = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(external_ref=ref)
    )
    b = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(external_ref=ref)
    )
    assert (a.status_code, b.status_code) == (201, 200) and a.json()["number"] == b.json()["number"]


async def test_duplicate_intake_concurrent_starts_one_workflow(as_role, sessions, dev_client):
    ref = f"CALL-{uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(
        *(
            as_role(Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(external_ref=ref))
            for _ in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == 1
    with sessions() as session:
        rows = session.scalar(
            select(func.count()).select_from(Intake).where(Intake.external_ref == ref)
        )
    assert rows == 1
    (number,) = numbers
    query = f"WorkflowId = 'service-request-{number}'"

    async def runs():
        return [w async for w in dev_client.list_workflows(query)]

    assert len(await eventually(runs)) == 1  # one workflow, one run


async def test_roles_and_authentication(as_role, http):
    r = await as_role(Role.ENGINEER, "POST", "/v1/service-requests", json=intake_body())
    assert "intake" in problem(r, 403)["detail"]
    number = await register(as_role)
    r = await as_role(Role.SUPPORT, "POST", f"/v1/service-requests/{number}/check-in", json={})
    assert "engineer" in problem(r, 403)["detail"]
    r = await as_role(Role.CUSTOMER, "GET", f"/v1/service-requests/{number}")
    assert r.status_code == 200 and r.json()["customer_id"] == "C001"  # its own request
    problem(await http.get("/v1/service-requests"), 401)
    problem(await http.get("/v1/service-requests", headers={"Authorization": "Bearer nope"}), 401)
    problem(await http.get("/v1/service-requests", headers={"X-API-Key": "nope"}), 401)


async def test_wrong_stage_names_stage_and_allowed_actions(as_role):
    number = await register(as_role)
    r = await as_role(Role.DISPATCHER, "POST", f"/v1/service-requests/{number}/parts-arrived")
    detail = problem(r, 409)["detail"]
    assert "'registered'" in detail and "awaiting_parts" in detail


async def test_unknown_request_and_action(as_role):
    for path in (
        "/v1/service-requests/SR-20260101-999999",
        "/v1/service-requests/nonsense",
        "/v1/service-requests/SR-20260101-999999/timeline",
    ):
        problem(await as_role(Role.SUPERVISOR, "GET", path), 404)
    r = await as_role(
        Role.SUPPORT, "POST", "/v1/service-requests/SR-20260101-999999/acknowledge", json={}
    )
    problem(r, 404)
    number = await register(as_role)
    r = await as_role(Role.SUPPORT, "POST", f"/v1/service-requests/{number}/teleport", json={})
    assert "check-in" in problem(r, 404)["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (intake_body(severity=9), "severity"),
        (intake_body(customer_id="C999"), "customer_id"),
        (intake_body(asset_serial="SN-1002"), "asset_serial"),  # belongs to C002
        (intake_body(asset_serial="SN-4040"), "asset_serial"),
        (intake_body(sla_profile="gold"), "sla_profile"),
        (intake_body(reported_at="2099-01-01T00:00:00+08:00"), "reported_at"),
        (intake_body(reported_at="2020-01-01T00:00:00+08:00"), "reported_at"),
        (intake_body(reported_at="2026-11-20T10:00:00"), "reported_at"),  # no offset
        (intake_body(channel="pigeon"), "channel"),
        (intake_body(contact={"name": "x", "phone": "call me"}), "contact.phone"),
        ({k: v for k, v in intake_body().items() if k != "fault_code"}, "fault_code"),
        (intake_body(colour="red"), "colour"),
    ],
)
async def test_bad_intake_is_422_and_writes_nothing(as_role, sessions, body, field):
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Intake))
    r = await as_role(Role.INTAKE, "POST", "/v1/service-requests", json=body)
    errors = problem(r, 422)["errors"]
    assert field in [e["field"] for e in errors]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Intake)) == before


async def test_malformed_json_and_bad_action_bodies(as_role):
    r = await as_role(
        Role.INTAKE,
        "POST",
        "/v1/service-requests",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    problem(r, 422)
    number = await register(as_role)
    await as_role(Role.SUPPORT, "POST", f"/v1/service-requests/{number}/acknowledge")  # no body
    for body, field in (
        ({"outcome": "maybe", "notes": "x"}, "outcome"),
        ({"outcome": "needs_onsite"}, "notes"),
    ):
        r = await as_role(
            Role.SUPPORT, "POST", f"/v1/service-requests/{number}/diagnose", json=body
        )
        assert field in [e["field"] for e in problem(r, 422)["errors"]]
    r = await as_role(
        Role.SUPPORT, "POST", f"/v1/service-requests/{number}/pause", json={"reason": "lunch"}
    )
    assert "awaiting_customer" in problem(r, 422)["detail"]
    state = (await as_role(Role.SUPPORT, "GET", f"/v1/service-requests/{number}")).json()
    assert state["stage"] == "diagnosing" and not state["paused"]


async def test_list_filters_and_paging(as_role, action):
    number = await register(as_role, severity=4, region="weihai")

    async def listed():  # the read model follows the workflow's first activity
        r = await as_role(
            Role.SUPERVISOR,
            "GET",
            "/v1/service-requests",
            params={"region": "weihai", "severity": 4, "page_size": 1},
        )
        return r.json() if r.json()["total"] >= 1 else None

    page = await eventually(listed)
    assert len(page["items"]) == 1 and page["items"][0]["region"] == "weihai"
    assert number in [i["number"] for i in page["items"]]
    problem(
        await as_role(Role.SUPERVISOR, "GET", "/v1/service-requests", params={"severity": 7}), 422
    )
    problem(
        await as_role(Role.SUPERVISOR, "GET", "/v1/service-requests", params={"stage": "lost"}), 422
    )


async def test_breached_severity_1_is_found_by_search_attributes(as_role, action, dev_client):
    reported = (datetime.now(UTC) - timedelta(minutes=45)).isoformat()
    number = await register(as_role, severity=1, reported_at=reported)
    query = f"SlaStatus = 'breached' AND Severity = 1 AND WorkflowId = 'service-request-{number}'"

    async def found():
        return [w async for w in dev_client.list_workflows(query)]

    (execution,) = await eventually(found)
    assert execution.search_attributes["ServiceStage"] == ["registered"]
    assert execution.search_attributes["CustomerId"] == ["C001"]
    described = await dev_client.get_workflow_handle(execution.id).describe()
    assert number in (await described.static_summary() or "")

    async def breached_in_list():
        r = await as_role(Role.SUPERVISOR, "GET", "/v1/service-requests", params={"breached": True})
        return number in [i["number"] for i in r.json()["items"]]

    await eventually(breached_in_list)

    # Once the work is done the request leaves the supervisors' breached list, and stays
    # findable by what breached.
    for name, role, body in (
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "resolved_remotely", "notes": "reset"}),
        ("sign", Role.CUSTOMER, SIGNED),
    ):
        await action(number, name, role, body)
    finished = f"WorkflowId = 'service-request-{number}' AND BreachedClocks = 'response'"

    async def found_finished():
        return [w async for w in dev_client.list_workflows(finished)]

    (done,) = await eventually(found_finished)
    assert "SlaStatus" not in done.search_attributes
    assert "response" in done.search_attributes["BreachedClocks"]
    assert not await found()  # no longer in `SlaStatus = 'breached'`


async def test_outages_are_503_not_500(settings, api_keys):
    temporal_down = replace(settings, temporal_address="127.0.0.1:1")
    async with serve(temporal_down, None) as url, httpx.AsyncClient(base_url=url) as http:
        r = await http.get(
            "/v1/service-requests/SR-20260101-000001",
            headers={"Authorization": f"Bearer {api_keys[Role.SUPERVISOR]}"},
        )
        assert "workflow service" in problem(r, 503)["detail"]
        health = await http.get("/healthz")
        assert health.status_code == 503 and health.json()["temporal"].startswith("unavailable")
    db_down = replace(settings, database_url="postgresql+psycopg2://nobody@127.0.0.1:1/none")
    async with serve(db_down, None) as url, httpx.AsyncClient(base_url=url) as http:
        r = await http.get("/v1/service-requests", headers={"Authorization": "Bearer x"})
        assert "database" in problem(r, 503)["detail"]


async def test_openapi_documents_every_action(http):
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert "/v1/service-requests/{number}/check-in" in paths
    assert "/v1/service-requests/{number}/report-repair" in paths
    assert (await http.get("/healthz")).status_code == 200


async def test_a_key_reused_for_another_action_does_not_swallow_it(as_role):
    number = await register(as_role)
    headers = {"Idempotency-Key": "same-key"}
    path = f"/v1/service-requests/{number}"
    first = await as_role(Role.SUPPORT, "POST", f"{path}/acknowledge", json={}, headers=headers)
    again = await as_role(Role.SUPPORT, "POST", f"{path}/acknowledge", json={}, headers=headers)
    assert first.json()["stage"] == again.json()["stage"] == "diagnosing"  # deduplicated
    body = {"outcome": "needs_onsite", "notes": "x"}
    r = await as_role(Role.SUPPORT, "POST", f"{path}/diagnose", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["stage"] == "awaiting_dispatch"


async def test_external_ref_deduplicates_across_idempotency_keys(as_role):
    ref = f"CALL-{uuid.uuid4().hex[:8]}"
    numbers = set()
    for key in ("a", "b"):
        r = await as_role(
            Role.INTAKE,
            "POST",
            "/v1/service-requests",
            json=intake_body(external_ref=ref),
            headers={"Idempotency-Key": f"{ref}-{key}"},
        )
        numbers.add(r.json()["number"])
    assert len(numbers) == 1


PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360f8cfc0f01f0005000201c5d1b2a10000000049454e44ae426082"
    )
).decode()


async def test_a_drawn_signature_is_kept_with_its_hash(as_role, action):
    number = await register(as_role)
    await action(number, "acknowledge", Role.SUPPORT)
    await action(number, "diagnose", Role.SUPPORT, {"outcome": "resolved_remotely", "notes": "x"})
    bad = {"signer": "王强", "signature_png": "not-a-png-at-all!", "quality": 5, "attitude": 5}
    r = await as_role(Role.CUSTOMER, "POST", f"/v1/service-requests/{number}/sign", json=bad)
    assert "signature_png" in problem(r, 422)["detail"]
    signed = {
        "signer": "王强",
        "signature_png": f"data:image/png;base64,{PNG}",
        "quality": 4,
        "attitude": 5,
    }
    s = await action(number, "sign", Role.CUSTOMER, signed)
    assert s["signature"]["image_sha256"] == hashlib.sha256(base64.b64decode(PNG)).hexdigest()
    timeline = (
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    ).json()
    closed = next(e for e in timeline if e["data"].get("to") == "closed")
    # The image is kept with the signed report; the timeline (and history) has its digest.
    assert closed["data"]["signature_sha256"] == s["signature"]["image_sha256"]
    assert "signature_png" not in closed["data"]


async def test_absurd_paging_is_rejected(as_role):
    r = await as_role(Role.SUPERVISOR, "GET", "/v1/service-requests", params={"page": 10**20})
    problem(r, 422)


async def test_search_attributes_follow_the_clocks(as_role, action, dev_client):
    """At risk from the first percentage level, NextDeadline the earliest running due."""
    reported = datetime.now(UTC) - timedelta(minutes=25)  # 75 % of the 30-minute response passed
    number = await register(as_role, severity=1, reported_at=reported.isoformat())
    workflow_id = f"service-request-{number}"

    async def attributes(status):
        query = f"WorkflowId = '{workflow_id}' AND SlaStatus = '{status}'"
        found = [w async for w in dev_client.list_workflows(query)]
        return found[0].search_attributes if found else None

    at_risk = await eventually(lambda: attributes("at_risk"))
    assert at_risk["NextDeadline"][0] == reported + timedelta(minutes=30)
    await action(number, "acknowledge", Role.SUPPORT)
    await action(number, "pause", Role.SUPPORT, {"reason": "site_inaccessible"})
    paused = await eventually(lambda: attributes("paused"))
    assert "NextDeadline" not in paused  # unknown while paused


async def test_nul_characters_and_absurd_dates_are_422_not_500(as_role, http, api_keys):
    r = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(description="a\x00b")
    )
    assert "NUL" in problem(r, 422)["detail"]
    body = {"profile_name": "standard", "severity": 1, "reported_at": "9999-12-31T20:00:00+00:00"}
    r = await as_role(Role.SUPPORT, "POST", "/v1/sla/preview", json=body)
    problem(r, 422)


async def test_a_report_a_little_ahead_of_our_clock_is_clamped_to_now(as_role):
    ahead = (datetime.now(UTC) + timedelta(seconds=60)).isoformat()
    r = await as_role(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(reported_at=ahead)
    )
    assert r.status_code == 201
    due = datetime.fromisoformat(r.json()["clocks"]["response"]["due"])
    assert due <= datetime.now(UTC) + timedelta(minutes=60)  # severity 2: 60 minutes from now

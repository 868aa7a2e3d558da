"""A complaint the hotline takes (热线投诉, intake `"type": "complaint"`): a customer and a
description are enough, and only the complaint's clock runs (issue 11, item 20) — through the
API, on the dev server, with the worker."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from temporalio.client import Client

from db.session import SessionFactory
from db.tables import Intake, Notification
from models.lifecycle import Role
from tests.test_api import intake_body
from tests.workflow_helpers import eventually

INTAKE = "/v1/service-requests"
REQUIRED = "is required (only a complaint may leave it out)"


def auth(api_keys, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_keys[role]}"}


def complaint_body(**fields: object) -> dict[str, object]:
    return {
        "type": "complaint",
        "channel": "phone",
        "customer_id": "C001",
        "description": "工程师未按约定时间上门，态度也不好",
    } | fields


def new_caller() -> dict[str, object]:
    """A caller new to the archive, created with the complaint (SPEC §4)."""
    return {
        "customer_id": f"C-HOT-{uuid.uuid4().hex[:8]}",
        "customer": {"name": "青岛某银行", "region": "qingdao", "sla_profile": "standard"},
        "contact": {"name": "刘女士", "phone": "0532-8888 1234"},
    }


async def count(client: Client, workflow_type: str, customer: object) -> int:
    query = f"WorkflowType = '{workflow_type}' AND CustomerId = '{customer}'"
    return (await client.count_workflows(query)).count


def notice(sessions: SessionFactory, key: str) -> Notification | None:
    with sessions() as session:
        return session.scalars(select(Notification).where(Notification.key == key)).first()


def intakes(sessions: SessionFactory) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Intake)) or 0


async def test_a_customer_and_a_description_are_enough_and_only_the_complaint_clock_runs(
    http, api_keys, dev_client: Client, sessions
):
    caller = new_caller()
    before = datetime.now().astimezone()
    r = await http.post(INTAKE, json=complaint_body(**caller), headers=auth(api_keys, Role.INTAKE))
    assert r.status_code == 201, r.text
    answer = r.json()
    number = answer["number"]
    assert re.fullmatch(r"CP-\d{8}-\d{6}", number)
    assert answer["workflow_id"] == f"complaint-{number}" and answer["stage"] == "open"
    assert answer["entitlement"] is None and list(answer["clocks"]) == ["complaint"]
    clock = answer["clocks"]["complaint"]
    # the standard profile: an answer within 1,440 minutes on the 24x7 calendar
    due = datetime.fromisoformat(clock["due"])
    assert before + timedelta(hours=24) <= due <= datetime.now().astimezone() + timedelta(hours=24)
    assert clock["status"] == "running" and clock["met_at"] is None

    supervisor = auth(api_keys, Role.SUPERVISOR)

    async def filed() -> dict[str, object] | None:
        found = await http.get(f"/v1/complaints/{number}", headers=supervisor)
        return found.json() if found.status_code == 200 else None

    complaint = await eventually(filed)
    assert complaint["source"] == "intake" and complaint["status"] == "open"
    assert complaint["customer_id"] == caller["customer_id"]
    assert complaint["about"] is None and complaint["asset_serial"] is None
    assert complaint["channel"] == "phone"
    assert complaint["contact"] == {"name": "刘女士", "phone": "0532-8888 1234"}
    assert complaint["reason"] == "工程师未按约定时间上门，态度也不好"
    assert complaint["opened_by"] == "test-intake"

    # Temporal runs the complaint's workflow and no service request for this customer
    described = await dev_client.get_workflow_handle(f"complaint-{number}").describe()
    assert described.workflow_type == "ComplaintWorkflow"
    customer = caller["customer_id"]
    assert await eventually(lambda: count(dev_client, "ComplaintWorkflow", customer)) == 1
    assert await count(dev_client, "ServiceRequestWorkflow", customer) == 0
    listed = await http.get(INTAKE, params={"customer": customer}, headers=supervisor)
    assert listed.status_code == 200 and listed.json()["total"] == 0
    told = await eventually(lambda: notice(sessions, f"{number}/opened"))
    assert told.kind == "complaint_opened" and told.number == number
    assert told.recipients == ["supervisor"]
    engineer = await http.get(f"/v1/complaints/{number}", headers=auth(api_keys, Role.ENGINEER))
    assert engineer.status_code == 403


async def test_the_same_call_twice_is_one_complaint_and_shows_its_answer(http, api_keys):
    intake = auth(api_keys, Role.INTAKE) | {"Idempotency-Key": f"HOT-{uuid.uuid4()}"}
    body = complaint_body(**new_caller())
    first = await http.post(INTAKE, json=body, headers=intake)
    assert first.status_code == 201, first.text
    number = first.json()["number"]
    again = await http.post(INTAKE, json=body, headers=intake)
    assert again.status_code == 200 and again.json()["number"] == number
    assert again.json()["duplicate"] is True
    other = await http.post(INTAKE, json=body | {"description": "另一件事"}, headers=intake)
    assert other.status_code == 409 and number in other.json()["detail"]

    supervisor = auth(api_keys, Role.SUPERVISOR)

    async def answered() -> bool:
        r = await http.post(
            f"/v1/complaints/{number}/respond", json={"response": "已致电道歉"}, headers=supervisor
        )
        return r.status_code == 200

    await eventually(answered)

    async def shown() -> dict[str, object] | None:
        r = await http.post(INTAKE, json=body, headers=intake)
        view = r.json()
        return view if view["stage"] == "responded" else None

    view = await eventually(shown)
    assert view["clocks"]["complaint"]["status"] == "met"
    assert view["clocks"]["complaint"]["met_at"] is not None


async def test_a_complaint_about_a_request_takes_its_asset_and_only_the_customers_own(
    http, api_keys
):
    intake = auth(api_keys, Role.INTAKE)
    r = await http.post(INTAKE, json=intake_body(), headers=intake)
    assert r.status_code == 201, r.text
    request = r.json()["number"]
    supervisor = auth(api_keys, Role.SUPERVISOR)
    # at once: the request may not have reached the read model yet
    r = await http.post(INTAKE, json=complaint_body(about=request), headers=intake)
    assert r.status_code == 201, r.text
    number = r.json()["number"]

    async def filed() -> dict[str, object] | None:
        found = await http.get(f"/v1/complaints/{number}", headers=supervisor)
        return found.json() if found.status_code == 200 else None

    complaint = await eventually(filed)
    assert complaint["about"] == request and complaint["asset_serial"] == "SN-1001"

    # another customer's request is not confirmed to exist
    r = await http.post(
        INTAKE, json=complaint_body(customer_id="C002", about=request), headers=intake
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "about", "reason": f"customer C002 has no service request {request}"}
    ]


async def test_a_repair_still_needs_its_asset_fault_and_severity_and_writes_nothing(
    http, api_keys, sessions
):
    intake = auth(api_keys, Role.INTAKE)
    before = intakes(sessions)
    body = {
        k: v
        for k, v in intake_body().items()
        if k not in ("asset_serial", "fault_code", "severity")
    }
    r = await http.post(INTAKE, json=body | {"about": "SR-20261201-000001"}, headers=intake)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == [
        {"field": "asset_serial", "reason": REQUIRED},
        {"field": "fault_code", "reason": REQUIRED},
        {"field": "severity", "reason": REQUIRED},
        {"field": "about", "reason": "only a complaint is about another request"},
    ]
    r = await http.post(INTAKE, json=body | {"type": "inspection"}, headers=intake)
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"field": "asset_serial", "reason": REQUIRED}
    assert intakes(sessions) == before

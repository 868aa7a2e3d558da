"""A dispatcher's named engineer who may not be sent is refused by the API before the action
reaches the workflow: the refusal never enters the request's history (SPEC §2) — through the
API, on the dev server."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from models.lifecycle import Role
from models.state import workflow_id_for
from tests.test_api import intake_body, problem
from tests.workflow_helpers import eventually

OVERRIDE = {"engineer_id": "E003", "override": True, "reason": "E001 is ill"}


async def accepted_updates(client: Client, number: str) -> int:
    history = await client.get_workflow_handle(workflow_id_for(number)).fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return sum(1 for event in history.events if event.event_type == accepted)


async def test_an_engineer_who_may_not_go_is_refused_before_the_workflow(
    http, api_keys, dev_client
):
    def key(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_keys[role]}"}

    r = await http.post("/v1/service-requests", json=intake_body(), headers=key(Role.INTAKE))
    number = r.json()["number"]
    base = f"/v1/service-requests/{number}"
    for step, body in (
        ("acknowledge", {}),
        ("diagnose", {"outcome": "needs_onsite", "notes": "x"}),
    ):
        r = await http.post(f"{base}/{step}", json=body, headers=key(Role.SUPPORT))
        assert r.status_code == 200, r.text

    async def projected() -> bool:
        r = await http.get("/v1/service-requests", headers=key(Role.SUPERVISOR))
        return any(
            item["number"] == number and item["stage"] == "awaiting_dispatch"
            for item in r.json()["items"]
        )

    await eventually(projected)
    before = await accepted_updates(dev_client, number)
    dispatcher = key(Role.DISPATCHER)
    off_duty = await http.post(f"{base}/assign", json={"engineer_id": "E004"}, headers=dispatcher)
    assert "E004 is not on duty" in problem(off_duty, 409)["detail"]
    unknown = await http.post(f"{base}/assign", json={"engineer_id": "E999"}, headers=dispatcher)
    assert "there is no engineer 'E999'" in problem(unknown, 422)["detail"]
    unfit = await http.post(f"{base}/assign", json={"engineer_id": "E003"}, headers=dispatcher)
    assert "lacks the skill 'camera'" in problem(unfit, 422)["detail"]
    assert await accepted_updates(dev_client, number) == before, "a refusal reached history"
    sent = await http.post(f"{base}/assign", json=OVERRIDE, headers=dispatcher)
    assert sent.status_code == 200, sent.text
    assert sent.json()["engineer"] == "E003" and sent.json()["stage"] == "dispatched"
    assert await accepted_updates(dev_client, number) == before + 1

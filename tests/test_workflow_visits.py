"""Revisit visits in the workflow (time skipping): never charged for, recorded only on a visit,
an unhappy answer files a complaint, and no revisit follows the visit."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.test_workflow import to_on_site
from tests.workflow_helpers import act, rejected, start

VISIT = {"type": "revisit_visit", "fault_code": "REVISIT_VISIT", "severity": 4}


async def test_a_visit_is_part_of_the_contract_even_out_of_warranty(
    ts_env: WorkflowEnvironment, intake
) -> None:
    at = await ts_env.get_current_time()
    visit = intake(at=at, customer_id="C003", asset_serial="SN-1003", **VISIT)
    repair = intake(at=at, customer_id="C003", asset_serial="SN-1003")
    assert visit.entitlement.status == repair.entitlement.status == "out_of_warranty"
    assert repair.entitlement.chargeable and not visit.entitlement.chargeable


async def test_an_unhappy_customer_on_a_visit_files_a_complaint_and_no_revisit_follows(
    ts_env: WorkflowEnvironment, ts_client: Client, intake
) -> None:
    handle = await start(ts_client, intake(at=await ts_env.get_current_time(), **VISIT))
    await to_on_site(handle)
    answers = {"satisfaction": 2, "solved": True, "attitude": 3, "suggestions": "来晚了 late"}
    s = await act(handle, "record_visit", "engineer", answers)
    assert s.stage == "completed" and s.outcome == "visited" and s.revisits == []
    assert s.visit is not None and s.visit.repair is None and s.visit.satisfaction == 2
    assert [c.reason for c in s.complaints] == ["来晚了 late"]


async def test_only_a_visit_is_recorded_as_one(
    ts_env: WorkflowEnvironment, ts_client: Client, intake
) -> None:
    handle = await start(ts_client, intake(at=await ts_env.get_current_time()))
    await to_on_site(handle)
    answers = {"satisfaction": 5, "solved": True, "attitude": 5}
    error = await rejected(handle, "record_visit", "engineer", answers)
    assert error.type == "Conflict" and "not a revisit visit" in error.message

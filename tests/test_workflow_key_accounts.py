"""Key accounts in the workflow (time skipping): their own targets from intake on and through a
re-plan, and auto-assign with a limit of open jobs per engineer serving them when others wait."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from db.profiles import store_profile
from db.session import SessionFactory, transaction
from db.tables import Asset, Customer, Engineer, ServiceRequestRow, TimelineEventRow
from models.intake import ServiceRequestStart
from models.state import workflow_id_for
from tests.test_key_accounts import with_key_targets
from tests.workflow_helpers import act, eventually, start
from worker import build_worker
from workflows.service_request import ServiceRequestWorkflow


async def test_a_key_account_runs_on_its_own_targets_through_a_severity_change(
    ts_env: WorkflowEnvironment, ts_client: Client, intake, sessions: SessionFactory
):
    profile = with_key_targets(
        response={
            "2": {"calendar": "24x7", "minutes": 10},
            "3": {"calendar": "24x7", "minutes": 20},
        }
    ).model_copy(update={"name": f"keyed-{secrets.token_hex(3)}"})
    with transaction(sessions) as session:
        store_profile(session, profile)
    at = await ts_env.get_current_time()
    key = intake(at=at, severity=2, sla_profile=profile.name)  # C001 is a key account
    assert key.key_account
    assert key.initial_plan.due["response"] == key.reported_at + timedelta(minutes=10)
    other = intake(
        at=at, severity=2, sla_profile=profile.name, customer_id="C002", asset_serial="SN-1002"
    )
    assert not other.key_account
    assert other.initial_plan.due["response"] == other.reported_at + timedelta(minutes=60)

    handle = await start(ts_client, key)
    s = await act(handle, "change_severity", "support", {"severity": 3, "reason": "minor"})
    assert s.key_account and s.clocks["response"].due == key.reported_at + timedelta(minutes=20)


async def test_auto_assign_still_serves_a_key_account_when_every_engineer_is_at_the_limit(
    ts_env: WorkflowEnvironment, intake, sessions: SessionFactory, monkeypatch
):
    monkeypatch.setenv("DISPATCH_MAX_OPEN_JOBS", "1")
    tag = secrets.token_hex(3).upper()
    category, engineer, plain = f"kx-{tag.lower()}", f"EK{tag}", f"CP{tag}"
    with transaction(sessions) as session:
        session.add(Customer(id=plain, name=plain, region="qingdao", sla_profile="standard"))
        # The only engineer with the skill: one job is the most anyone gets but a key account.
        session.add(Engineer(id=engineer, name=engineer, skills=[category], regions=["qingdao"]))
        session.flush()
        for serial, customer in ((f"KP{tag}", plain), (f"KK{tag}", "C001")):
            session.add(
                Asset(
                    serial=serial,
                    model="TEST",
                    category=category,
                    customer_id=customer,
                    invoice_date=date(2026, 6, 1),
                    warranty={"start_basis": "invoice", "months": 36},
                )
            )
    queue = f"key-accounts-{tag}"
    handles = []

    async def dispatched(request: ServiceRequestStart):
        handle = await ts_env.client.start_workflow(
            ServiceRequestWorkflow.run,
            request,
            id=workflow_id_for(request.number),
            task_queue=queue,
        )
        handles.append(handle)
        await act(handle, "acknowledge", "support")
        await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
        return await act(handle, "assign", "dispatcher", {})

    async with build_worker(ts_env.client, sessions, queue):
        try:
            at = await ts_env.get_current_time()
            first = await dispatched(intake(at=at, customer_id=plain, asset_serial=f"KP{tag}"))
            assert first.engineer == engineer

            def counted() -> bool:
                with sessions() as session:
                    row = session.get(ServiceRequestRow, first.number)
                    return row is not None and row.engineer_id == engineer

            await eventually(counted)  # the loads are the read model's
            waiting = await dispatched(intake(at=at, customer_id=plain, asset_serial=f"KP{tag}"))
            assert waiting.stage == "awaiting_dispatch" and waiting.engineer is None
            assert [e.kind for e in waiting.escalations] == ["no_engineer"]

            def reason() -> str | None:
                with sessions() as session:
                    query = select(TimelineEventRow.data).where(
                        TimelineEventRow.number == waiting.number,
                        TimelineEventRow.kind == "escalated",
                    )
                    data = session.scalars(query).first()
                    return data.get("reason") if data else None

            assert "the most open jobs allowed" in await eventually(reason)
            key = await dispatched(intake(at=at, customer_id="C001", asset_serial=f"KK{tag}"))
            assert key.key_account and key.stage == "dispatched" and key.engineer == engineer
        finally:
            # Left running without their worker, their tasks would hold the test server's
            # time still for every later test.
            for handle in handles:
                await handle.terminate("the test is over")

"""Record workflow histories for the replay test.

    .venv/bin/python -m tests.histories.record [SCENARIO ...]

Runs a few requests on the time-skipping test server and writes their histories next to this
file. Keep the files: a later change of workflow code must still replay them (or go through
`workflow.patched`). Record new ones when the workflow gains new behaviour.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from db.demo import load_demo
from db.session import (
    SessionFactory,
    create_schema,
    make_engine,
    session_factory,
    transaction,
)
from intake.reservation import reserve
from manage import register_search_attributes
from models.intake import IntakeRequest, RequestType
from models.lifecycle import TERMINAL_STAGES
from tests.workflow_helpers import TASK_QUEUE, act, start, until
from worker import build_worker

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent


Scenario = Callable[[WorkflowEnvironment, SessionFactory], Awaitable[WorkflowHandle[Any, Any]]]


async def repair_with_pause_and_severity_change(
    env: WorkflowEnvironment, sessions: SessionFactory
) -> WorkflowHandle[Any, Any]:
    handle = await _register(env, sessions, "REPLAY-1", severity=2)
    await act(handle, "acknowledge", "support")
    await act(handle, "pause", "support", {"reason": "awaiting_customer"})
    await env.sleep(timedelta(hours=2))
    await env.sleep(timedelta(hours=2))
    await act(handle, "change_severity", "supervisor", {"severity": 1, "reason": "x"})
    await act(handle, "resume", "support")
    await env.sleep(timedelta(hours=3))  # escalations and a diagnosis breach
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {})
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    await act(handle, "sign", "customer", SIGNED)
    await until(handle, lambda s: s.stage == "following_up")
    await act(handle, "record_revisit", "revisit", HAPPY)
    return handle


async def people_quotes_and_notices(
    env: WorkflowEnvironment, sessions: SessionFactory
) -> WorkflowHandle[Any, Any]:
    """Issue 10–11 shapes: actions held to their person, a quote made while diagnosing (its
    link), a reassignment with an override (the engineer who lost the job is told), an
    exclusion found on site with its quote, a sign that starts the follow-up at once."""
    handle = await _register(env, sessions, "REPLAY-2", severity=2)
    quote = {"lines": [{"kind": "labour", "description": "x", "amount": "100"}]}
    await act(handle, "acknowledge", "support")
    await act(handle, "quote", "support", quote | {"notes": "board burnt"})
    await act(handle, "approve_quote", "customer")
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E003", "override": True,
                                               "reason": "E001 is ill"})  # fmt: skip
    await act(handle, "check_in", "engineer")
    report = {"result": "fixed", "work_done": "x", "exclusion": "human_damage", "quote": quote}
    await act(handle, "report_repair", "engineer", report)
    await act(handle, "approve_quote", "customer")
    await act(handle, "sign", "customer", SIGNED)
    await act(handle, "record_revisit", "revisit", HAPPY)
    return handle


async def hotline_complaint_as_service_request(
    env: WorkflowEnvironment, sessions: SessionFactory
) -> WorkflowHandle[Any, Any]:
    """Before issue 11: the hotline's complaint ran as a service request (repair clocks) that
    filed a `ComplaintWorkflow` as its child; the supervisor cancels the request."""
    handle = await _register(env, sessions, "REPLAY-3", severity=3, type="complaint")
    await until(handle, lambda s: bool(s.complaints))
    await act(handle, "cancel", "supervisor", {"reason": "a complaint, not a repair"})
    return handle


async def _paused_then_assigned(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]) -> None:
    """Acknowledged, paused for two hours, resumed, diagnosed for a visit and auto-assigned."""
    await act(handle, "acknowledge", "support")
    await act(handle, "pause", "support", {"reason": "awaiting_customer"})
    await env.sleep(timedelta(hours=2))
    await act(handle, "resume", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {})


async def lean_tasks_with_a_pause(
    env: WorkflowEnvironment, sessions: SessionFactory
) -> WorkflowHandle[Any, Any]:
    """Issue 12: computations as local activities, an action's notices sent in its own task
    without holding the lock, one timer kept while the next instant stays, clocks planned
    from checkpoints."""
    handle = await _register(env, sessions, "REPLAY-4", severity=2)
    await _paused_then_assigned(env, handle)
    visit = (await env.get_current_time() + timedelta(hours=30)).isoformat()
    await act(handle, "schedule_visit", "engineer", {"appointment_at": visit})
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    await act(handle, "sign", "customer", SIGNED)
    await act(handle, "record_revisit", "revisit", HAPPY)
    return handle


async def one_marker_outbox_and_kept_timer(
    env: WorkflowEnvironment, sessions: SessionFactory
) -> WorkflowHandle[Any, Any]:
    """Issue 12, `patches.CURRENT`: one patch marker, notices written with the record (no
    activity of their own), the wake-up timer kept when the next instant moves later (and
    firing early once), a drawn signature that reaches the workflow as its digest only."""
    handle = await _register(env, sessions, "REPLAY-5", severity=2)
    await _paused_then_assigned(env, handle)
    await env.sleep(timedelta(hours=3))  # the kept, earlier timer fires; arrival escalates
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    drawn = {"signer": "x", "signature_sha256": "0" * 64, "quality": 5, "attitude": 5}
    await act(handle, "sign", "customer", drawn)
    await act(handle, "record_revisit", "revisit", HAPPY)
    return handle


SCENARIOS: dict[str, Scenario] = {
    "repair_with_pause_and_severity_change": repair_with_pause_and_severity_change,
    "people_quotes_and_notices": people_quotes_and_notices,
    "hotline_complaint_as_service_request": hotline_complaint_as_service_request,
    "lean_tasks_with_a_pause": lean_tasks_with_a_pause,
    "one_marker_outbox_and_kept_timer": one_marker_outbox_and_kept_timer,
}
SIGNED = {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
HAPPY = {"satisfaction": 4, "solved": True, "attitude": 5}


async def _register(
    env: WorkflowEnvironment,
    sessions: SessionFactory,
    ref: str,
    severity: int,
    type: RequestType = "repair",
) -> WorkflowHandle[Any, Any]:
    body = IntakeRequest(
        channel="phone",
        customer_id="C001",
        asset_serial="SN-1001",
        severity=severity,
        fault_code="NO_POWER",
        description="recorded scenario",
        external_ref=ref,
        type=type,
    )
    intake, _ = reserve(sessions, body, None, "Asia/Shanghai", now=await env.get_current_time())
    return await start(env.client, intake)


async def record(names: list[str]) -> None:
    """Record the named scenarios (default: those not recorded yet); a recorded history is
    kept as it is, since running requests of that shape may exist."""
    wanted = names or [n for n in SCENARIOS if not (HERE / f"{n}.json").exists()]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/record.db")
        create_schema(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            load_demo(session)
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=pydantic_data_converter,
            test_server_existing_path=str(BIN / "temporal-test-server"),
        )
        await register_search_attributes(env.client, env.client.namespace)
        async with env, build_worker(env.client, sessions, TASK_QUEUE):
            for name in wanted:
                handle = await SCENARIOS[name](env, sessions)
                await until(handle, lambda s: s.stage in TERMINAL_STAGES)
                await handle.result()
                history = await handle.fetch_history()
                target = HERE / f"{name}.json"
                target.write_text(history.to_json(), encoding="utf-8")
                print(f"wrote {target} ({len(history.events)} events)")


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:]))

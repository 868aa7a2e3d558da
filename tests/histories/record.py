"""Record workflow histories for the replay test.

    .venv/bin/python -m tests.histories.record

Runs a few requests on the time-skipping test server and writes their histories next to this
file. Keep the files: a later change of workflow code must still replay them (or go through
`workflow.patched`). Record new ones when the workflow gains new behaviour.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.intake import reserve
from db.demo import load_demo
from db.session import create_schema, make_engine, session_factory, transaction
from manage import register_search_attributes
from models.intake import IntakeRequest
from tests.workflow_helpers import TASK_QUEUE, act, start, until
from worker import build_worker

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent


async def record() -> None:
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
            now = await env.get_current_time()
            body = IntakeRequest(
                channel="phone",
                customer_id="C001",
                asset_serial="SN-1001",
                severity=2,
                fault_code="NO_POWER",
                description="recorded scenario",
                external_ref="REPLAY-1",
            )
            intake, _ = reserve(sessions, body, None, "Asia/Shanghai", now=now)
            handle = await start(env.client, intake)
            await act(handle, "acknowledge", "support")
            await act(handle, "pause", "support", {"reason": "awaiting_customer"})
            await env.sleep(timedelta(hours=2))
            await act(handle, "change_severity", "supervisor", {"severity": 1, "reason": "x"})
            await act(handle, "resume", "support")
            await env.sleep(timedelta(hours=3))  # escalations and a diagnosis breach
            await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
            await act(handle, "assign", "dispatcher", {})
            await act(handle, "check_in", "engineer")
            await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
            await act(
                handle,
                "sign",
                "customer",
                {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5},
            )
            await until(handle, lambda s: s.stage == "following_up")
            answers = {"satisfaction": 4, "solved": True, "attitude": 5}
            await act(handle, "record_revisit", "revisit", answers)
            await until(handle, lambda s: s.stage == "completed")
            history = await handle.fetch_history()
            target = HERE / "repair_with_pause_and_severity_change.json"
            target.write_text(history.to_json(), encoding="utf-8")
            print(f"wrote {target} ({len(history.events)} events)")


if __name__ == "__main__":
    asyncio.run(record())

"""A worker outage across a deadline, on the dev server in real time.

The time-skipping server cannot move time while a workflow task waits for a worker, so this
case runs on the dev server with a deadline a few seconds away (a report logged late).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.workflow_helpers import act, until
from worker import build_worker
from workflows.service_request import ServiceRequestWorkflow

QUEUE = "aftersales-test-outage"


async def test_an_action_after_a_missed_deadline_finds_it_breached(dev_client, intake, sessions):
    """The worker is down when the response deadline passes; when it comes back, the timer
    and the acknowledgement arrive in one workflow task: the clock is breached, not met."""
    registered = datetime.now(UTC)
    start = intake(at=registered, reported_at=registered - timedelta(minutes=30, seconds=-3))
    due = start.initial_plan.due["response"]
    async with build_worker(dev_client, sessions, QUEUE):
        handle = await dev_client.start_workflow(
            ServiceRequestWorkflow.run,
            start,
            id=f"service-request-{start.number}",
            task_queue=QUEUE,
        )
        await until(handle, lambda s: s.stage == "registered")
    # Not a timing assertion: the deadline has to pass in real time while no worker runs.
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
    async with build_worker(dev_client, sessions, QUEUE):
        s = await act(handle, "acknowledge", "support")
    response = s.clocks["response"]
    assert response.status == "breached" and response.met_at is not None
    assert s.sla_status == "breached" and s.breaches == ["response"]

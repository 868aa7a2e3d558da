"""`gateway.run_update` against real Temporal servers: an update still in flight when its
workflow closes is a 409, and the whole call (polling included) is bounded, so an action whose
worker is gone answers 503 in time."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import gateway
from models.actions import Actor
from models.errors import Conflict, Unavailable
from models.lifecycle import Action
from workflows.service_request import ServiceRequestWorkflow


@workflow.defn(sandboxed=False)
class ClosesWhileUpdating:
    """Its one update lets the workflow finish and never finishes itself: the server fails
    the accepted update when the workflow completes, deterministically, without timing."""

    def __init__(self) -> None:
        self.finish = False

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.finish)
        return "closed"

    @workflow.update(unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON)
    async def close_meanwhile(self) -> str:
        self.finish = True
        await workflow.wait_condition(lambda: False)
        return "never"


@pytest.fixture(params=["ts_env", "dev_env"])
def env(request: pytest.FixtureRequest) -> WorkflowEnvironment:
    found: WorkflowEnvironment = request.getfixturevalue(request.param)
    return found


async def test_an_update_in_flight_when_its_workflow_closes_is_409(env):
    queue = f"closes-while-updating-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[ClosesWhileUpdating]):
        handle = await env.client.start_workflow(
            ClosesWhileUpdating.run, id=f"closing-{uuid.uuid4()}", task_queue=queue
        )
        with pytest.raises(Conflict) as caught:
            await gateway.run_update(
                handle.execute_update(
                    ClosesWhileUpdating.close_meanwhile, rpc_timeout=gateway.UPDATE_TIMEOUT
                ),
                "test workflow",
            )
        assert await handle.result() == "closed"
    problem = caught.value
    assert problem.detail.startswith("test workflow finished (completed or cancelled) before")
    # what the SDK raises: the update failed, its cause the server's own failure type
    failed = problem.__cause__
    assert isinstance(failed, WorkflowUpdateFailedError)
    assert isinstance(failed.cause, ApplicationError)
    assert failed.cause.type == gateway.ACCEPTED_UPDATE_COMPLETED_WORKFLOW


async def test_an_update_to_a_closed_workflow_is_409(dev_env):
    queue = f"closes-while-updating-{uuid.uuid4()}"
    async with Worker(dev_env.client, task_queue=queue, workflows=[ClosesWhileUpdating]):
        handle = await dev_env.client.start_workflow(
            ClosesWhileUpdating.run, id=f"closing-{uuid.uuid4()}", task_queue=queue
        )
        with pytest.raises(Conflict):
            await gateway.run_update(
                handle.execute_update(ClosesWhileUpdating.close_meanwhile), "test workflow"
            )
        with pytest.raises(Conflict) as caught:
            await gateway.run_update(
                handle.execute_update(ClosesWhileUpdating.close_meanwhile), "test workflow"
            )
    assert "no more actions" in caught.value.detail


BOUND = timedelta(seconds=1)


async def test_an_update_nobody_works_on_answers_503_within_the_bound(dev_env):
    """No worker polls the workflow's queue: without a bound on the whole call the SDK would
    wait out its per-call timeout (30 s) and poll again."""
    handle = await dev_env.client.start_workflow(
        ClosesWhileUpdating.run, id=f"orphan-{uuid.uuid4()}", task_queue=f"nobody-{uuid.uuid4()}"
    )
    began = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await gateway.run_update(
            handle.execute_update(
                ClosesWhileUpdating.close_meanwhile, rpc_timeout=gateway.UPDATE_TIMEOUT
            ),
            "test workflow",
            within=BOUND,
        )
    took = time.monotonic() - began
    await handle.terminate("test over")
    assert "may still be applied, check its state" in caught.value.detail
    assert took < 2 * BOUND.total_seconds(), took


async def test_an_action_whose_worker_is_gone_answers_503_within_the_bound(dev_env, intake):
    """The same through `gateway.act`, the path of every action route."""
    client: Client = dev_env.client
    start = intake(at=(await dev_env.get_current_time()))
    handle = await client.start_workflow(
        ServiceRequestWorkflow.run,
        start,
        id=f"service-request-{start.number}",
        task_queue=f"nobody-{uuid.uuid4()}",
    )
    began = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await gateway.act(
            client,
            start.number,
            Action.ACKNOWLEDGE,
            Actor(role="support", name="test-support"),
            {},
            None,
            within=BOUND,
        )
    took = time.monotonic() - began
    await handle.terminate("test over")
    assert start.number in caught.value.detail
    assert took < 2 * BOUND.total_seconds(), took

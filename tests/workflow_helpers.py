"""Driving a ServiceRequestWorkflow directly through the Temporal client, as the API does."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from models.actions import ActionCommand, Actor
from models.intake import ServiceRequestStart
from models.state import ServiceRequestState, workflow_id_for
from workflows.service_request import ServiceRequestWorkflow

TASK_QUEUE = "aftersales-test"


async def start(client: Client, start: ServiceRequestStart) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        ServiceRequestWorkflow.run, start, id=workflow_id_for(start.number), task_queue=TASK_QUEUE
    )


async def act(
    handle: WorkflowHandle[Any, Any],
    action: str,
    role: str,
    body: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> ServiceRequestState:
    """Act as `actor`, by default a person of `role` who owns the request: its customer, or
    the engineer assigned to it now."""
    actor = actor or await owner(handle, role)
    command = ActionCommand(actor=actor, body=body or {})
    return await handle.execute_update(action, command, result_type=ServiceRequestState)


async def owner(handle: WorkflowHandle[Any, Any], role: str) -> Actor:
    person = Actor(role=role, name=f"test-{role}")
    if role == "engineer":
        person.engineer_id = (await state(handle)).engineer or "E001"
    elif role == "customer":
        person.customer_id = (await state(handle)).customer_id
    return person


async def rejected(
    handle: WorkflowHandle[Any, Any],
    action: str,
    role: str,
    body: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> ApplicationError:
    """Send an action that must be rejected and return the rejection."""
    try:
        await act(handle, action, role, body, actor)
    except WorkflowUpdateFailedError as exc:
        assert isinstance(exc.cause, ApplicationError)
        return exc.cause
    raise AssertionError(f"{action} by {role} was accepted")


async def eventually(check: Callable[[], Any], attempts: int = 150) -> Any:
    """Poll `check` (a function, or a coroutine function) until it returns something true:
    for views that follow the workflow a moment later (read model, visibility, the outbox).
    Bounded, so a broken workflow fails the test instead of hanging it."""
    for _ in range(attempts):
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


async def state(handle: WorkflowHandle[Any, Any]) -> ServiceRequestState:
    return await handle.query(ServiceRequestWorkflow.state_view)


async def until(
    handle: WorkflowHandle[Any, Any],
    condition: Callable[[ServiceRequestState], bool],
    debug: Callable[[ServiceRequestState], object] = lambda s: s.stage,
) -> ServiceRequestState:
    """Poll the query until `condition` holds (the workflow's loop runs after an update
    returns); bounded so a broken workflow fails the test instead of hanging it."""
    for _ in range(200):
        current = await state(handle)
        if condition(current):
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition never held; last state: {debug(current)}")

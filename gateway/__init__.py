"""The Temporal gateway: start, query and act on the workflows, with the workflows'
rejections and Temporal's errors turned into domain errors (`models.errors`) that the API
maps to the HTTP statuses of SPEC §6 and the CLIs and activities report as they are."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.actions import ActionCommand, Actor
from models.carry import RequestInput
from models.complaints import ComplaintStart, complaint_workflow_id
from models.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound, Unavailable
from models.intake import ServiceRequestStart
from models.lifecycle import Action
from models.search_attributes import initial_search_attributes, static_details, static_summary
from models.state import ServiceRequestState, workflow_id_for
from workflows.complaint import ComplaintWorkflow
from workflows.rejections import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, WRONG_STAGE
from workflows.service_request import ServiceRequestWorkflow

NUMBER = re.compile(r"^SR-\d{8}-\d{6,}$")
T = TypeVar("T")
_ERRORS: dict[str, type[DomainError]] = {
    FORBIDDEN: NotAllowed,
    NOT_FOUND: NotFound,
    WRONG_STAGE: Conflict,
    CONFLICT: Conflict,
    INVALID: InvalidInput,
}
#: An action normally answers in well under a second; past this the worker is likely down.
#: It bounds the whole call, polling for the outcome included (the SDK's `rpc_timeout` bounds
#: each of its calls only).
UPDATE_TIMEOUT = timedelta(seconds=30)
#: The server's failure of an accepted update whose workflow closed before the update did.
ACCEPTED_UPDATE_COMPLETED_WORKFLOW = "AcceptedUpdateCompletedWorkflow"
QUERY_TIMEOUT = timedelta(seconds=10)


def check_number(number: str) -> None:
    if not NUMBER.match(number):
        raise NotFound(
            f"there is no service request {number!r} (numbers look like SR-20261120-000042)"
        )


async def start(client: Client, task_queue: str, start: ServiceRequestStart) -> None:
    """Start the request's workflow, or find it: the same input always means the same workflow."""
    await _start_once(
        client.start_workflow(
            ServiceRequestWorkflow.run,
            RequestInput(start=start),
            id=workflow_id_for(start.number),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=initial_search_attributes(ServiceRequestState.registered(start)),
            static_summary=static_summary(start),
            static_details=static_details(start),
        )
    )


async def start_complaint(client: Client, task_queue: str, start: ComplaintStart) -> None:
    """Start (or find) the workflow of a complaint the hotline took."""
    await _start_once(
        client.start_workflow(
            ComplaintWorkflow.run,
            start,
            id=complaint_workflow_id(start.number),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=start.search_attributes(),
            static_summary=start.summary(),
            static_details=start.details(),
        )
    )


async def _start_once(started: Awaitable[object]) -> None:
    try:
        await started
    except WorkflowAlreadyStartedError:
        pass  # it ran and finished already: nothing to start
    except RPCError as exc:
        raise_if_unavailable(exc)
        raise


async def query_state(client: Client, number: str) -> ServiceRequestState | None:
    handle = client.get_workflow_handle(workflow_id_for(number))
    try:
        return await handle.query(ServiceRequestWorkflow.state_view, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise_if_unavailable(exc)
        raise


def scoped_update_id(update: str, key: str | None) -> str | None:
    """Temporal deduplicates by update ID: the caller's `Idempotency-Key` scoped to the update,
    so a key reused for another action cannot silently swallow it."""
    return f"{update}:{key}" if key else None


async def act(
    client: Client,
    number: str,
    action: Action,
    actor: Actor,
    body: dict[str, object],
    update_id: str | None,
    *,
    within: timedelta = UPDATE_TIMEOUT,
) -> ServiceRequestState:
    handle = client.get_workflow_handle(workflow_id_for(number))
    state: ServiceRequestState = await run_update(
        handle.execute_update(
            action.value,
            ActionCommand(actor=actor, body=body),
            id=scoped_update_id(action.value, update_id),
            result_type=ServiceRequestState,
            rpc_timeout=within,
        ),
        f"service request {number}",
        within=within,
    )
    return state


async def run_update(update: Awaitable[T], what: str, *, within: timedelta = UPDATE_TIMEOUT) -> T:
    """An update's result, with the workflow's rejections and Temporal's errors as domain
    errors (`what` names the workflow's subject in the messages).

    `within` bounds the whole call: sending the update and polling for its outcome (with no
    worker the SDK would poll on and on)."""
    try:
        async with asyncio.timeout(within.total_seconds()):
            return await update
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in _ERRORS:
            raise _ERRORS[cause.type or ""](cause.message) from exc
        if isinstance(cause, ApplicationError) and cause.type == ACCEPTED_UPDATE_COMPLETED_WORKFLOW:
            raise Conflict(
                f"{what} finished (completed or cancelled) before this action could complete; "
                "no more actions are possible, check its state",
            ) from exc
        raise
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
        # The SDK turns the cancellation of our timeout into its own timeout error.
        raise Unavailable(
            f"{what} did not answer within {within.total_seconds():g} s; the action may still "
            "be applied, check its state",
        ) from exc
    except RPCError as exc:
        if "already completed" in exc.message:
            raise Conflict(
                f"{what} is finished (completed or cancelled); no more actions are possible"
            ) from exc
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"there is no {what}") from exc
        raise_if_unavailable(exc)
        raise


def raise_if_unavailable(exc: RPCError) -> None:
    if exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        raise Unavailable(
            "the workflow service is not reachable right now; try again shortly"
        ) from exc
    if exc.status == RPCStatusCode.CANCELLED:  # our own timeout: no worker answered
        raise Unavailable(
            "no worker answered in time; the service is starting or overloaded, retry shortly"
        ) from exc

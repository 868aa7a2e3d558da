"""`/v1/complaints`: the supervisor's complaints (客诉) with their response clocks.

The list is the `complaints` projection; a complaint's live state and its answer go to its
`ComplaintWorkflow`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy import select
from temporalio.service import RPCError, RPCStatusCode

import gateway
from api.context import Ctx, require
from api.problems import Problem
from db.tables import ComplaintRow
from identity.keys import Principal
from intake.reservation import idempotency_key, reserve_complaint
from models.complaints import (
    ComplaintState,
    RespondBody,
    RespondCommand,
    complaint_workflow_id,
)
from models.errors import Conflict
from models.intake import IntakeRequest, IntakeResponse
from models.lifecycle import Role
from workflows.complaint import ANSWERED_BY, ComplaintWorkflow

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])
#: The supervisor's desk and the revisit desk (which opens most complaints); a customer key
#: reads its own complaints only.
Readers = Annotated[
    Principal, Depends(require(Role.SUPERVISOR, Role.ADMIN, Role.REVISIT, Role.CUSTOMER))
]
Answerer = Annotated[Principal, Depends(require(*ANSWERED_BY))]


@router.get("", response_model=list[ComplaintState])
async def list_complaints(
    ctx: Ctx,
    who: Readers,
    status: Literal["open", "responded"] | None = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    overdue: Annotated[bool, Query(description="only open ones past their respond-by")] = False,
) -> list[ComplaintState]:
    """Complaints, oldest first (open ones are what the supervisor owes an answer)."""

    def load() -> list[ComplaintState]:
        query = select(ComplaintRow).order_by(ComplaintRow.opened_at, ComplaintRow.number)
        if status is not None:
            query = query.where(ComplaintRow.status == status)
        if customer is not None:
            query = query.where(ComplaintRow.customer_id == customer)
        if who.customer_id is not None:
            query = query.where(ComplaintRow.customer_id == who.customer_id)
        if overdue:
            query = query.where(
                ComplaintRow.status == "open", ComplaintRow.respond_by <= datetime.now(UTC)
            )
        with ctx.sessions() as session:
            return [
                ComplaintState.model_validate(row, from_attributes=True)
                for row in session.scalars(query)
            ]

    return await ctx.db(load)


@router.get("/{number}", response_model=ComplaintState)
async def get(number: str, ctx: Ctx, who: Readers) -> ComplaintState:
    if who.customer_id is not None:
        row = await ctx.db(lambda: _stored(ctx, number))
        if row is None or row.customer_id != who.customer_id:
            raise Problem(404, f"there is no complaint {number!r}")
    client = await ctx.temporal()
    handle = client.get_workflow_handle(complaint_workflow_id(number))
    try:
        live: ComplaintState = await handle.query(
            ComplaintWorkflow.state_view, rpc_timeout=gateway.QUERY_TIMEOUT
        )
        return live
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            gateway.raise_if_unavailable(exc)
            raise

    row = await ctx.db(lambda: _stored(ctx, number))
    if row is None:
        raise Problem(404, f"there is no complaint {number!r}")
    return ComplaintState.model_validate(row, from_attributes=True)


async def register_complaint(
    ctx: Ctx, body: IntakeRequest, key: str | None, who: Principal, response: Response
) -> IntakeResponse:
    """The hotline's complaint: reserved like a request, then its own workflow started."""
    start, duplicate = await ctx.db(
        lambda: reserve_complaint(
            ctx.sessions, body, key, ctx.settings.timezone, registrar=who.actor()
        )
    )
    client = await ctx.temporal()
    await gateway.start_complaint(client, ctx.settings.task_queue, start)
    row = await ctx.db(lambda: _stored(ctx, start.number)) if duplicate else None
    state = (
        ComplaintState.model_validate(row, from_attributes=True)
        if row is not None
        else ComplaintState.opened(start)
    )
    if duplicate:
        response.status_code = 200
    return IntakeResponse(
        number=state.number,
        workflow_id=state.workflow_id,
        stage=state.status,
        entitlement=None,
        clocks={"complaint": state.clock()},
        duplicate=duplicate,
    )


def _stored(ctx: Ctx, number: str) -> ComplaintRow | None:
    with ctx.sessions() as session:
        return session.get(ComplaintRow, number)


@router.post("/{number}/respond", response_model=ComplaintState)
async def respond(
    number: str,
    body: RespondBody,
    ctx: Ctx,
    who: Answerer,
    idempotency_key_header: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200)
    ] = None,
) -> ComplaintState:
    """The supervisor's answer to the customer: stops the complaint's clock."""
    key = idempotency_key(idempotency_key_header)
    client = await ctx.temporal()
    handle = client.get_workflow_handle(complaint_workflow_id(number))
    try:
        state: ComplaintState = await gateway.run_update(
            handle.execute_update(
                ComplaintWorkflow.respond,
                RespondCommand(actor=who.actor(), body=body),
                id=gateway.scoped_update_id("respond", key),
                rpc_timeout=gateway.UPDATE_TIMEOUT,
            ),
            f"complaint {number}",
        )
    except Conflict:
        # An answered complaint's workflow has finished: say who answered it, and when.
        row = await ctx.db(lambda: _stored(ctx, number))
        if row is None or row.responded_at is None:
            raise
        at = row.responded_at.astimezone(ZoneInfo(ctx.settings.timezone))
        raise Conflict(
            f"complaint {number} was already answered by {row.responded_by} at {at:%Y-%m-%d %H:%M}"
        ) from None
    return state

"""`/v1/revisits`: the revisit agents' call list (回访) and their answers.

The list is the `revisit_calls` projection: the post-close revisits of requests and the periodic
calls contract schedules start. An answer goes to the workflow that owns the call (the request's
`record_revisit` action, or the periodic call's own workflow), which validates it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

import gateway
from api.context import Ctx, require
from api.problems import Problem
from db.tables import Asset, Customer, RevisitCallRow
from identity.keys import Principal
from intake.reservation import idempotency_key
from models.actions import ActionCommand, Actor, RecordRevisitBody
from models.errors import InvalidInput, invalid_fields
from models.lifecycle import LIFECYCLE, Action, Role
from models.revisits import RevisitCallEntry, RevisitCallState
from models.state import ServiceRequestState
from workflows.revisit_call import RevisitCallWorkflow

router = APIRouter(prefix="/v1/revisits", tags=["revisits"])
Desk = Annotated[Principal, Depends(require(Role.REVISIT, Role.SUPERVISOR, Role.ADMIN))]
Answerer = Annotated[Principal, Depends(require(*LIFECYCLE[Action.RECORD_REVISIT].roles))]


class RevisitCall(RevisitCallEntry):
    """A call as the agent sees it: whom to call (the archive's names) and about what."""

    customer_name: str
    asset_model: str | None


#: `…T10:00:00+08:00` sent unencoded: the query string's `+` arrives as a space.
_SPACE_FOR_PLUS = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) (\d{2}(?::?\d{2})?)$"
)


def due_by(text: str, timezone: str) -> datetime:
    """`due_before` as an instant: a date is the end of that day in the service time zone; an
    instant needs its offset (`Z`, `+08:00`; a raw `+` that arrived as a space is one)."""

    def refuse(reason: str) -> InvalidInput:
        return invalid_fields([{"field": "due_before", "reason": reason}])

    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, ZoneInfo(timezone))
        instant = datetime.fromisoformat(_SPACE_FOR_PLUS.sub(r"\1+\2", text))
    except ValueError:
        raise refuse(
            f"{text!r} is not a date (2026-12-31) or an instant with its offset "
            "(2026-12-31T10:00:00+08:00)"
        ) from None
    if instant.tzinfo is None:
        raise refuse(f"{text!r} needs an offset (e.g. +08:00 or Z), or give a date")
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise refuse(f"{text!r} is outside the years 1–9999") from None


@router.get("", response_model=list[RevisitCall])
async def call_list(
    ctx: Ctx,
    _: Desk,
    due_before: Annotated[
        str | None,
        Query(
            max_length=40,
            description="a date (the end of that day in the service time zone) or an instant "
            "with its offset; default: now",
            examples=["2026-12-31", "2026-12-31T10:00:00+08:00"],
        ),
    ] = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
) -> list[RevisitCall]:
    """Calls still to make that are due by `due_before` (default: now), earliest first."""
    until = due_by(due_before, ctx.settings.timezone) if due_before else datetime.now(UTC)

    def load() -> list[RevisitCall]:
        query = (
            select(RevisitCallRow, Customer, Asset)
            .join(Customer, Customer.id == RevisitCallRow.customer_id, isouter=True)
            .join(Asset, Asset.serial == RevisitCallRow.asset_serial, isouter=True)
            .where(RevisitCallRow.status == "due", RevisitCallRow.due <= until)
            .order_by(RevisitCallRow.due, RevisitCallRow.id)
        )
        if customer is not None:
            query = query.where(RevisitCallRow.customer_id == customer)
        with ctx.sessions() as session:
            return [_call(row, c, a) for row, c, a in session.execute(query).all()]

    return await ctx.db(load)


@router.post("/{call_id}/record", response_model=RevisitCall)
async def record(
    call_id: str,
    body: RecordRevisitBody,
    ctx: Ctx,
    who: Answerer,
    idempotency_key_header: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200)
    ] = None,
) -> RevisitCall:
    """Record the customer's answers, or `{"unreachable": true}` (called again after the
    profile's working days, then marked unreachable). Satisfaction ≤ 2 or not solved opens a
    complaint (and, after a repair, a linked rework request)."""
    key = idempotency_key(idempotency_key_header)

    def find() -> RevisitCallRow | None:
        with ctx.sessions() as session:
            return session.get(RevisitCallRow, call_id)

    row = await ctx.db(find)
    if row is None:
        raise Problem(404, f"there is no revisit call {call_id!r}")
    client = await ctx.temporal()
    handle = client.get_workflow_handle(row.workflow_id)
    update_id = gateway.scoped_update_id(Action.RECORD_REVISIT.value, key)
    try:
        if row.status != "due":
            raise Problem(409, f"revisit call {call_id} is already {row.status}")
        if row.number is not None:
            await _check_first_due(ctx, row)
    except Problem:
        if update_id is None:
            raise
        # A retry of an answer already recorded under this key gets that answer again.
        entry = await _earlier_answer(handle, update_id, row)
        if entry is None:
            raise
    else:
        entry = await _answer(client, key, row, who.actor(), body)

    def names() -> tuple[Customer | None, Asset | None]:
        with ctx.sessions() as session:
            customer = session.get(Customer, entry.customer_id)
            asset = session.get(Asset, entry.asset_serial) if entry.asset_serial else None
            return customer, asset

    customer, asset = await ctx.db(names)
    return _with_names(entry, customer, asset)


async def _answer(
    client: Client,
    key: str | None,
    row: RevisitCallRow,
    actor: Actor,
    body: RecordRevisitBody,
) -> RevisitCallEntry:
    """Send the answer to the workflow that owns the call; its validator has the last word."""
    answers = body.model_dump(exclude_none=True)
    if row.number is not None:
        state = await gateway.act(client, row.number, Action.RECORD_REVISIT, actor, answers, key)
        return _of_request(state, row)
    handle = client.get_workflow_handle(row.workflow_id)
    call = await gateway.run_update(
        handle.execute_update(
            RevisitCallWorkflow.record_revisit,
            ActionCommand(actor=actor, body=answers),
            id=gateway.scoped_update_id(Action.RECORD_REVISIT.value, key),
            rpc_timeout=gateway.UPDATE_TIMEOUT,
        ),
        f"revisit call {row.id}",
    )
    return RevisitCallEntry.of_call(call)


async def _earlier_answer(
    handle: WorkflowHandle[Any, Any], update_id: str, row: RevisitCallRow
) -> RevisitCallEntry | None:
    """The result of the update recorded under `update_id`, or None when there is none."""
    result_type = ServiceRequestState if row.number is not None else RevisitCallState
    try:
        earlier = await handle.get_update_handle(update_id, result_type=result_type).result(
            rpc_timeout=gateway.UPDATE_TIMEOUT
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        gateway.raise_if_unavailable(exc)
        raise
    except WorkflowUpdateFailedError:
        return None  # that attempt was refused: the refusal at hand stands
    if isinstance(earlier, ServiceRequestState):
        return _of_request(earlier, row)
    return RevisitCallEntry.of_call(earlier)


def _of_request(state: ServiceRequestState, row: RevisitCallRow) -> RevisitCallEntry:
    calls = RevisitCallEntry.of_request(state, row.workflow_id)
    return next(c for c in calls if c.id == row.id)


async def _check_first_due(ctx: Ctx, row: RevisitCallRow) -> None:
    """A request's revisits are answered in order: the workflow records the earliest due."""

    def earlier() -> str | None:
        with ctx.sessions() as session:
            return session.scalars(
                select(RevisitCallRow.id)
                .where(RevisitCallRow.number == row.number, RevisitCallRow.status == "due")
                # R2 before R10: the workflow answers the earliest of its list first
                .order_by(func.length(RevisitCallRow.id), RevisitCallRow.id)
            ).first()

    first = await ctx.db(earlier)
    if first is not None and first != row.id:
        raise Problem(409, f"answer {first} first: the revisits of {row.number} go in order")


def _call(row: RevisitCallRow, customer: Customer | None, asset: Asset | None) -> RevisitCall:
    return _with_names(RevisitCallEntry.model_validate(row, from_attributes=True), customer, asset)


def _with_names(
    entry: RevisitCallEntry, customer: Customer | None, asset: Asset | None
) -> RevisitCall:
    contact = entry.contact
    if contact is None and customer is not None and customer.contact_phone:
        contact = f"{customer.contact_name or ''} {customer.contact_phone}".strip()
    return RevisitCall(
        **entry.model_dump(exclude={"contact"}),
        contact=contact,
        customer_name=customer.name if customer else "",
        asset_model=asset.model if asset else None,
    )

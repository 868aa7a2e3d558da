"""`/v1/schedules`: periodic revisit calls and preventive inspections as Temporal Schedules
(`schedules.temporal`).

Each change is also kept in `contract_schedules`, so `manage.py sync-schedules` can re-create
the schedules on a new cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session
from temporalio.client import (
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
)

from api.context import Admin, AppContext, Ctx, require
from api.problems import Problem
from db.schedules import forget, remember, set_paused
from db.session import transaction
from db.tables import Asset, Customer
from identity.keys import Principal
from models.lifecycle import Role
from models.schedules import (
    ScheduleBody,
    ScheduledRun,
    ScheduleTiming,
    ScheduleView,
    schedule_id,
)
from models.service_plan import SCHEDULE_KINDS
from schedules.temporal import (
    create_in_temporal,
    describe,
    replace_in_temporal,
    view,
)

router = APIRouter(prefix="/v1/schedules", tags=["schedules"])
Reader = Annotated[
    Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.REVISIT))
]


def _refuse_if_planned(view: ScheduleView) -> None:
    """A contract-wide schedule is the profile's: an edit here would be undone by the next
    `apply-service-plans`."""
    customer = view.definition.customer_id
    if view.definition.asset_serial is None:
        raise Problem(
            409,
            f"schedule {view.id} follows the service_plan of {customer}'s profile: change the "
            f"profile and apply it (POST /v1/customers/{customer}/service-plan); pause it to "
            "stop its runs",
        )


async def _check_refs(ctx: AppContext, body: ScheduleBody) -> None:
    def lookup() -> str | None:
        with ctx.sessions() as session:
            if session.get(Customer, body.customer_id) is None:
                return f"customer_id: there is no customer {body.customer_id!r}"
            asset = session.get(Asset, body.asset_serial)
            if asset is None:
                return f"asset_serial: there is no asset with serial {body.asset_serial!r}"
            if asset.customer_id != body.customer_id:
                return f"asset_serial: asset {asset.serial} belongs to {asset.customer_id}"
            return None

    problem = await ctx.db(lookup)
    if problem is not None:
        field, reason = problem.split(": ", 1)
        raise Problem(422, problem, errors=[{"field": field, "reason": reason}])


async def _keep(ctx: AppContext, change: Callable[[Session], None]) -> None:
    def write() -> None:
        with transaction(ctx.sessions) as session:
            change(session)

    await ctx.db(write)


@router.post("", status_code=201, response_model=ScheduleView)
async def create(body: ScheduleBody, ctx: Ctx, who: Admin) -> ScheduleView:
    await _check_refs(ctx, body)
    client = await ctx.temporal()
    sid = schedule_id(body.kind, body.customer_id, body.asset_serial)
    run = ScheduledRun(schedule_id=sid, definition=body, time_zone=ctx.settings.timezone)
    try:
        await create_in_temporal(client, run, ctx.settings.task_queue, who.name)
    except ScheduleAlreadyRunningError as exc:
        raise Problem(409, f"schedule {sid} already exists; update it with PUT") from exc
    await _keep(ctx, lambda session: remember(session, sid, body, paused=False))
    _, description = await describe(client, sid)
    return await view(client, sid, description)


@router.get("", response_model=list[ScheduleView])
async def list_schedules(ctx: Ctx, who: Reader) -> list[ScheduleView]:
    """Every revisit and inspection schedule, by ID (the list is Temporal's visibility, which
    may lag a create or delete by a moment)."""
    client = await ctx.temporal()
    listed = await client.list_schedules()
    ids = sorted([s.id async for s in listed if s.id.startswith(SCHEDULE_KINDS)])

    async def one(sid: str) -> ScheduleView | None:
        try:
            _, description = await describe(client, sid)
            return await view(client, sid, description)
        except Problem:
            return None  # deleted since the list was read

    views = await asyncio.gather(*(one(sid) for sid in ids))
    return [v for v in views if v is not None]


@router.get("/{sid}", response_model=ScheduleView)
async def get(sid: str, ctx: Ctx, who: Reader) -> ScheduleView:
    client = await ctx.temporal()
    _, description = await describe(client, sid)
    return await view(client, sid, description)


@router.put("/{sid}", response_model=ScheduleView)
async def update(sid: str, body: ScheduleTiming, ctx: Ctx, who: Admin) -> ScheduleView:
    client = await ctx.temporal()
    handle, description = await describe(client, sid)
    current = await view(client, sid, description)
    _refuse_if_planned(current)
    definition = current.definition.model_copy(update=body.model_dump())
    run = ScheduledRun(schedule_id=sid, definition=definition, time_zone=ctx.settings.timezone)
    await replace_in_temporal(handle, run, ctx.settings.task_queue)
    _, description = await describe(client, sid)
    paused = description.schedule.state.paused
    await _keep(ctx, lambda session: remember(session, sid, definition, paused))
    return await view(client, sid, description)


@router.post("/{sid}/pause", response_model=ScheduleView)
async def pause(sid: str, ctx: Ctx, who: Admin) -> ScheduleView:
    return await _pause(sid, ctx, who, paused=True)


@router.post("/{sid}/unpause", response_model=ScheduleView)
async def unpause(sid: str, ctx: Ctx, who: Admin) -> ScheduleView:
    return await _pause(sid, ctx, who, paused=False)


async def _pause(sid: str, ctx: AppContext, who: Principal, *, paused: bool) -> ScheduleView:
    client = await ctx.temporal()
    handle, _ = await describe(client, sid)
    if paused:
        await handle.pause(note=f"paused by {who.name}")
    else:
        await handle.unpause(note=f"unpaused by {who.name}")
    await _keep(ctx, lambda session: set_paused(session, sid, paused))
    return await get(sid, ctx, who)


@router.post("/{sid}/trigger", status_code=202, response_model=ScheduleView)
async def trigger(sid: str, ctx: Ctx, who: Admin) -> ScheduleView:
    """Run it now (also while paused); the run acts at once, without the working-date wait."""
    client = await ctx.temporal()
    handle, _ = await describe(client, sid)
    await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
    return await get(sid, ctx, who)


@router.delete("/{sid}", status_code=204)
async def delete(sid: str, ctx: Ctx, who: Admin) -> Response:
    """Runs already started go on (a registered inspection is a request of its own)."""
    client = await ctx.temporal()
    handle, description = await describe(client, sid)
    _refuse_if_planned(await view(client, sid, description))
    await handle.delete()
    await _keep(ctx, lambda session: forget(session, sid))
    return Response(status_code=204)

"""`/v1/schedules`: periodic revisit calls and preventive inspections as Temporal Schedules.

Temporal runs these schedules: the ID is derived from kind, customer and asset, the definition
travels as the scheduled workflow's input (read back from the schedule's action, so an update
is seen at once), and the memo and summary let the Web UI's schedules page explain each one.
Each change is also kept in `contract_schedules`, so `manage.py sync-schedules` can re-create
the schedules on a new cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from api.context import AppContext, Ctx, require
from api.problems import Problem
from db.schedules import forget, remember, set_paused
from db.session import transaction
from db.tables import Asset, Customer
from identity.keys import Principal
from models.lifecycle import Role
from models.schedules import (
    MEMO_KEY,
    WORKFLOW_TYPE,
    ScheduleBody,
    ScheduledRun,
    ScheduleTiming,
    ScheduleView,
    schedule_id,
)
from models.service_plan import MONTHS, SCHEDULE_KINDS

router = APIRouter(prefix="/v1/schedules", tags=["schedules"])
Reader = Annotated[
    Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.REVISIT))
]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def build_schedule(run: ScheduledRun, task_queue: str, paused: bool = False) -> Schedule:
    """The Temporal schedule of a definition: one calendar slot per period, in the service
    time zone (so 09:00 stays 09:00 local whatever UTC does)."""
    d = run.definition
    of = f"{d.asset_serial} ({d.customer_id})" if d.asset_serial else f"contract {d.customer_id}"
    label = f"{d.kind.replace('_', ' ')} of {of}, {d.every}"
    when = f"day {d.day_of_month} at {d.hour:02d}:00 {run.time_zone}"
    calendar = ScheduleCalendarSpec(
        second=[ScheduleRange(0)],
        minute=[ScheduleRange(0)],
        hour=[ScheduleRange(d.hour)],
        day_of_month=[ScheduleRange(d.day_of_month)],
        month=[ScheduleRange(m) for m in MONTHS[d.every]],
        comment=f"{d.every}, {when}",
    )
    return Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW_TYPE,
            run,
            # Temporal appends the scheduled time: every run has its own workflow ID.
            id=run.schedule_id,
            task_queue=task_queue,
            static_summary=label,
            static_details=f"{when}. Moved to the next working date of the customer's office "
            f"calendar on holidays.{' Note: ' + d.note if d.note else ''}",
        ),
        spec=ScheduleSpec(calendars=[calendar], time_zone_name=run.time_zone),
        # A run may wait days for a working date; the next period never needs to overlap it.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=d.note or label, paused=paused),
    )


async def _describe(client: Client, sid: str) -> tuple[ScheduleHandle, ScheduleDescription]:
    handle = client.get_schedule_handle(sid)
    try:
        return handle, await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Problem(404, f"there is no schedule {sid!r}") from exc
        raise


async def _view(client: Client, sid: str, description: ScheduleDescription) -> ScheduleView:
    action = description.schedule.action
    if not isinstance(action, ScheduleActionStartWorkflow) or action.workflow != WORKFLOW_TYPE:
        raise Problem(404, f"there is no schedule {sid!r}")
    # Described actions keep their arguments encoded; the client's converter reads them.
    [run] = await client.data_converter.decode(list(action.args), [ScheduledRun])
    state, info = description.schedule.state, description.info
    return ScheduleView(
        id=sid,
        definition=run.definition,
        paused=state.paused,
        note=state.note,
        next_runs=info.next_action_times[:5],
        recent_runs=[a.scheduled_at for a in info.recent_actions],
    )


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


async def create_in_temporal(
    client: Client, run: ScheduledRun, task_queue: str, created_by: str, paused: bool = False
) -> None:
    body = run.definition
    memo: dict[str, Any] = {
        MEMO_KEY: {
            "kind": body.kind,
            "customer_id": body.customer_id,
            "asset_serial": body.asset_serial,
            "created_by": created_by,
        },
    }
    schedule = build_schedule(run, task_queue, paused)
    await client.create_schedule(run.schedule_id, schedule, memo=memo)


async def exists_in_temporal(handle: ScheduleHandle) -> bool:
    try:
        await handle.describe()
        return True
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise


async def replace_in_temporal(handle: ScheduleHandle, run: ScheduledRun, task_queue: str) -> None:
    """Give an existing schedule a new definition; whether it is paused stays (an edit of the
    timing is not an unpause)."""

    def replace(update: ScheduleUpdateInput) -> ScheduleUpdate:
        paused = update.description.schedule.state.paused
        return ScheduleUpdate(schedule=build_schedule(run, task_queue, paused))

    await handle.update(replace)


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
    _, description = await _describe(client, sid)
    return await _view(client, sid, description)


@router.get("", response_model=list[ScheduleView])
async def list_schedules(ctx: Ctx, who: Reader) -> list[ScheduleView]:
    """Every revisit and inspection schedule, by ID (the list is Temporal's visibility, which
    may lag a create or delete by a moment)."""
    client = await ctx.temporal()
    listed = await client.list_schedules()
    ids = sorted([s.id async for s in listed if s.id.startswith(SCHEDULE_KINDS)])

    async def one(sid: str) -> ScheduleView | None:
        try:
            _, description = await _describe(client, sid)
            return await _view(client, sid, description)
        except Problem:
            return None  # deleted since the list was read

    views = await asyncio.gather(*(one(sid) for sid in ids))
    return [v for v in views if v is not None]


@router.get("/{sid}", response_model=ScheduleView)
async def get(sid: str, ctx: Ctx, who: Reader) -> ScheduleView:
    client = await ctx.temporal()
    _, description = await _describe(client, sid)
    return await _view(client, sid, description)


@router.put("/{sid}", response_model=ScheduleView)
async def update(sid: str, body: ScheduleTiming, ctx: Ctx, who: Admin) -> ScheduleView:
    client = await ctx.temporal()
    handle, description = await _describe(client, sid)
    current = await _view(client, sid, description)
    _refuse_if_planned(current)
    definition = current.definition.model_copy(update=body.model_dump())
    run = ScheduledRun(schedule_id=sid, definition=definition, time_zone=ctx.settings.timezone)
    await replace_in_temporal(handle, run, ctx.settings.task_queue)
    _, description = await _describe(client, sid)
    paused = description.schedule.state.paused
    await _keep(ctx, lambda session: remember(session, sid, definition, paused))
    return await _view(client, sid, description)


@router.post("/{sid}/pause", response_model=ScheduleView)
async def pause(sid: str, ctx: Ctx, who: Admin) -> ScheduleView:
    return await _pause(sid, ctx, who, paused=True)


@router.post("/{sid}/unpause", response_model=ScheduleView)
async def unpause(sid: str, ctx: Ctx, who: Admin) -> ScheduleView:
    return await _pause(sid, ctx, who, paused=False)


async def _pause(sid: str, ctx: AppContext, who: Principal, *, paused: bool) -> ScheduleView:
    client = await ctx.temporal()
    handle, _ = await _describe(client, sid)
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
    handle, _ = await _describe(client, sid)
    await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
    return await get(sid, ctx, who)


@router.delete("/{sid}", status_code=204)
async def delete(sid: str, ctx: Ctx, who: Admin) -> Response:
    """Runs already started go on (a registered inspection is a request of its own)."""
    client = await ctx.temporal()
    handle, description = await _describe(client, sid)
    _refuse_if_planned(await _view(client, sid, description))
    await handle.delete()
    await _keep(ctx, lambda session: forget(session, sid))
    return Response(status_code=204)

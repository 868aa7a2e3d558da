"""The desks whose work is requests at some stages: the support queue (远程支持), the dispatch
board (派工台) and the engineer's own jobs (我的工单, laid out for a phone). Each lists its
requests earliest deadline first, with the forms of the actions its person may take now;
the forms post to the request page's action route, and come back here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api.context import Ctx
from api.service_requests import list_filters
from api.web.forms import FORMS
from api.web.pages import DISPATCH, MY_JOBS, SUPPORT, PageRoute, for_roles, render
from api.web.request_page import offered
from db.tables import ServiceRequestRow
from db.worklists import Load, WorkItem, engineer_loads, work_items
from dispatch import ranked
from identity.web_sessions import SignedIn
from models.lifecycle import Role, Stage
from models.schedules import round_of

router = APIRouter(prefix="/app", include_in_schema=False, route_class=PageRoute)
SupportDesk = Annotated[SignedIn, Depends(for_roles(Role.SUPPORT, Role.SUPERVISOR))]
DispatchDesk = Annotated[SignedIn, Depends(for_roles(Role.DISPATCHER, Role.SUPERVISOR))]
EngineerDesk = Annotated[SignedIn, Depends(for_roles(Role.ENGINEER))]


def _stages(*stages: Stage) -> Any:
    return ServiceRequestRow.stage.in_([s.value for s in stages])


async def _desk(
    ctx: Ctx, web: SignedIn, template: str, here: str, filters: Sequence[Any], **more: Any
) -> HTMLResponse:
    def load() -> list[WorkItem]:
        with ctx.sessions() as session:
            return work_items(session, filters)

    items = await ctx.db(load)
    actions = {item.row.number: offered(item.state, web.who.role) for item in items}
    return render(
        ctx, web, template, here=here, items=items, actions=actions, forms_spec=FORMS, **more
    )


@router.get("/support", response_class=HTMLResponse)
async def support_queue(ctx: Ctx, web: SupportDesk) -> HTMLResponse:
    """Registered and diagnosing requests: acknowledge, diagnose, quote."""
    stages = _stages(Stage.REGISTERED, Stage.DIAGNOSING)
    return await _desk(ctx, web, "support.html", SUPPORT.href, [stages])


@router.get("/dispatch", response_class=HTMLResponse)
async def dispatch_board(ctx: Ctx, web: DispatchDesk) -> HTMLResponse:
    """Requests awaiting dispatch or parts, each with the engineers who qualify (auto-assign's
    choice first); every engineer's open jobs and today's appointments."""
    timezone = ZoneInfo(ctx.settings.timezone)
    today = datetime.now(timezone).date()

    def load() -> tuple[list[Load], dict[str, list[WorkItem]]]:
        with ctx.sessions() as session:
            jobs: dict[str, list[WorkItem]] = {}
            for item in work_items(session, [ServiceRequestRow.engineer_id.is_not(None)]):
                jobs.setdefault(item.row.engineer_id or "", []).append(item)
            return engineer_loads(session), jobs

    loads, jobs = await ctx.db(load)
    by_id = {load.engineer.id: load for load in loads}

    def qualified(item: WorkItem) -> list[Load]:
        category = item.asset.category if item.asset else ""
        order = ranked(
            (load.candidate for load in loads), category=category, region=item.row.region
        )
        return [by_id[c.engineer_id] for c in order]

    today_visits = {
        engineer: [
            item
            for item in items
            if item.state.appointment_at is not None
            and item.state.appointment_at.astimezone(timezone).date() == today
        ]
        for engineer, items in jobs.items()
    }
    stages = _stages(Stage.AWAITING_DISPATCH, Stage.DISPATCHED, Stage.AWAITING_PARTS)
    return await _desk(
        ctx,
        web,
        "dispatch.html",
        DISPATCH.href,
        [stages],
        qualified=qualified,
        loads=loads,
        jobs=jobs,
        today_visits=today_visits,
    )


@router.get("/my-jobs", response_class=HTMLResponse)
async def my_jobs(ctx: Ctx, web: EngineerDesk) -> HTMLResponse:
    """The engineer's own open assignments (the list's own scoping: an engineer key sees the
    jobs assigned to it and nothing else)."""
    own = list_filters(web.who)
    return await _desk(ctx, web, "my_jobs.html", MY_JOBS.href, own, round_path=_round_path)


def _round_path(external_ref: str | None) -> str | None:
    """An inspection's round page, where the customer signs the whole round at once."""
    found = round_of(external_ref)
    return f"/app/inspection-rounds/{found[0]}/{found[1]}" if found else None

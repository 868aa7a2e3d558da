"""`/app/requests/{number}`: a request as staff see it (工单详情): the state, every clock with
its plans, escalations, the timeline, the report, and a form for each action this person may
take now. A form posts to `/app/requests/{number}/{action}`, which goes through the API's own
`authorise` and `perform`; a refusal is shown in the form with what was entered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from api.context import AppContext, Ctx
from api.ownership import check_request
from api.problems import Problem, status_of
from api.service_requests import authorise, current_state, perform, stored_timeline
from api.web.caught_up import caught_up, request_at
from api.web.forms import FORMS, Submitted, idempotency_key_of, read_form
from api.web.pages import Browser, PageRoute, render
from db.tables import Asset, ClockPlanRow, Customer, Engineer
from documents.labels import label
from identity.web_sessions import SignedIn
from models.errors import DomainError, field_errors
from models.lifecycle import LIFECYCLE, Action, Role, allowed_actions
from models.state import ServiceRequestState, workflow_id_for

router = APIRouter(prefix="/app/requests", include_in_schema=False, route_class=PageRoute)


def offered(state: ServiceRequestState, role: Role) -> list[Action]:
    """The actions to offer: those the lifecycle allows this role now, but the customer's
    signature (the engineer hands over the signing page instead), and pause or resume as the
    clocks are."""
    return [
        action
        for action in allowed_actions(state.stage, role)
        if action in FORMS
        and not (action is Action.PAUSE and state.paused)
        and not (action is Action.RESUME and not state.paused)
    ]


def _archive(ctx: AppContext, state: ServiceRequestState, assigns: bool) -> dict[str, Any]:
    with ctx.sessions() as session:
        plans = session.scalars(
            select(ClockPlanRow)
            .where(ClockPlanRow.number == state.number)
            .order_by(ClockPlanRow.planned_at, ClockPlanRow.due)
        )
        by_clock: dict[str, list[ClockPlanRow]] = {}
        for plan in plans:
            by_clock.setdefault(plan.clock, []).append(plan)
        return {
            "customer": session.get(Customer, state.customer_id),
            "asset": session.get(Asset, state.asset_serial),
            "engineer": session.get(Engineer, state.engineer) if state.engineer else None,
            "plans": by_clock,
            # the choice of the assign form only: engineers do not read the crew
            "engineers": list(session.scalars(select(Engineer).order_by(Engineer.id)))
            if assigns
            else [],
        }


async def request_page(
    ctx: AppContext,
    web: SignedIn,
    number: str,
    *,
    status: int = 200,
    failed: Action | None = None,
    refusal: str = "",
    errors: Mapping[str, str] | None = None,
    entered: Mapping[str, str] | None = None,
    done: str = "",
) -> HTMLResponse:
    await check_request(ctx, web.who, number)
    state = await current_state(ctx, number)
    events = await stored_timeline(ctx, number)
    actions = offered(state, web.who.role)
    assigns = Action.ASSIGN in actions or failed is Action.ASSIGN
    archive = await ctx.db(lambda: _archive(ctx, state, assigns))
    return render(
        ctx,
        web,
        "request.html",
        status=status,
        state=state,
        events=list(reversed(events)),
        actions=actions,
        forms_spec=FORMS,
        workflow_id=workflow_id_for(state.number),
        lifecycle=LIFECYCLE,
        failed=failed,
        refusal=refusal,
        errors=errors or {},
        entered=entered or {},
        flash=done,
        **archive,
    )


@router.get("/{number}", response_class=HTMLResponse)
async def show(number: str, ctx: Ctx, web: Browser, done: str = "") -> HTMLResponse:
    action = Action.from_path(done) if done else None
    note = f"已完成 Done: {label('action', action.value)}" if action else ""
    return await request_page(ctx, web, number, done=note)


def _back(target: str, number: str, action: Action) -> str:
    if target.startswith("/app") and not target.startswith("//"):
        return target
    return f"/app/requests/{number}?done={action.path}"


@router.post("/{number}/{action_path}")
async def act(number: str, action_path: str, request: Request, ctx: Ctx, web: Browser) -> Response:
    action = Action.from_path(action_path)
    if action is None or action not in FORMS:
        raise Problem(404, f"there is no action {action_path!r} in the staff app")
    await authorise(ctx, web.who, number, action)
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    submitted = read_form(FORMS[action], items, ctx.settings.timezone)
    entered = dict(items)
    key = idempotency_key_of(entered)
    try:
        body = LIFECYCLE[action].body.model_validate(submitted.body)
    except ValidationError as exc:
        return await _refused(ctx, web, number, action, 422, submitted, field_errors(exc), entered)
    try:
        state = await perform(ctx, web.who, number, action, body, key)
    except (Problem, DomainError) as refused:
        status = status_of(refused)
        errors = refused.errors or []
        return await _refused(
            ctx, web, number, action, status, submitted, errors, entered, refused.detail
        )
    await caught_up(ctx, request_at(number, state.version))
    return RedirectResponse(_back(entered.get("back", ""), number, action), 303)


async def _refused(
    ctx: AppContext,
    web: SignedIn,
    number: str,
    action: Action,
    status: int,
    submitted: Submitted,
    errors: Sequence[Mapping[str, Any]],
    entered: Mapping[str, str],
    detail: str = "",
) -> HTMLResponse:
    by_field = {submitted.form_path(str(e["field"])): str(e["reason"]) for e in errors}
    return await request_page(
        ctx,
        web,
        number,
        status=status,
        failed=action,
        refusal=detail or "请检查标出的字段。 Please check the fields marked below.",
        errors=by_field,
        entered=entered,
    )

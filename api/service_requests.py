"""`/v1/service-requests`: intake, list, live state, actions and timeline (SPEC §6).

No `from __future__ import annotations` here: the action routes are built from the lifecycle
table with each action's body model as a real annotation, so OpenAPI documents every body.
"""

from datetime import datetime
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

import gateway
from api.complaints import register_complaint
from api.context import Anyone, AppContext, Ctx, require
from api.ownership import check_request
from api.problems import Problem
from db.engineers import find_engineer
from db.replacements import in_service
from db.tables import Asset, Intake, ServiceRequestRow, TimelineEventRow
from identity.keys import Principal
from intake.reservation import idempotency_key, reserve
from models.actions import AssignBody, ChooseRemedyBody, ReportRepairBody, SignBody
from models.assignment import refuse_named
from models.common import SlaStatus
from models.errors import Conflict, InvalidInput, invalid_fields, invalid_model
from models.intake import ClockView, IntakeRequest, IntakeResponse
from models.lifecycle import LIFECYCLE, TERMINAL_STAGES, Action, Role, Stage
from models.state import ServiceRequestState, TimelineEvent, workflow_id_for

router = APIRouter(prefix="/v1/service-requests", tags=["service requests"])
#: `?engineer=me`: an engineer key's own jobs.
ME = "me"


class RequestSummary(BaseModel):
    number: str
    stage: str
    type: str
    severity: int
    region: str
    customer_id: str
    asset_serial: str
    engineer: str | None
    sla_status: str
    next_deadline: datetime | None
    reported_at: datetime
    outcome: str | None


class RequestPage(BaseModel):
    items: list[RequestSummary]
    total: int
    page: int
    page_size: int


@router.post("", status_code=201, response_model=IntakeResponse)
async def register(
    body: IntakeRequest,
    response: Response,
    ctx: Ctx,
    who: Annotated[Principal, Depends(require(Role.INTAKE))],
    idempotency_key_header: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200)
    ] = None,
) -> IntakeResponse:
    """Register a service request (报修登记). The same `Idempotency-Key` or `external_ref`
    returns the same request with 200, never a second one.

    `"type": "complaint"` (热线投诉) needs only the customer and a description (`asset_serial`,
    `about` and `contact` optional) and starts only the complaint's clock: the answer is the
    complaint (`CP-…`), with no entitlement and its one `complaint` clock."""
    key = idempotency_key(idempotency_key_header)
    if body.type == "complaint":
        return await register_complaint(ctx, body, key, who, response)
    start, duplicate = await ctx.db(
        lambda: reserve(ctx.sessions, body, key, ctx.settings.timezone, registrar=who.actor())
    )
    client = await ctx.temporal()
    await gateway.start(client, ctx.settings.task_queue, start)
    # Answered without asking the workflow, so intake works even while no worker runs; a
    # duplicate shows the request as far as the read model has followed it.
    stored = await ctx.db(lambda: _stored(ctx, start.number)) if duplicate else None
    state = stored or ServiceRequestState.registered(start)
    if duplicate:
        response.status_code = 200
    return IntakeResponse(
        number=state.number,
        workflow_id=workflow_id_for(state.number),
        stage=state.stage,
        entitlement=state.entitlement,
        clocks={
            name: ClockView(due=c.due, status=c.status, met_at=c.met_at)
            for name, c in state.clocks.items()
        },
        duplicate=duplicate,
    )


def list_filters(
    who: Anyone,
    stage: Stage | None = None,
    severity: Annotated[int | None, Query(ge=1, le=4)] = None,
    region: str | None = None,
    engineer: str | None = None,
    customer: str | None = None,
    breached: bool | None = None,
    sla_status: SlaStatus | None = None,
) -> list[Any]:
    """The list's filters, and the person's own scope: a customer key sees its own customer's
    requests, an engineer key the jobs assigned to it (`engineer=me` says so explicitly)."""
    if engineer == ME:
        if who.engineer_id is None:
            raise invalid_fields(
                [{"field": "engineer", "reason": "'me' is for engineer keys; name an engineer"}]
            )
        engineer = who.engineer_id
    filters: list[Any] = []
    if who.customer_id is not None:
        filters.append(ServiceRequestRow.customer_id == who.customer_id)
    if who.role == Role.ENGINEER:
        filters.append(ServiceRequestRow.engineer_id == who.engineer_id)
    for column, value in (
        (ServiceRequestRow.stage, stage),
        (ServiceRequestRow.severity, severity),
        (ServiceRequestRow.region, region),
        (ServiceRequestRow.engineer_id, engineer),
        (ServiceRequestRow.customer_id, customer),
        (ServiceRequestRow.breached, breached),
        (ServiceRequestRow.sla_status, sla_status),
    ):
        if value is not None:
            filters.append(column == value)
    return filters


Filters = Annotated[list[Any], Depends(list_filters)]
NEWEST_FIRST = (ServiceRequestRow.registered_at.desc(), ServiceRequestRow.number.desc())


@router.get("", response_model=RequestPage)
async def list_requests(
    ctx: Ctx,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RequestPage:
    """Requests from the read model, newest first. A customer key lists its own customer's
    requests, an engineer key the jobs assigned to it (`engineer=me` says so explicitly)."""

    def load() -> RequestPage:
        with ctx.sessions() as session:
            total = session.scalar(
                select(func.count()).select_from(ServiceRequestRow).where(*filters)
            )
            rows = session.scalars(
                select(ServiceRequestRow)
                .where(*filters)
                .order_by(*NEWEST_FIRST)
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
            items = [
                RequestSummary(
                    number=r.number,
                    stage=r.stage,
                    type=r.type,
                    severity=r.severity,
                    region=r.region,
                    customer_id=r.customer_id,
                    asset_serial=r.asset_serial,
                    engineer=r.engineer_id,
                    sla_status=r.sla_status,
                    next_deadline=r.next_deadline,
                    reported_at=r.reported_at,
                    outcome=r.outcome,
                )
                for r in rows
            ]
            return RequestPage(items=items, total=total or 0, page=page, page_size=page_size)

    return await ctx.db(load)


@router.get("/{number}", response_model=ServiceRequestState)
async def get_request(number: str, ctx: Ctx, who: Anyone) -> ServiceRequestState:
    """Live state from the workflow; the read model once the request is finished."""
    await check_request(ctx, who, number)
    return await current_state(ctx, number)


@router.get("/{number}/timeline", response_model=list[TimelineEvent])
async def timeline(number: str, ctx: Ctx, who: Anyone) -> list[TimelineEvent]:
    gateway.check_number(number)
    await check_request(ctx, who, number)
    return await stored_timeline(ctx, number)


async def stored_timeline(ctx: AppContext, number: str) -> list[TimelineEvent]:
    """The request's timeline, oldest first (its reader's ownership checked by the caller)."""

    def load() -> list[TimelineEvent] | None:
        with ctx.sessions() as session:
            known = session.scalar(
                select(func.count()).select_from(Intake).where(Intake.number == number)
            )
            if not known:
                return None
            rows = session.scalars(
                select(TimelineEventRow)
                .where(TimelineEventRow.number == number)
                .order_by(TimelineEventRow.seq)
            )
            return [
                TimelineEvent(
                    seq=r.seq,
                    kind=r.kind,
                    at=r.at,
                    actor=r.actor,
                    by=r.by,
                    stage=Stage(r.stage),
                    data=r.data,
                )
                for r in rows
            ]

    events = await ctx.db(load)
    if events is None:
        raise Problem(404, f"there is no service request {number}")
    return events


def _stored(ctx: Ctx, number: str) -> ServiceRequestState | None:
    """The request as the read model last recorded it."""
    with ctx.sessions() as session:
        row = session.get(ServiceRequestRow, number)
        return ServiceRequestState.model_validate(row.state) if row is not None else None


async def current_state(ctx: Ctx, number: str) -> ServiceRequestState:
    """Live state from the workflow; the read model once the request is finished."""
    gateway.check_number(number)
    stored = await ctx.db(lambda: _stored(ctx, number))
    if stored is not None and stored.stage in TERMINAL_STAGES:
        return stored
    live = await gateway.query_state(await ctx.temporal(), number)
    if live is None:
        raise Problem(404, f"there is no service request {number}")
    return live


def _check_named_engineer(ctx: AppContext, number: str, body: AssignBody) -> None:
    """The dispatcher's named engineer, refused before the action reaches the workflow (so
    the refusal never enters its history); the workflow checks again when it assigns."""
    assert body.engineer_id is not None
    with ctx.sessions() as session:
        row = session.get(ServiceRequestRow, number)
        asset = session.get(Asset, row.asset_serial) if row is not None else None
        if row is None or asset is None:
            return  # not in the read model yet: the workflow decides alone
        found = find_engineer(session, body.engineer_id)
        refusal = refuse_named(
            body.engineer_id, found, asset.category, row.region, check_fit=not body.override
        )
    if refusal is not None:
        kind, message = refusal
        raise InvalidInput(message) if kind == "invalid" else Conflict(message)


def _check_replacement(ctx: AppContext, number: str, serial: str) -> None:
    """A new unit is new to the archive: a serial it has (another customer's unit, a unit
    in service) is refused before the report reaches the workflow. The record writes it."""
    with ctx.sessions() as session:
        row = session.get(ServiceRequestRow, number)
        if row is None or row.asset_serial is None:
            return  # not in the read model yet: the record will not overwrite a unit
        if serial == row.asset_serial:
            raise InvalidInput(f"replacement_serial: {serial} is the unit being replaced")
        found = session.get(Asset, serial)
        current = in_service(session, row.asset_serial)
        if found is not None and (current is None or current.serial != serial):
            raise Conflict(
                f"replacement_serial: unit {serial} is in the archive already (customer "
                f"{found.customer_id}); a replacement is a unit the archive does not have yet"
            )


async def authorise(ctx: AppContext, who: Principal, number: str, action: Action) -> None:
    """May `who` take `action` on request `number`: the role, then the ownership."""
    transition = LIFECYCLE[action]
    gateway.check_number(number)
    if who.role not in transition.roles:
        allowed = ", ".join(sorted(transition.roles))
        raise Problem(403, f"role '{who.role}' may not {action}; allowed roles: {allowed}")
    await check_request(ctx, who, number)


async def perform(
    ctx: AppContext,
    who: Principal,
    number: str,
    action: Action,
    body: BaseModel,
    update_id: str | None,
) -> ServiceRequestState:
    """Take an authorised action: the API's routes and the web app's forms both come here."""
    if action is Action.SIGN:
        # ---- SIGN hook (api/signing.py): every signature binds the SHA-256 of the report
        # as rendered now, and that report is stored. Imported here: api.signing imports
        # this module.
        from api.signing import sign_report

        assert isinstance(body, SignBody)
        return await sign_report(ctx, number, who.actor(), body, update_id)
        # ---- end of the SIGN hook
    if isinstance(body, AssignBody) and body.engineer_id is not None:
        named = body
        await ctx.db(lambda: _check_named_engineer(ctx, number, named))
    if isinstance(body, ReportRepairBody | ChooseRemedyBody) and body.replacement_serial:
        serial = body.replacement_serial
        await ctx.db(lambda: _check_replacement(ctx, number, serial))
    return await gateway.act(
        await ctx.temporal(),
        number,
        action,
        who.actor(),
        body.model_dump(mode="json", exclude_unset=True),
        update_id,
    )


def _action_route(action: Action) -> None:
    transition = LIFECYCLE[action]
    model = transition.body

    async def authorised(number: str, ctx: Ctx, who: Anyone) -> Principal:
        """Role and ownership, checked as a dependency so that they are answered before the
        body is (a wrong role with a bad body is a 403, not a 422)."""
        await authorise(ctx, who, number, action)
        return who

    async def endpoint(
        number: str,
        ctx: Ctx,
        who: Annotated[Principal, Depends(authorised)],
        body: Annotated[Optional[model], Body()] = None,  # type: ignore[valid-type]  # noqa: UP045
        update_id: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    ) -> ServiceRequestState:
        if body is None:
            try:
                body = model.model_validate({})
            except ValidationError as exc:
                raise invalid_model(exc) from None
        return await perform(ctx, who, number, action, body, update_id)

    endpoint.__name__ = action.value
    endpoint.__doc__ = (
        f"`{action}`: allowed in {', '.join(sorted(transition.all_stages))}; "
        f"roles {', '.join(sorted(transition.roles))}; goes to {transition.goes_to}."
    )
    router.add_api_route(
        f"/{{number}}/{action.path}",
        endpoint,
        methods=["POST"],
        response_model=ServiceRequestState,
        summary=action.path,
    )


for _action in Action:
    _action_route(_action)


@router.post("/{number}/{action}", include_in_schema=False)
async def unknown_action(number: str, action: str) -> None:
    known = ", ".join(a.path for a in Action)
    raise Problem(404, f"there is no action {action!r}; actions: {known}")

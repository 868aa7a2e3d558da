"""`/app`: the supervisor's board (主管看板). Open requests coloured by SLA status, the next
deadline first, with the list's filters; counts per status and per engineer; the complaints
and signature refusals waiting for an answer. Anyone else is taken to their own desk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from api.complaints import respond
from api.context import Ctx
from api.service_requests import Filters
from api.web.forms import idempotency_key_of
from api.web.pages import BOARD, Browser, PageRoute, for_roles, render
from api.web.sign_in import home
from db.tables import ComplaintRow, Customer, Engineer, ServiceRequestRow
from db.worklists import count_open, engineer_loads, status_counts, work_items
from identity.web_sessions import SignedIn
from models.common import SlaStatus
from models.complaints import RespondBody
from models.errors import invalid_model
from models.lifecycle import OPEN_STAGES, Role, Stage
from workflows.complaint import ANSWERED_BY

router = APIRouter(prefix="/app", include_in_schema=False, route_class=PageRoute)
MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
Manager = Annotated[SignedIn, Depends(for_roles(*ANSWERED_BY))]
#: The board's own filter names, kept in its links and its form.
FILTERS = ("stage", "severity", "region", "engineer", "customer", "sla_status")


@router.get("")
async def board(
    ctx: Ctx,
    request: Request,
    web: Browser,  # before the filters: no session is a sign-in, not a missing key
    filters: Filters,
) -> Response:
    if web.who.role not in MANAGERS:
        return RedirectResponse(home(web.who.role), 303)
    chosen = {name: request.query_params.get(name, "") for name in FILTERS}
    done = request.query_params.get("done", "")

    def load() -> dict[str, Any]:
        with ctx.sessions() as session:
            refusals = [
                item
                for item in work_items(
                    session, [ServiceRequestRow.stage == Stage.AWAITING_SIGNATURE.value]
                )
                if item.state.signature_refusals
            ]
            return {
                "items": work_items(session, filters),
                "shown_of": count_open(session, filters),
                "counts": status_counts(session),
                "loads": engineer_loads(session),
                "complaints": list(
                    session.scalars(
                        select(ComplaintRow)
                        .where(ComplaintRow.status == "open")
                        .order_by(ComplaintRow.respond_by)
                    )
                ),
                "refusals": refusals,
                "engineers": list(session.scalars(select(Engineer).order_by(Engineer.id))),
                "customers": list(session.scalars(select(Customer).order_by(Customer.id))),
                "regions": sorted(set(session.scalars(select(Customer.region).distinct()))),
            }

    values = await ctx.db(load)
    return render(
        ctx,
        web,
        "board.html",
        here=BOARD.href,
        chosen=chosen,
        stages=[s for s in Stage if s in OPEN_STAGES],
        statuses=list(SlaStatus),
        request_query=request.url.query,
        flash=f"已答复 Answered: {done}" if done else "",
        **values,
    )


@router.post("/complaints/{number}/respond")
async def answer_complaint(number: str, request: Request, ctx: Ctx, web: Manager) -> Response:
    """The supervisor's answer, through `POST /v1/complaints/{number}/respond`'s function."""
    form = await request.form()
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    try:
        body = RespondBody.model_validate(
            {k: fields[k] for k in ("response", "remedy") if fields.get(k)}
        )
    except ValidationError as exc:
        raise invalid_model(exc) from None
    await respond(number, body, ctx, web.who, idempotency_key_of(fields))
    return RedirectResponse(f"{BOARD.href}?done={number}", 303)

"""`/app/revisits`: the revisit agent's desk (回访台). Today's and overdue calls with whom to
call and what was done; the answers or "unreachable" go through `POST /v1/revisits/{id}/record`'s
own function; the complaints the desk opened are listed below."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from api.context import Ctx
from api.problems import Problem, status_of
from api.revisits import call_list, record
from api.web.caught_up import call_answered, caught_up
from api.web.forms import FORMS, idempotency_key_of, read_form
from api.web.pages import REVISITS, PageRoute, for_roles, render
from db.tables import ComplaintRow
from identity.web_sessions import SignedIn
from models.actions import RecordRevisitBody
from models.errors import DomainError, field_errors
from models.lifecycle import LIFECYCLE, Action, Role

router = APIRouter(prefix="/app/revisits", include_in_schema=False, route_class=PageRoute)
Desk = Annotated[SignedIn, Depends(for_roles(Role.REVISIT, Role.SUPERVISOR))]
#: Who records an answer: the API's own rule for the action.
Answerer = Annotated[SignedIn, Depends(for_roles(*LIFECYCLE[Action.RECORD_REVISIT].roles))]
FIELDS = FORMS[Action.RECORD_REVISIT]


async def _desk(
    ctx: Ctx,
    web: SignedIn,
    *,
    status: int = 200,
    failed: str = "",
    refusal: str = "",
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    flash: str = "",
    ahead: int = 0,
) -> HTMLResponse:
    zone = ZoneInfo(ctx.settings.timezone)
    last_day = datetime.now(zone).date() + timedelta(days=ahead)
    calls = await call_list(ctx, web.who, datetime.combine(last_day, time.max, zone).isoformat())

    def opened() -> list[ComplaintRow]:
        with ctx.sessions() as session:
            return list(
                session.scalars(
                    select(ComplaintRow)
                    .where(ComplaintRow.source.in_(("revisit", "periodic_revisit")))
                    .order_by(ComplaintRow.opened_at.desc())
                    .limit(50)
                )
            )

    return render(
        ctx,
        web,
        "revisits.html",
        status=status,
        here=REVISITS.href,
        calls=calls,
        complaints=await ctx.db(opened),
        fields=FIELDS,
        failed=failed,
        refusal=refusal,
        errors=errors or {},
        entered=entered or {},
        flash=flash,
        ahead=ahead,
        may_record=web.who.role in LIFECYCLE[Action.RECORD_REVISIT].roles,
    )


@router.get("", response_class=HTMLResponse)
async def revisit_desk(
    ctx: Ctx, web: Desk, done: str = "", ahead: Annotated[int, Query(ge=0, le=60)] = 0
) -> HTMLResponse:
    """Calls due by the end of today, or of `ahead` days later."""
    flash = f"已记录 Recorded: {done}" if done else ""
    return await _desk(ctx, web, flash=flash, ahead=ahead)


@router.post("/{call_id}/record")
async def record_answer(call_id: str, request: Request, ctx: Ctx, web: Answerer) -> Response:
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    entered = dict(items)
    shown = entered.get("ahead", "0")
    ahead = min(int(shown), 60) if shown.isascii() and shown.isdecimal() and len(shown) < 3 else 0
    submitted = read_form(FIELDS, items, ctx.settings.timezone)
    try:
        body = RecordRevisitBody.model_validate(submitted.body)
        await record(call_id, body, ctx, web.who, idempotency_key_of(entered))
    except ValidationError as exc:
        errors = {e["field"]: e["reason"] for e in field_errors(exc)}
        return await _desk(
            ctx,
            web,
            status=422,
            failed=call_id,
            errors=errors,
            entered=entered,
            refusal="请检查标出的字段。 Please check the fields marked below. "
            + "; ".join(errors.values()),
        )
    except (Problem, DomainError) as refused:
        status = status_of(refused)
        return await _desk(
            ctx,
            web,
            status=status,
            failed=call_id,
            refusal=refused.detail,
            entered=entered,
            ahead=ahead,
        )
    await caught_up(ctx, call_answered(call_id))
    return RedirectResponse(f"{REVISITS.href}?done={call_id}&ahead={ahead}", 303)

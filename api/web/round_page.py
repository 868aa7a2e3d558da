"""`/app/inspection-rounds/{schedule_id}/{day}`: an inspection round on the engineer's device
(巡检轮次签字, 003). The round's assets and their checklist results, the round report, and —
once every inspection is reported — the form on which the customer signs the whole round with
their name, their signature drawn with a finger, the ratings and the company's stamp (公章)
chosen as a PNG file. The form posts to the
API's own `sign_round`, which signs each inspection's request too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.context import Ctx
from api.inspection_rounds import get_round, sign_round
from api.problems import Problem, status_of
from api.web.forms import RATING, Field, Part, read_form
from api.web.pages import MY_JOBS, PageRoute, for_roles, render
from identity.web_sessions import SignedIn
from models.actions import SIGNATURE_PNG_MAX
from models.errors import DomainError, field_errors
from models.inspection_rounds import SignRoundBody
from models.lifecycle import Role

router = APIRouter(prefix="/app/inspection-rounds", include_in_schema=False, route_class=PageRoute)
#: The engineers of the round sign it with the customer; the supervisor follows it.
RoundPage = Annotated[SignedIn, Depends(for_roles(Role.ENGINEER, Role.SUPERVISOR))]
Signing = Annotated[SignedIn, Depends(for_roles(Role.ENGINEER))]

SIGN_FIELDS: tuple[Part, ...] = (
    Field("signer", "签字人 The customer's name", required=True),
    Field("quality", "服务质量 Quality", "select", required=True, choices=RATING),
    Field("attitude", "服务态度 Attitude", "select", required=True, choices=RATING),
)
#: The stamp's image as the page's script reads the chosen file: a data URL in a text field
#: (a file's own bytes in the body would be refused with the NUL characters they hold).
STAMP = "stamp_png"


async def _page(
    ctx: Ctx,
    web: SignedIn,
    schedule_id: str,
    day: date,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    refusal: str = "",
    flash: str = "",
) -> HTMLResponse:
    found = await get_round(schedule_id, day, ctx, web.who)
    return render(
        ctx,
        web,
        "round.html",
        status=status,
        here=MY_JOBS.href,
        round=found,
        path=f"{schedule_id}/{day}",
        fields=SIGN_FIELDS,
        may_sign=web.who.role == Role.ENGINEER,
        errors=errors or {},
        entered=entered or {},
        refusal=refusal,
        flash=flash,
    )


@router.get("/{schedule_id}/{day}", response_class=HTMLResponse)
async def round_page(
    schedule_id: str, day: date, ctx: Ctx, web: RoundPage, signed: str = ""
) -> HTMLResponse:
    flash = "已签字，谢谢！ Signed, thank you." if signed else ""
    return await _page(ctx, web, schedule_id, day, flash=flash)


@router.post("/{schedule_id}/{day}/sign")
async def sign(schedule_id: str, day: date, request: Request, ctx: Ctx, web: Signing) -> Response:
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    entered = dict(items)
    body: dict[str, Any] = read_form(SIGN_FIELDS, items, ctx.settings.timezone).body
    drawn = str(form.get("signature_png") or "")
    if not drawn:
        errors = {"signature_png": "请客户在框内签名 the customer signs in the box"}
        return await _page(ctx, web, schedule_id, day, 422, errors, entered)
    body["signature_png"] = drawn
    stamp = str(form.get(STAMP) or "")
    if len(stamp) > SIGNATURE_PNG_MAX:
        errors = {STAMP: f"公章图片太大 the stamp image is over {SIGNATURE_PNG_MAX * 3 // 4000} KB"}
        return await _page(ctx, web, schedule_id, day, 422, errors, entered)
    if stamp:
        body[STAMP] = stamp
    try:
        signed = SignRoundBody.model_validate(body)
    except ValidationError as exc:
        errors = {e["field"]: e["reason"] for e in field_errors(exc)}
        if STAMP in errors and STAMP not in body:
            errors[STAMP] = "请上传公章图片 upload the company stamp (PNG)"
        whole = errors.pop("body", "")
        return await _page(ctx, web, schedule_id, day, 422, errors, entered, whole)
    try:
        await sign_round(schedule_id, day, signed, ctx, web.who)
    except (Problem, DomainError) as refused:
        errors = {e["field"]: e["reason"] for e in refused.errors or []}
        return await _page(
            ctx, web, schedule_id, day, status_of(refused), errors, entered, refused.detail
        )
    return RedirectResponse(f"/app/inspection-rounds/{schedule_id}/{day}?signed=1", 303)

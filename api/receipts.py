"""`/v1/service-requests/{number}/receipt.html|pdf`: the receipt (收据, 001, 004) of a chargeable
repair once its quote was approved and the work is done — the approved quote's lines, the
total in figures and in capital numerals (大写). Read by whoever reads the report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.context import Anyone, AppContext, Ctx
from api.ownership import check_request
from api.problems import Problem
from api.service_requests import current_state
from db.tables import Asset, Customer, Engineer
from documents.report import CJK_FONT, render_pdf, report_environment
from fees import amount_in_words
from models.state import ServiceRequestState

router = APIRouter(prefix="/v1/service-requests", tags=["Reports"])
DONE = frozenset({"fixed", "replace"})


def receipt_number(number: str) -> str:
    """One receipt per request, numbered after it: SR-20261203-000001 → RC-20261203-000001."""
    return "RC-" + number.removeprefix("SR-")


def _refusal(state: ServiceRequestState) -> str | None:
    quote = state.quote
    if not state.entitlement.chargeable:
        return f"request {state.number} has no charges: it was not charged for (in warranty)"
    if quote is None:
        return f"request {state.number} has no quote yet: a receipt follows an approved one"
    if quote.status != "approved":
        return f"the quote of {state.number} is {quote.status}: a receipt follows an approved one"
    if state.repair is None or state.repair.result not in DONE:
        return f"the repair of {state.number} is not done yet ({state.stage}): no receipt before"
    return None


async def _receipt(ctx: AppContext, who: Anyone, number: str) -> str:
    await check_request(ctx, who, number)
    state = await current_state(ctx, number)
    refusal = _refusal(state)
    if refusal is not None:
        raise Problem(409, refusal)
    return await ctx.db(lambda: _render(ctx, state))


def _render(ctx: AppContext, state: ServiceRequestState) -> str:
    assert state.quote is not None and state.repair is not None  # `_refusal` checked
    with ctx.sessions() as session:
        customer = session.get(Customer, state.customer_id)
        asset = session.get(Asset, state.asset_serial) if state.asset_serial else None
        engineer = session.get(Engineer, state.engineer) if state.engineer else None
    zone = ZoneInfo(ctx.settings.timezone)
    return (
        report_environment()
        .get_template("receipt.html")
        .render(
            s=state,
            q=state.quote,
            receipt=receipt_number(state.number),
            day=state.repair.at.astimezone(zone).date(),
            customer=customer,
            asset=asset,
            engineer=engineer.name if engineer else state.engineer,
            in_words=amount_in_words(state.quote.total),
            font=CJK_FONT,
        )
    )


@router.get("/{number}/receipt.html", response_class=HTMLResponse)
async def receipt_html(number: str, ctx: Ctx, who: Anyone) -> HTMLResponse:
    return HTMLResponse(await _receipt(ctx, who, number))


@router.get("/{number}/receipt.pdf", response_class=Response)
async def receipt_pdf(number: str, ctx: Ctx, who: Anyone) -> Response:
    html = await _receipt(ctx, who, number)
    pdf = await ctx.db(lambda: render_pdf(html))
    headers = {"Content-Disposition": f'inline; filename="{receipt_number(number)}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)

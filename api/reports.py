"""`GET /v1/service-requests/{number}/report.html` and `.pdf`: the service report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.context import Anyone, Ctx
from api.ownership import check_request
from api.service_requests import current_state
from db.tables import Asset, Customer, Engineer
from documents.report import Party, render_html, render_pdf
from models.state import ServiceRequestState

router = APIRouter(prefix="/v1/service-requests", tags=["service requests"])


async def report_html(ctx: Ctx, number: str) -> str:
    state = await current_state(ctx, number)
    party = await ctx.db(lambda: _party(ctx, state))
    return render_html(state, party, ctx.settings.timezone)


def _party(ctx: Ctx, state: ServiceRequestState) -> Party:
    with ctx.sessions() as session:
        customer = session.get(Customer, state.customer_id)
        asset = session.get(Asset, state.asset_serial)
        engineer = session.get(Engineer, state.engineer) if state.engineer else None
        if state.contact is not None:  # who called, else the archive's contact
            contact: str | None = f"{state.contact.name} {state.contact.phone}"
        elif customer is not None and customer.contact_name:
            contact = f"{customer.contact_name} {customer.contact_phone or ''}".strip()
        else:
            contact = None
        return Party(
            customer_name=customer.name if customer else "",
            customer_address=customer.address if customer else None,
            contact=contact,
            asset_model=asset.model if asset else "",
            asset_category=asset.category if asset else "",
            engineer_name=engineer.name if engineer else None,
        )


@router.get("/{number}/report.html", response_class=HTMLResponse)
async def report_as_html(number: str, ctx: Ctx, who: Anyone) -> HTMLResponse:
    await check_request(ctx, who, number)
    return HTMLResponse(await report_html(ctx, number))


@router.get("/{number}/report.pdf", response_class=Response)
async def report_as_pdf(number: str, ctx: Ctx, who: Anyone) -> Response:
    await check_request(ctx, who, number)
    html = await report_html(ctx, number)
    pdf = await ctx.db(lambda: render_pdf(html))  # WeasyPrint is CPU-bound: off the loop
    headers = {"Content-Disposition": f'inline; filename="{number}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)

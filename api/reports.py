"""`GET /v1/service-requests/{number}/report.html` and `.pdf`: the service report.

These routes are for staff and customer keys. A customer's browser that opens them without a
key gets a short page saying where its report is (the link we sent), not JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import Anyone, AppContext, Ctx
from api.ownership import check_request
from api.problems import Problem
from api.service_requests import current_state
from db.entitlements import entitlement_for
from db.tables import Asset, Customer, Engineer, SignedReport, TimelineEventRow
from documents.labels import label
from documents.pages import Link, message_page
from documents.report import (
    ClosedWithoutSignature,
    Party,
    render_html,
    render_pdf,
    signature_data_url,
)
from models.actions import Actor
from models.state import ServiceRequestState


def wants_html(request: Request) -> bool:
    """A browser navigating to the URL (it asks for text/html), not an API client."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept and "json" not in accept


def no_key_page(back_to: str) -> HTMLResponse:
    """The 401 a browser gets: customers read their report through their link, staff sign in
    (or send their key) and come back here."""
    return message_page(
        401,
        "请通过链接查看报告 Open your report through your link",
        [
            "客户：请打开我们通过短信或电子邮件发送给您的签字链接，查看并下载您的服务报告。",
            "Customers: please open the link we sent you by SMS or email to read, sign and "
            "download your service report.",
            "员工：请先登录工作台，或发送 API 密钥（Authorization: Bearer <key>）。",
            "Staff: sign in to the staff app first, or send an API key "
            "(Authorization: Bearer <key>).",
        ],
        [Link(f"/app/sign-in?next={quote(back_to)}", "员工登录 Staff sign-in")],
        headers={"WWW-Authenticate": "Bearer"},
    )


class BrowserAwareRoute(APIRoute):
    """A missing or invalid key is a problem+json 401 for API clients and a readable page for
    a browser."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                if problem.status == 401 and wants_html(request):
                    query = f"?{request.url.query}" if request.url.query else ""
                    return no_key_page(request.url.path + query)
                raise

        return route


router = APIRouter(
    prefix="/v1/service-requests", tags=["service requests"], route_class=BrowserAwareRoute
)


async def report_html(ctx: AppContext, number: str) -> str:
    """The report of the request as it stands now."""
    return await render_report(ctx, await current_state(ctx, number))


async def render_report(
    ctx: AppContext, state: ServiceRequestState, signature_png: str | None = None
) -> str:
    """The report of `state`. The drawn signature image comes from the database (it is kept
    out of the workflow's state), or is `signature_png` for a signature being given now."""
    party = await ctx.db(lambda: _party(ctx, state, signature_png))
    return render_html(state, party, ctx.settings.timezone)


def _party(ctx: AppContext, state: ServiceRequestState, signature_png: str | None) -> Party:
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
        image = signature_png
        if image is None and state.signature is not None and state.signature.method == "drawn":
            image = _stored_signature(session, state.number)
        return Party(
            customer_name=customer.name if customer else "",
            customer_address=customer.address if customer else None,
            contact=contact,
            asset_model=asset.model if asset else "",
            asset_category=asset.category if asset else "",
            engineer_name=engineer.name if engineer else None,
            new_unit_warranty_end=_new_unit_warranty_end(session, asset, ctx.settings.timezone),
            signature_png=signature_data_url(image),
            closed_without_signature=(
                _closed_without_signature(session, state.number)
                if state.outcome == "closed_without_signature"
                else None
            ),
        )


def _new_unit_warranty_end(session: Session, old: Asset | None, timezone: str) -> date | None:
    new = session.get(Asset, old.replaced_by) if old and old.replaced_by else None
    if old is None or new is None or old.replaced_on is None:
        return None
    return entitlement_for(session, new, old.replaced_on, None, timezone).warranty_end


def _closing_events(session: Session, number: str) -> list[TimelineEventRow]:
    """The request's stage changes into `closed`, newest first."""
    rows = session.scalars(
        select(TimelineEventRow)
        .where(TimelineEventRow.number == number, TimelineEventRow.kind == "stage_changed")
        .order_by(TimelineEventRow.seq.desc())
    )
    return [row for row in rows if (row.data or {}).get("to") == "closed"]


def _stored_signature(session: Session, number: str) -> str | None:
    """The drawn image: stored with the signed report, else in the timeline's `sign` event
    (signatures given before every signature stored its report)."""
    signed = session.get(SignedReport, number)
    if signed is not None and signed.signature_png:
        return signed.signature_png
    for row in _closing_events(session, number):
        png = (row.data or {}).get("signature_png")
        if isinstance(png, str):
            return png
    return None


def _closed_without_signature(session: Session, number: str) -> ClosedWithoutSignature | None:
    """Who closed the request without the customer's signature, when and why (the
    `override_close` event of the timeline)."""
    for row in _closing_events(session, number):
        data = row.data or {}
        if data.get("outcome") != "closed_without_signature":
            continue
        by = row.actor
        if row.by:
            person = Actor.model_validate(row.by)
            by = f"{person.name}（{label('role', person.role)}）"
        return ClosedWithoutSignature(by=by, at=row.at, reason=str(data.get("reason") or ""))
    return None


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

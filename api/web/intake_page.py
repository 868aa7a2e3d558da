"""`/app/intake`: registering a request (报修登记) while the caller is on the line. Find the
customer and asset (id, name, phone, serial); see the entitlement and any open request of
the asset (一事多投) before saving; register through `POST /v1/service-requests`'s own
function; then the number and the deadlines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.context import Ctx
from api.entitlement import asset_entitlement
from api.problems import Problem, status_of
from api.service_requests import register
from api.web.forms import Field, idempotency_key_of, read_form
from api.web.pages import INTAKE, PageRoute, for_roles, render
from db.archive_search import find_callers
from db.tables import Asset, Customer, ServiceRequestRow
from db.worklists import work_items
from documents import labels
from identity.web_sessions import SignedIn
from models.errors import DomainError, field_errors
from models.intake import IntakeRequest
from models.lifecycle import Role

router = APIRouter(prefix="/app/intake", include_in_schema=False, route_class=PageRoute)
Desk = Annotated[SignedIn, Depends(for_roles(Role.INTAKE))]
TYPES = {k: v for k, v in labels.REQUEST_TYPE.items() if k != "inspection"}
FIELDS = (
    Field("type", "类型 Type", "select", required=True, choices=TYPES),
    Field("channel", "渠道 Channel", "select", required=True, choices=labels.CHANNEL),
    Field("customer_id", "客户编号 Customer id", required=True),
    Field("asset_serial", "设备序列号 Asset serial"),
    Field("severity", "级别 Severity", "select", choices={str(n): f"P{n}" for n in range(1, 5)}),
    Field("fault_code", "故障代码 Fault code", hint="如 e.g. NO_PICTURE"),
    Field("description", "故障描述 Description", "textarea", required=True),
    Field("contact.name", "来电人 Caller"),
    Field("contact.phone", "来电电话 Caller's phone"),
    Field(
        "reported_at",
        "报修时间 Reported at",
        "datetime",
        hint="补登时填写；留空为现在 for a call taken earlier; empty: now",
    ),
    Field("external_ref", "来电编号 Call reference"),
    Field("about", "投诉所涉工单 Complaint about request"),
    Field("force_new", "确认为新故障 Register as a new fault anyway", "checkbox"),
)


async def _page(
    ctx: Ctx,
    web: SignedIn,
    entered: dict[str, str],
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    saved: Any = None,
) -> HTMLResponse:
    query = entered.get("q", "")
    serial = entered.get("asset_serial", "")

    def load() -> dict[str, Any]:
        with ctx.sessions() as session:
            asset = session.get(Asset, serial) if serial else None
            customer_id = entered.get("customer_id") or (asset.customer_id if asset else "")
            return {
                "matches": find_callers(session, query),
                "customer": session.get(Customer, customer_id) if customer_id else None,
                "asset": asset,
                "open_on_asset": work_items(session, [ServiceRequestRow.asset_serial == serial])
                if asset
                else [],
            }

    found = await ctx.db(load)
    if found["customer"] is not None and not entered.get("customer_id"):
        entered = entered | {"customer_id": found["customer"].id}
    entitlement = None
    if found["asset"] is not None:
        fault = entered.get("fault_code") or None
        try:
            entitlement = await asset_entitlement(serial, ctx, web.who, None, fault)
        except (Problem, DomainError):
            entitlement = None  # a fault code the model refuses: said when saving
    return render(
        ctx,
        web,
        "intake.html",
        status=status,
        here=INTAKE.href,
        fields=FIELDS,
        entered=entered,
        errors=errors or {},
        refusal=refusal,
        entitlement=entitlement,
        saved=saved,
        query=query,
        **found,
    )


@router.get("", response_class=HTMLResponse)
async def intake_page(ctx: Ctx, web: Desk, request: Request) -> HTMLResponse:
    entered = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    if request.headers.get("hx-request"):  # the live lookup: only the matches
        return await _page(ctx, web, entered)
    return await _page(ctx, web, {"type": "repair", "channel": "phone"} | entered)


@router.post("", response_class=HTMLResponse)
async def register_form(ctx: Ctx, web: Desk, request: Request) -> Response:
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    entered = dict(items)
    submitted = read_form(FIELDS, items, ctx.settings.timezone)
    try:
        body = IntakeRequest.model_validate(submitted.body)
    except ValidationError as exc:
        errors = {e["field"]: e["reason"] for e in field_errors(exc)}
        return await _page(ctx, web, entered, status=422, errors=errors, refusal=_summary(errors))
    try:
        saved = await register(body, Response(), ctx, web.who, idempotency_key_of(entered))
    except (Problem, DomainError) as refused:
        status = status_of(refused)
        errors = {e["field"]: e["reason"] for e in refused.errors or []}
        return await _page(ctx, web, entered, status=status, errors=errors, refusal=refused.detail)
    return await _page(ctx, web, {}, status=200 if saved.duplicate else 201, saved=saved)


def _summary(errors: dict[str, str]) -> str:
    return "请检查标出的字段。 Please check the fields marked below: " + "; ".join(
        f"{field}: {reason}" for field, reason in errors.items()
    )

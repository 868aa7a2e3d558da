"""`/status/{token}`: the customer's status page (服务单查询). No API key: the signed link sent
with the registration notice is the credential, for this one request, as long as it lasts
(`signing/status_links.py`). It shows where the request stands and lets the customer escalate
it (客户升级, 002: "C-1 may be escalated by the user"), once per level of the profile's
`customer_escalation`, while the request is open; the workflow holds every rule again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

import gateway
from api.context import AppContext, Ctx
from api.problems import Problem
from api.service_requests import current_state
from api.signing import Refused, invalid_link, link_customer, local_time, pages
from db.profiles import profile_version
from models.actions import Text
from models.common import ClockName
from models.errors import NotFound
from models.lifecycle import Action, Role, allowed_actions
from models.state import ServiceRequestState
from signing.status_links import read_status
from signing.tokens import ExpiredToken, InvalidToken

router = APIRouter(tags=["status page"])

#: The commitments a customer follows, in the order they come.
SHOWN_CLOCKS = (ClockName.RESPONSE, ClockName.ARRIVAL, ClockName.RESOLUTION)


class StatusEscalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text
    #: Issued with the page: a double tap or a retried POST escalates once.
    nonce: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


@dataclass(frozen=True)
class Escalating:
    """Whether the customer may escalate now, and if not, why (中文, English)."""

    allowed: bool
    why_not: tuple[str, str] | None = None


async def _request(ctx: AppContext, token: str) -> ServiceRequestState:
    """The request a genuine, unexpired status link names, or Refused."""
    try:
        claim = read_status(ctx.settings.signing_secret, token, datetime.now(UTC))
    except ExpiredToken:
        raise Refused(
            410,
            "链接已过期 Link expired",
            "这个查询链接已过期，请联系客服查询服务单。",
            "This status link has expired; please contact us about your request.",
        ) from None
    except InvalidToken:
        raise invalid_link() from None
    try:
        return await current_state(ctx, claim.number)
    except NotFound:  # a request gone from the archive
        raise invalid_link() from None
    except Problem as problem:
        if problem.status == 404:
            raise invalid_link() from None
        raise


async def _escalating(ctx: AppContext, state: ServiceRequestState) -> Escalating:
    if Action.ESCALATE not in allowed_actions(state.stage, Role.CUSTOMER):
        return Escalating(
            False,
            (
                "服务单已结束，无法再升级。如有意见，请致电客服。",
                "This request is finished and can no longer be escalated; please call us.",
            ),
        )

    def levels() -> int | None:
        with ctx.sessions() as session:
            profile = profile_version(session, state.sla_profile, state.sla_profile_version)
            return len(profile.customer_escalation.levels) if profile else None

    available = await ctx.db(levels)
    if available is not None and len(state.customer_escalations) >= available:
        return Escalating(
            False,
            (
                "已升级到最高级别，负责人会尽快与您联系。",
                "Escalated to the highest level: the person in charge will contact you.",
            ),
        )
    return Escalating(True)


@router.get("/status/{token}", response_class=HTMLResponse, include_in_schema=False)
async def status_page(token: str, ctx: Ctx, escalated: str = "") -> HTMLResponse:
    """`escalated`: the level the page's own escalation reached, confirmed at the top."""
    try:
        state = await _request(ctx, token)
    except Refused as refused:
        return refused.page()
    html = pages.get_template("status.html").render(
        state=state,
        clocks=[(name, state.clocks[name]) for name in SHOWN_CLOCKS if name in state.clocks],
        escalating=await _escalating(ctx, state),
        escalated=next((e for e in state.customer_escalations if str(e.level) == escalated), None),
        nonce=secrets.token_hex(16),
        at=lambda instant: local_time(ctx, instant),
    )
    return HTMLResponse(html)


@router.post("/status/{token}/escalate", include_in_schema=False)
async def escalate(token: str, body: StatusEscalation, ctx: Ctx) -> dict[str, object]:
    """Escalate the request the link names, as its customer; the workflow refuses it after
    close or past the last level (409), and tells the level's people at once."""
    try:
        state = await _request(ctx, token)
    except Refused as refused:
        raise refused.problem() from None
    actor = await link_customer(ctx, state, "status_link")
    state = await gateway.act(
        await ctx.temporal(),
        state.number,
        Action.ESCALATE,
        actor,
        {"reason": body.reason},
        f"status-page-{body.nonce}",
    )
    last = state.customer_escalations[-1]
    return {"number": state.number, "level": last.level, "notified": last.notified}

"""`/quote/{token}`: the customer's quote-approval page (报价确认). No API key: like the
signing page, the signed, one-time, expiring link is the credential, and `api/signing.py`
decides whether a link may still act."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

import gateway
from api.context import Ctx
from api.signing import LinkUse, Refused, link_customer, pages, usable, use_up
from db.session import transaction
from models.lifecycle import Action, Stage

router = APIRouter(tags=["quote page"])

QUOTE = LinkUse(
    purpose="quote",
    stage=Stage.AWAITING_APPROVAL,
    current=lambda state: state.quote_url,
    what=("报价链接", "quote link"),
    used_title="已答复 Already answered",
    used=(
        "服务单 {number} 的报价已于 {when} 答复，谢谢！",
        "You answered this quote on {when}. Thank you!",
    ),
    stale=(
        "这份报价已不需要通过此链接确认：可能已有新的报价，或服务单已进入下一步。",
        "This quote no longer needs your answer through this link: a newer quote may have "
        "replaced it, or the request has moved on.",
    ),
)


class QuoteDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    reason: Annotated[str, Field(max_length=4000)] | None = None

    @field_validator("reason")
    @classmethod
    def _blank_is_none(cls, reason: str | None) -> str | None:
        # The page's textarea is optional: left empty it means "no reason given".
        if reason is None or not reason.strip():
            return None
        return reason.strip()

    @model_validator(mode="after")
    def _reason_only_to_decline(self) -> Self:
        if self.decision == "approve" and self.reason is not None:
            raise ValueError("a reason is only given when declining the quote")
        return self


@router.get("/quote/{token}", response_class=HTMLResponse, include_in_schema=False)
async def quote_page(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        _, state = await usable(ctx, token, QUOTE)
    except Refused as refused:
        return refused.page()
    html = pages.get_template("quote.html").render(
        number=state.number, quote=state.quote, diagnosis=state.diagnosis
    )
    return HTMLResponse(html)


@router.post("/quote/{token}", include_in_schema=False)
async def decide(token: str, body: QuoteDecision, ctx: Ctx) -> dict[str, str]:
    """Approve or decline the quote shown on the page; the link is then used up."""
    try:
        claim, state = await usable(ctx, token, QUOTE)
    except Refused as refused:
        raise refused.problem() from None
    action = Action.APPROVE_QUOTE if body.decision == "approve" else Action.DECLINE_QUOTE
    sent = body.model_dump(exclude={"decision"}, exclude_none=True)
    actor = await link_customer(ctx, state, "quote_link")
    # The nonce as the update ID: a double click or a retried POST is applied once.
    state = await gateway.act(
        await ctx.temporal(), claim.number, action, actor, sent, f"quote-page-{claim.nonce}"
    )

    def record() -> None:
        with transaction(ctx.sessions) as session:
            use_up(session, claim.nonce)

    await ctx.db(record)
    return {"number": claim.number, "stage": state.stage}

"""`/sign/{token}`: the customer signing page (客户签字). No API key: the signed, one-time,
expiring link is the credential. Every failure is a page a customer understands.

The rules every customer link obeys (genuine, unexpired, of the page's purpose, unused, still
the request's current link) live here once; `api/quote_page.py` reuses them for `/quote/`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from api import gateway
from api.context import Anyone, AppContext, Ctx
from api.ownership import check_request
from api.problems import Problem
from api.reports import report_html
from api.service_requests import current_state
from config import ROOT
from db.session import transaction
from db.tables import SignedReport, SigningLink
from documents.report import sha256
from models.actions import Actor, Rating, ShortText, SignaturePng, Text
from models.activity_io import LinkPurpose
from models.lifecycle import Action, Role, Stage
from models.state import ServiceRequestState
from signing.tokens import ExpiredToken, InvalidToken, SigningClaim, read

router = APIRouter(tags=["signing page"])
pages = Environment(
    loader=FileSystemLoader(ROOT / "templates" / "signing"), autoescape=select_autoescape(["html"])
)


class SignPageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signer: ShortText
    signature_png: SignaturePng
    quality: Rating
    attitude: Rating
    comment: Text | None = None


class Refused(Exception):
    """A link that cannot be used: its status and what to tell the customer."""

    def __init__(self, status: int, title: str, *lines: str) -> None:
        super().__init__(title)
        self.status, self.title, self.lines = status, title, list(lines)

    def page(self) -> HTMLResponse:
        """For the customer's browser (GET)."""
        html = pages.get_template("message.html").render(title=self.title, lines=self.lines)
        return HTMLResponse(html, status_code=self.status)

    def problem(self) -> Problem:
        """For the page's own script (POST): problem+json whose detail it shows as is."""
        return Problem(self.status, " ".join(self.lines))


@dataclass(frozen=True)
class LinkUse:
    """What a kind of customer link is for, and how its refusals are worded (中文, English).

    `used` is formatted with `number` and `when` (the local time the link was used)."""

    purpose: LinkPurpose
    #: The only stage in which the link may act.
    stage: Stage
    #: The request's current link of this kind: a newer link replaces the older one.
    current: Callable[[ServiceRequestState], str | None]
    what: tuple[str, str]
    used_title: str
    used: tuple[str, str]
    stale: tuple[str, str]


SIGN = LinkUse(
    purpose="sign",
    stage=Stage.AWAITING_SIGNATURE,
    current=lambda state: state.signing_url,
    what=("签字链接", "signing link"),
    used_title="已签字 Already signed",
    used=(
        "服务单 {number} 已于 {when} 签字确认，谢谢！",
        "This report was signed on {when}. Thank you!",
    ),
    stale=(
        "这份报告已不需要通过此链接签字（可能已更新或已关闭）。",
        "This report no longer needs signing through this link.",
    ),
)


def invalid_link() -> Refused:
    # Forged, malformed, unknown and wrong-purpose links all look alike to whoever holds one.
    return Refused(
        404,
        "链接无效 Invalid link",
        "这个链接无效，请检查短信或邮件中的完整链接。",
        "This link is not valid; please use the complete link we sent.",
    )


def local_time(ctx: AppContext, instant: datetime) -> str:
    """An instant as the customer reads it: the service's time zone, not UTC."""
    return f"{instant.astimezone(ZoneInfo(ctx.settings.timezone)):%Y-%m-%d %H:%M}"


async def usable(
    ctx: AppContext, token: str, use: LinkUse
) -> tuple[SigningClaim, ServiceRequestState]:
    """The claim of a link that may act for `use` now and the request, or Refused saying why
    not."""
    try:
        claim = read(ctx.settings.signing_secret, token, datetime.now(UTC))
    except ExpiredToken:
        zh, en = use.what
        raise Refused(
            410,
            "链接已过期 Link expired",
            f"这个{zh}已过期，请联系客服重新发送。",
            f"This {en} has expired; please ask us for a new one.",
        ) from None
    except InvalidToken:
        raise invalid_link() from None

    def stored() -> SigningLink | None:
        with ctx.sessions() as session:
            return session.get(SigningLink, claim.nonce)

    link = await ctx.db(stored)
    if link is None or link.purpose != use.purpose:
        raise invalid_link()
    if link.used_at is not None:
        when = local_time(ctx, link.used_at)
        raise Refused(
            410, use.used_title, *(line.format(number=claim.number, when=when) for line in use.used)
        )
    state = await current_state(ctx, claim.number)
    if state.stage != use.stage or not (use.current(state) or "").endswith(token):
        raise Refused(410, "链接已失效 Link no longer valid", *use.stale)
    return claim, state


def use_up(session: Session, nonce: str) -> None:
    """Record the link as used (once: a retried request keeps the first instant)."""
    link = session.get(SigningLink, nonce)
    if link is not None and link.used_at is None:
        link.used_at = datetime.now(UTC)


@router.get("/sign/{token}", response_class=HTMLResponse, include_in_schema=False)
async def signing_page(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        claim, _ = await usable(ctx, token, SIGN)
    except Refused as refused:
        return refused.page()
    report = await report_html(ctx, claim.number)
    html = pages.get_template("sign.html").render(number=claim.number, report_html=report)
    return HTMLResponse(html)


@router.post("/sign/{token}", include_in_schema=False)
async def sign(token: str, body: SignPageBody, ctx: Ctx) -> dict[str, str]:
    """Sign the report shown on the page: the update binds the report's SHA-256 to the
    signature, and the report is stored exactly as signed; the link is then used up."""
    try:
        claim, state = await usable(ctx, token, SIGN)
    except Refused as refused:
        raise refused.problem() from None
    report = await report_html(ctx, claim.number)
    digest = sha256(report)
    signed = body.model_dump(exclude_none=True) | {"report_sha256": digest}
    # The link is the credential: it acts for the request's own customer; the name typed on
    # the page stays the signer's own words in the signature.
    actor = Actor(
        role=Role.CUSTOMER, name=body.signer, customer_id=state.customer_id, via="signing_link"
    )
    state = await gateway.act(
        await ctx.temporal(), claim.number, Action.SIGN, actor, signed, f"page-{claim.nonce}"
    )

    def record() -> None:
        with transaction(ctx.sessions) as session:
            use_up(session, claim.nonce)
            if session.get(SignedReport, claim.number) is None:
                session.add(
                    SignedReport(
                        number=claim.number,
                        html=report,
                        sha256=digest,
                        signer=body.signer,
                        signed_at=state.signature.signed_at
                        if state.signature
                        else datetime.now(UTC),
                        signature_png=body.signature_png,
                    )
                )

    await ctx.db(record)
    return {"number": claim.number, "stage": state.stage}


class SignatureCheck(BaseModel):
    number: str
    signer: str
    signed_at: datetime
    report_sha256: str
    #: The stored report still hashes to the stored digest.
    stored_report_intact: bool
    #: The stored digest is the one the workflow recorded when the customer signed.
    matches_workflow_record: bool
    intact: bool


@router.get("/v1/service-requests/{number}/signature", response_model=SignatureCheck)
async def verify_signature(
    number: str,
    ctx: Ctx,
    who: Anyone,
) -> SignatureCheck:
    """Detect tampering: the signed report must hash to what the workflow recorded."""
    gateway.check_number(number)
    await check_request(ctx, who, number)
    state = await current_state(ctx, number)

    def stored() -> SignedReport | None:
        with ctx.sessions() as session:
            return session.get(SignedReport, number)

    report = await ctx.db(stored)
    if report is None or state.signature is None:
        raise Problem(404, f"{number} has no report signed on the signing page")
    intact = sha256(report.html) == report.sha256
    witnessed = state.signature.report_sha256 == report.sha256
    return SignatureCheck(
        number=number,
        signer=report.signer,
        signed_at=report.signed_at,
        report_sha256=report.sha256,
        stored_report_intact=intact,
        matches_workflow_record=witnessed,
        intact=intact and witnessed,
    )

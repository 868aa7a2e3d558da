"""`/sign/{token}`: the customer signing page (客户签字). No API key: the signed, one-time,
expiring link is the credential. Every failure is a page a customer understands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict

from api import gateway
from api.auth import Principal
from api.context import Ctx, require
from api.problems import Problem
from api.reports import report_html
from api.service_requests import current_state
from config import ROOT
from db.session import transaction
from db.tables import SignedReport, SigningLink
from documents.report import sha256
from models.actions import Actor, Rating, ShortText, SignaturePng, Text
from models.lifecycle import Action, Role, Stage
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


def _message(status: int, title: str, lines: list[str]) -> HTMLResponse:
    html = pages.get_template("message.html").render(title=title, lines=lines)
    return HTMLResponse(html, status_code=status)


async def _usable(ctx: Ctx, token: str) -> SigningClaim:
    """The claim of a link that may sign now, or Refused saying why not."""
    try:
        claim = read(ctx.settings.signing_secret, token, datetime.now(UTC))
    except ExpiredToken:
        raise Refused(
            410,
            "链接已过期 Link expired",
            "这个签字链接已过期，请联系客服重新发送。",
            "This signing link has expired; please ask us for a new one.",
        ) from None
    except InvalidToken:
        raise Refused(
            404,
            "链接无效 Invalid link",
            "这个链接无效，请检查短信或邮件中的完整链接。",
            "This link is not valid; please use the complete link we sent.",
        ) from None

    def stored() -> SigningLink | None:
        with ctx.sessions() as session:
            return session.get(SigningLink, claim.nonce)

    link = await ctx.db(stored)
    if link is None:
        raise Refused(404, "链接无效 Invalid link", "This link is not valid.")
    if link.used_at is not None:
        raise Refused(
            410,
            "已签字 Already signed",
            f"服务单 {claim.number} 已于 {link.used_at:%Y-%m-%d %H:%M} UTC 签字确认，谢谢！",
            "This report has been signed. Thank you!",
        )
    state = await current_state(ctx, claim.number)
    if state.stage != Stage.AWAITING_SIGNATURE or not (state.signing_url or "").endswith(token):
        raise Refused(
            410,
            "链接已失效 Link no longer valid",
            "这份报告已不需要通过此链接签字（可能已更新或已关闭）。",
            "This report no longer needs signing through this link.",
        )
    return claim


@router.get("/sign/{token}", response_class=HTMLResponse, include_in_schema=False)
async def signing_page(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        claim = await _usable(ctx, token)
    except Refused as refused:
        return _message(refused.status, refused.title, refused.lines)
    report = await report_html(ctx, claim.number)
    html = pages.get_template("sign.html").render(number=claim.number, report_html=report)
    return HTMLResponse(html)


@router.post("/sign/{token}", include_in_schema=False)
async def sign(token: str, body: SignPageBody, ctx: Ctx) -> dict[str, str]:
    """Sign the report shown on the page: the update binds the report's SHA-256 to the
    signature, and the report is stored exactly as signed; the link is then used up."""
    try:
        claim = await _usable(ctx, token)
    except Refused as refused:
        raise Problem(refused.status, " ".join(refused.lines)) from None
    report = await report_html(ctx, claim.number)
    digest = sha256(report)
    signed = body.model_dump(exclude_none=True) | {"report_sha256": digest}
    actor = Actor(role=Role.CUSTOMER, name=f"{body.signer} (signing page)")
    state = await gateway.act(
        await ctx.temporal(), claim.number, Action.SIGN, actor, signed, f"page-{claim.nonce}"
    )

    def record() -> None:
        with transaction(ctx.sessions) as session:
            link = session.get(SigningLink, claim.nonce)
            if link is not None and link.used_at is None:
                link.used_at = datetime.now(UTC)
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
    _: Annotated[Principal, Depends(require(*(r for r in Role if r != Role.CUSTOMER)))],
) -> SignatureCheck:
    """Detect tampering: the signed report must hash to what the workflow recorded."""
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

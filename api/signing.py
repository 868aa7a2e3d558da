"""`/sign/{token}`: the customer signing page (客户签字). No API key: the signed, one-time,
expiring link is the credential. Every failure is a page a customer understands.

The rules every customer link obeys (genuine, unexpired, of the page's purpose, unused, still
the request's current link) live here once; `api/quote_page.py` reuses them for `/quote/`.

Every signature, given on the page or through the API's `sign` action, goes through
`sign_report`: the report is rendered as signed at that moment, its SHA-256 travels in the
`sign` update (the workflow's history witnesses it), and exactly that HTML is stored."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

import gateway
from api.context import Anyone, AppContext, Ctx
from api.ownership import check_request
from api.problems import Problem
from api.reports import render_report, report_html
from api.service_requests import current_state
from db.session import transaction
from db.tables import Customer, SignedReport, SigningLink
from documents.pages import Link, message_page
from documents.report import render_pdf, sha256
from documents.templating import pages as pages  # re-exported: api/quote_page.py renders with it
from models.actions import Actor, Rating, ShortText, SignaturePng, SignBody, Text
from models.activity_io import LinkPurpose
from models.common import ClockName, ClockStatus
from models.errors import DomainError, invalid_field, invalid_model
from models.lifecycle import Action, Role, Stage
from models.state import ServiceRequestState, signature_of
from signing.tokens import ExpiredToken, InvalidToken, SigningClaim, read

log = logging.getLogger(__name__)
router = APIRouter(tags=["signing page"])


class SignPageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signer: ShortText
    signature_png: SignaturePng
    quality: Rating
    attitude: Rating
    comment: Text | None = None


class Refused(Exception):
    """A link that cannot be used: its status and what to tell the customer."""

    def __init__(self, status: int, title: str, *lines: str, links: Sequence[Link] = ()) -> None:
        super().__init__(title)
        self.status, self.title, self.lines, self.links = status, title, list(lines), links

    def page(self) -> HTMLResponse:
        """For the customer's browser (GET)."""
        return message_page(self.status, self.title, self.lines, self.links)

    def problem(self) -> Problem:
        """For the page's own script (POST): problem+json whose detail it shows as is."""
        return Problem(self.status, " ".join(self.lines))


def _no_links(token: str) -> Sequence[Link]:
    return ()


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
    #: When what the link asks for was done already, however it was done (None: not yet).
    done: Callable[[ServiceRequestState], datetime | None] | None = None
    #: What the "already used" page offers (links relative to the link's own page).
    used_links: Callable[[str], Sequence[Link]] = _no_links


def _signed_pdf_link(href: str) -> Link:
    return Link(href, "下载已签字的服务报告 (PDF) · Download the signed report", download=True)


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
    done=lambda state: state.signature.signed_at if state.signature else None,
    used_links=lambda token: (_signed_pdf_link(f"{token}/report.pdf"),),
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
    """An instant as the customer reads it: the service's time zone, never UTC, with its
    offset (`2026-11-20 22:10 (UTC+08:00)`)."""
    local = instant.astimezone(ZoneInfo(ctx.settings.timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


async def genuine(ctx: AppContext, token: str, use: LinkUse) -> SigningClaim:
    """The claim of a link we issued for `use`, not expired (used or not), or Refused."""
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
    if link is None or link.purpose != use.purpose or link.number != claim.number:
        raise invalid_link()
    return claim


def _already(ctx: AppContext, token: str, use: LinkUse, number: str, when: datetime) -> Refused:
    lines = (line.format(number=number, when=local_time(ctx, when)) for line in use.used)
    return Refused(410, use.used_title, *lines, links=use.used_links(token))


async def usable(
    ctx: AppContext, token: str, use: LinkUse
) -> tuple[SigningClaim, ServiceRequestState]:
    """The claim of a link that may act for `use` now and the request, or Refused saying why
    not."""
    claim = await genuine(ctx, token, use)

    def used_at() -> datetime | None:
        with ctx.sessions() as session:
            link = session.get(SigningLink, claim.nonce)
            return link.used_at if link else None

    used = await ctx.db(used_at)
    if used is not None:
        raise _already(ctx, token, use, claim.number, used)
    state = await current_state(ctx, claim.number)
    done = use.done(state) if use.done else None
    if done is not None:  # done another way (a customer key) or a retry after a lost answer
        raise _already(ctx, token, use, claim.number, done)
    if state.stage != use.stage or not (use.current(state) or "").endswith(token):
        raise Refused(410, "链接已失效 Link no longer valid", *use.stale)
    return claim, state


async def link_customer(ctx: AppContext, state: ServiceRequestState, via: str) -> Actor:
    """The request's own customer, acting through a link (`via`): the link is the credential.
    The timeline names the request's contact person, else the customer."""

    def lookup() -> str | None:
        with ctx.sessions() as session:
            customer = session.get(Customer, state.customer_id)
            return customer.name if customer else None

    name = state.contact.name if state.contact else await ctx.db(lookup)
    return Actor(
        role=Role.CUSTOMER, name=name or "customer", customer_id=state.customer_id, via=via
    )


def use_up(session: Session, nonce: str) -> None:
    """Record the link as used (once: a retried request keeps the first instant)."""
    link = session.get(SigningLink, nonce)
    if link is not None and link.used_at is None:
        link.used_at = datetime.now(UTC)


# ------------------------------------------------------------------ one way to sign


def _as_signed(state: ServiceRequestState, actor: Actor, body: SignBody) -> ServiceRequestState:
    """The request as it reads once this signature is on it: what the stored report shows.
    A local copy for rendering only; the image never enters the workflow's state."""
    now = datetime.now(UTC)
    # The signature clock stops with this signature, as the workflow will record it.
    clock = state.clocks[ClockName.SIGNATURE]
    late = clock.status == ClockStatus.BREACHED or (clock.due is not None and now > clock.due)
    stopped = clock.model_copy(
        update={"met_at": now, "status": ClockStatus.BREACHED if late else ClockStatus.MET}
    )
    # the digest is of this very report: it cannot be in it
    signature = signature_of(body, now, actor.person).model_copy(update={"report_sha256": None})
    clocks = state.clocks | {ClockName.SIGNATURE: stopped}
    return state.model_copy(update={"signature": signature, "clocks": clocks})


@dataclass(frozen=True)
class _Copy:
    html: str
    sha256: str


async def sign_report(
    ctx: AppContext,
    number: str,
    actor: Actor,
    given: BaseModel,
    update_id: str | None,
    then: Callable[[Session], None] | None = None,
) -> ServiceRequestState:
    """Sign the request's report, whichever way the customer signs (page or API key).

    Renders the report as signed now (signer, image or typed name, ratings, time), sends the
    `sign` update with that HTML's SHA-256, and stores exactly that HTML as the signed report.
    The copy is written before the update and completed after it, so a retry with the same
    update ID (`Idempotency-Key`, the page's nonce) after a lost answer finds it, stores
    nothing twice and answers like the first call. `then` runs in the transaction that
    completes the record (the page uses its link up there)."""
    body = given if isinstance(given, SignBody) else SignBody.model_validate(given.model_dump())
    if body.signature_sha256 is not None and body.signature_png is None:
        raise invalid_field(
            "signature_sha256", "is set by the server: send the drawn image as signature_png"
        )
    state = await current_state(ctx, number)
    mine: _Copy | None = None
    digest: str | None = None
    if state.stage == Stage.AWAITING_SIGNATURE and state.signature is None:
        html = await render_report(ctx, _as_signed(state, actor, body), body.signature_png)
        mine = copy = _Copy(html, sha256(html))
        digest = copy.sha256
        await ctx.db(lambda: _write_ahead(ctx, number, copy, body))
    else:  # signed already: a retry finds its copy; anything else the workflow refuses
        stored = await ctx.db(lambda: _stored(ctx, number))
        digest = stored.sha256 if stored is not None else None
    # The image stays with the stored report; the workflow gets its digest (history stays small).
    sent = body.model_dump(
        mode="json", exclude_unset=True, exclude={"report_sha256", "signature_png"}
    )
    if body.signature_png is not None:
        sent["signature_sha256"] = body.image_sha256
    if digest is not None:
        sent["report_sha256"] = digest
    try:
        signed = await gateway.act(
            await ctx.temporal(), number, Action.SIGN, actor, sent, update_id
        )
    except (Problem, DomainError):
        if mine is not None:
            await _forget(ctx, number, mine)
        raise
    await ctx.db(lambda: _complete(ctx, signed, mine, body, then))
    return signed


def _stored(ctx: AppContext, number: str) -> SignedReport | None:
    with ctx.sessions() as session:
        return session.get(SignedReport, number)


def _write_ahead(ctx: AppContext, number: str, copy: _Copy, body: SignBody) -> None:
    with transaction(ctx.sessions) as session:
        _put(session, number, copy, body, datetime.now(UTC))


def _put(session: Session, number: str, copy: _Copy, body: SignBody, at: datetime) -> None:
    row = session.get(SignedReport, number)
    if row is None:
        row = SignedReport(number=number)
        session.add(row)
    row.html, row.sha256, row.signer = copy.html, copy.sha256, body.signer
    row.signed_at, row.signature_png = at, body.signature_png


async def _forget(ctx: AppContext, number: str, copy: _Copy) -> None:
    """The workflow refused the signature: drop the copy written ahead, unless the workflow
    did record that very copy (another call with the same content won)."""
    try:
        witness = (await current_state(ctx, number)).signature
    except (Problem, DomainError):
        return  # cannot tell: a copy nobody witnessed is never shown as signed
    if witness is not None and witness.report_sha256 == copy.sha256:
        return

    def drop() -> None:
        with transaction(ctx.sessions) as session:
            row = session.get(SignedReport, number)
            if row is not None and row.sha256 == copy.sha256:
                session.delete(row)

    await ctx.db(drop)


def _complete(
    ctx: AppContext,
    signed: ServiceRequestState,
    mine: _Copy | None,
    body: SignBody,
    then: Callable[[Session], None] | None,
) -> None:
    """Make the stored copy the one the workflow witnessed, at the workflow's signing time."""
    witness = signed.signature
    with transaction(ctx.sessions) as session:
        row = session.get(SignedReport, signed.number)
        if witness is not None and mine is not None and witness.report_sha256 == mine.sha256:
            _put(session, signed.number, mine, body, witness.signed_at)
        elif witness is not None and row is not None and witness.report_sha256 == row.sha256:
            row.signed_at = witness.signed_at  # a retry: the copy is there already
        else:
            log.warning("%s: no stored report matches the signature's digest", signed.number)
        if then is not None:
            then(session)


# ------------------------------------------------------------------ the pages


@router.get("/sign/{token}", response_class=HTMLResponse, include_in_schema=False)
async def signing_page(token: str, ctx: Ctx) -> HTMLResponse:
    try:
        claim, _ = await usable(ctx, token, SIGN)
    except Refused as refused:
        return refused.page()
    report = await report_html(ctx, claim.number)
    html = pages.get_template("sign.html").render(
        number=claim.number, report_html=report, valid_until=local_time(ctx, claim.expires_at)
    )
    return HTMLResponse(html)


@router.post("/sign/{token}", include_in_schema=False)
async def sign(token: str, body: SignPageBody, ctx: Ctx) -> dict[str, str]:
    """Sign the report shown on the page (see `sign_report`); the link is then used up."""
    try:
        claim, state = await usable(ctx, token, SIGN)
    except Refused as refused:
        raise refused.problem() from None
    try:
        signature = SignBody.model_validate(body.model_dump(exclude_none=True))
    except ValidationError as exc:
        raise invalid_model(exc) from None
    # The link is the credential: it acts for the request's own customer; the name typed on
    # the page stays the signer's own words in the signature.
    actor = Actor(
        role=Role.CUSTOMER, name=body.signer, customer_id=state.customer_id, via="signing_link"
    )
    state = await sign_report(
        ctx,
        claim.number,
        actor,
        signature,
        f"page-{claim.nonce}",
        then=lambda session: use_up(session, claim.nonce),
    )
    return {"number": claim.number, "stage": state.stage}


@router.get("/sign/{token}/signed", response_class=HTMLResponse, include_in_schema=False)
async def thank_you(token: str, ctx: Ctx) -> HTMLResponse:
    """Where the page goes once the customer has signed."""
    try:
        claim = await genuine(ctx, token, SIGN)
    except Refused as refused:
        return refused.page()
    signature = (await current_state(ctx, claim.number)).signature
    if signature is None:
        return message_page(
            409,
            "尚未签字 Not signed yet",
            ["这份服务报告还没有签字。", "This service report has not been signed yet."],
            [Link(f"../{token}", "去签字 Sign the report")],
        )
    when = local_time(ctx, signature.signed_at)
    return message_page(
        200,
        "谢谢！已签字确认 Thank you — signed",
        [
            f"服务单 {claim.number} 已由 {signature.signer} 于 {when} 签字确认。感谢您的评价！",
            f"{signature.signer} signed the service report of {claim.number} on {when}. "
            "Thank you for your feedback!",
            "您可以下载已签字的服务报告留存。 You can download the signed report for your records.",
        ],
        [_signed_pdf_link("report.pdf")],
    )


@router.get("/sign/{token}/report.pdf", include_in_schema=False)
async def signed_pdf(token: str, ctx: Ctx) -> Response:
    """The report exactly as stored when it was signed, as PDF: for a genuine, unexpired link
    of this request (used or not), never for an expired or forged one."""
    try:
        claim = await genuine(ctx, token, SIGN)
    except Refused as refused:
        return refused.page()
    state = await current_state(ctx, claim.number)
    stored = await ctx.db(lambda: _stored(ctx, claim.number))
    if stored is None or state.signature is None:
        return message_page(
            404,
            "尚未签字 Not signed yet",
            ["这份服务报告还没有签字，暂无签字版可下载。", "This report has not been signed yet."],
        )
    if not (sha256(stored.html) == stored.sha256 == state.signature.report_sha256):
        log.error("%s: the stored signed report does not match its signature", claim.number)
        return message_page(
            409,
            "暂时无法提供 Not available",
            [
                "已签字的报告暂时无法提供，请联系客服。",
                "The signed report cannot be provided right now; please contact us.",
            ],
        )
    html = stored.html
    pdf = await ctx.db(lambda: render_pdf(html))  # WeasyPrint is CPU-bound: off the loop
    headers = {"Content-Disposition": f'attachment; filename="{claim.number}-signed.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


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
    await check_request(ctx, who, number)
    state = await current_state(ctx, number)
    report = await ctx.db(lambda: _stored(ctx, number))
    if report is None or state.signature is None:
        raise Problem(404, f"{number} has no signed report")
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

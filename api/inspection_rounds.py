"""`/v1/inspection-rounds/{schedule_id}/{date}`: one run of a contract's inspection schedule as
a round (巡检轮次, 003) — its assets and their checklist results, the round report (HTML, PDF)
and the customer's one signature under it with the company's stamp.

Staff read every round, a customer key only its own; the customer or an engineer of the round
signs it once every inspection is reported, and that one signature signs each inspection's own
request too."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError

from api.context import Anyone, AppContext, Ctx, require
from api.problems import Problem
from api.service_requests import current_state
from api.signing import sign_report
from db.inspection_rounds import load_round, signed_round, store_signature
from db.session import transaction
from documents.report import render_pdf, sha256
from documents.round_report import printable, render_round_html
from identity.keys import Principal
from models.actions import Actor, SignBody
from models.errors import invalid_field
from models.inspection_rounds import InspectionRound, SignRoundBody
from models.lifecycle import Role, Stage

router = APIRouter(prefix="/v1/inspection-rounds", tags=["Inspection rounds"])
#: The customer, or the engineer on site with the customer's hand on the tablet.
Signer = Annotated[Principal, Depends(require(Role.CUSTOMER, Role.ENGINEER))]


async def _round(ctx: AppContext, who: Principal, schedule_id: str, day: date) -> InspectionRound:
    found = await ctx.db(lambda: _load(ctx, schedule_id, day))
    mine = who.role != Role.CUSTOMER or (found is not None and found.customer_id == who.customer_id)
    if found is None or not mine:
        raise Problem(404, f"there is no inspection round of schedule {schedule_id} on {day}")
    if who.role == Role.ENGINEER and who.engineer_id not in {i.engineer for i in found.items}:
        raise Problem(403, "only an engineer sent on this round may see or sign it")
    return found


def _load(ctx: AppContext, schedule_id: str, day: date) -> InspectionRound | None:
    with ctx.sessions() as session:
        return load_round(session, schedule_id, day)


@router.get("/{schedule_id}/{day}", response_model=InspectionRound)
async def get_round(schedule_id: str, day: date, ctx: Ctx, who: Anyone) -> InspectionRound:
    return await _round(ctx, who, schedule_id, day)


async def _html(ctx: AppContext, who: Principal, schedule_id: str, day: date) -> str:
    found = await _round(ctx, who, schedule_id, day)

    def stored() -> str | None:
        with ctx.sessions() as session:
            signed = signed_round(session, schedule_id, day)
            return signed.html if signed else None

    return await ctx.db(stored) or render_round_html(found, ctx.settings.timezone)


@router.get("/{schedule_id}/{day}/report.html", response_class=HTMLResponse)
async def round_report(schedule_id: str, day: date, ctx: Ctx, who: Anyone) -> HTMLResponse:
    """As signed, once it is; before, as it stands (unsigned)."""
    return HTMLResponse(await _html(ctx, who, schedule_id, day))


@router.get("/{schedule_id}/{day}/report.pdf", response_class=Response)
async def round_report_pdf(schedule_id: str, day: date, ctx: Ctx, who: Anyone) -> Response:
    html = await _html(ctx, who, schedule_id, day)
    pdf = await ctx.db(lambda: render_pdf(html))
    headers = {"Content-Disposition": f'inline; filename="{schedule_id}-{day}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _signed_already(schedule_id: str, day: date) -> Problem:
    return Problem(409, f"the round of {schedule_id} on {day} is signed already")


async def _sign_request(
    ctx: AppContext, who: Principal, found: InspectionRound, number: str, body: SignRoundBody
) -> None:
    """Sign one inspection's request with the round's signature, unless it needs none now
    (signed already, by an earlier call for this round or on its own, or closed otherwise)
    or the customer refused to sign its own report (the supervisor settles that one)."""
    state = await current_state(ctx, number)
    if (
        state.stage != Stage.AWAITING_SIGNATURE
        or state.signature is not None
        or state.signature_refusals
    ):
        return
    # The customer signs, whoever holds the device; the key it came through is recorded.
    actor = Actor(
        role=Role.CUSTOMER,
        name=body.signer,
        key_id=who.key_id,
        customer_id=found.customer_id,
        via="inspection_round",
    )
    round_of = f"{found.schedule_id} {found.date}"
    signature = SignBody(
        signer=body.signer,
        signature_png=body.signature_png,
        typed_name=body.typed_name,
        quality=body.quality,
        attitude=body.attitude,
        comment=f"随巡检轮次签字 signed with the inspection round {round_of}",
    )
    update_id = f"round-{found.schedule_id}-{found.date}-{number}"
    await sign_report(ctx, number, actor, signature, update_id)


@router.post("/{schedule_id}/{day}/sign", response_model=InspectionRound)
async def sign_round(
    schedule_id: str, day: date, body: SignRoundBody, ctx: Ctx, who: Signer
) -> InspectionRound:
    """The customer's signature and the company's stamp under the whole round, once; it signs
    each inspection's own request too, so none waits for a signature of its own (nor breaches
    its signature clock). The requests are signed first and the round last: a call that fails
    half-way is finished by the next one."""
    if who.role == Role.ENGINEER and body.signature_png is None:
        # On the engineer's device the customer's own hand is the signature, as on the
        # signing page the engineer hands over; a typed name comes only with the customer's key.
        raise invalid_field("signature_png", "on the engineer's device the customer draws it")
    for field, image in (("signature_png", body.signature_png), ("stamp_png", body.stamp_png)):
        if image is not None:
            printable(image, field)
    found = await _round(ctx, who, schedule_id, day)
    missing = [i.asset_serial for i in found.items if not i.reported]
    if missing:
        raise Problem(409, f"the round is not reported in full yet: {', '.join(missing)}")
    if found.signature is not None:
        raise _signed_already(schedule_id, day)
    for item in found.items:
        await _sign_request(ctx, who, found, item.number, body)

    def sign() -> InspectionRound:
        try:
            store()
        except IntegrityError:  # a second call stored it between our check and our write
            raise _signed_already(schedule_id, day) from None
        with ctx.sessions() as session:
            result = load_round(session, schedule_id, day)
        assert result is not None
        return result

    def store() -> None:
        now = datetime.now(UTC)
        with transaction(ctx.sessions) as session:
            if signed_round(session, schedule_id, day) is not None:
                raise _signed_already(schedule_id, day)
            current = load_round(session, schedule_id, day)
            assert current is not None  # found above; rounds are never deleted
            html = render_round_html(
                current,
                ctx.settings.timezone,
                signer=body.signer,
                signed_at=now,
                signature_png=body.signature_png,
                typed_name=body.typed_name,
                stamp_png=body.stamp_png,
            )
            store_signature(session, current, body, html, sha256(html), now)

    return await ctx.db(sign)

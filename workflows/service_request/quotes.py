"""Quotes (报价) for chargeable work: proposed with a link for the customer, approved (the
clocks run again) or declined (the request closes)."""

from __future__ import annotations

from temporalio import workflow

from workflows.rejections import INVALID, reject
from workflows.service_request.parts import await_parts
from workflows.service_request.patches import QUOTE_LINKS
from workflows.service_request.request import Request
from workflows.service_request.signature import enter_signature

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Role, Stage
    from models.state import Diagnosis, QuoteRecord
    from sla.clocks import APPROVAL_PAUSE
    from workflows.service_request.timeline import SYSTEM


def check_quote(r: Request, body: a.QuoteActionBody, role: Role, current: bool) -> None:
    diagnosing = r.state.stage == Stage.DIAGNOSING and r.state.diagnosis is None
    if current and diagnosing and not body.notes:
        raise reject(
            INVALID,
            "a quote made while diagnosing is the proposed solution: give the diagnosis "
            "in notes (the service report prints it)",
        )


async def quote(r: Request, actor: a.Actor, body: a.QuoteActionBody) -> None:
    if r.state.diagnosis is None and body.notes:  # the quote is the proposed solution
        r.state.diagnosis = Diagnosis(
            outcome="needs_onsite",
            notes=body.notes,
            exclusion=None,
            by=actor.label,
            at=workflow.now(),
        )
    r.stop_clock(ClockName.DIAGNOSIS)
    await propose_quote(r, actor, body)


async def propose_quote(
    r: Request, actor: a.Actor, body: a.QuoteBody, back_to: Stage | None = None
) -> None:
    """The customer decides; approval leads to `back_to` (by default: back on site for a
    quote made there, else to dispatch)."""
    if back_to is None:
        back_to = Stage.ON_SITE if r.state.stage == Stage.ON_SITE else Stage.AWAITING_DISPATCH
    r.state.quote = QuoteRecord(
        lines=body.lines,
        currency=body.currency,
        total=body.total,
        status="proposed",
        proposed_by=actor.label,
        proposed_at=workflow.now(),
        return_to=back_to,
    )
    r.pause(APPROVAL_PAUSE, SYSTEM)
    r.move(Stage.AWAITING_APPROVAL, actor, {"total": str(body.total)})
    if r.patched(QUOTE_LINKS):
        url, nonce = await r.customer_link("quote")
        r.state.quote_url = url
        r.notify(
            "quote_link",
            ["customer"],
            key=f"quote/{nonce}",
            url=url,
            total=f"{body.total} {body.currency}",
        )


async def approve_quote(r: Request, actor: a.Actor, body: a.ApproveQuoteBody) -> None:
    current = _current(r)
    current.status, current.decided_at = "approved", workflow.now()
    r.end_pause(APPROVAL_PAUSE)
    await r.plan_clocks()
    if current.return_to == Stage.AWAITING_SIGNATURE:  # a repair done, then found chargeable
        await enter_signature(r, actor, {"quote": "approved"})
    elif current.return_to == Stage.AWAITING_PARTS:
        await await_parts(r, actor, {})
    else:
        r.move(current.return_to, actor)


async def decline_quote(r: Request, actor: a.Actor, body: a.DeclineQuoteBody) -> None:
    current = _current(r)
    current.status, current.decided_at = "declined", workflow.now()
    current.decline_reason = body.reason
    r.end_pause(APPROVAL_PAUSE)
    await r.close(actor, "declined", {"reason": body.reason})


def _current(r: Request) -> QuoteRecord:
    assert r.state.quote is not None  # awaiting_approval is only entered with a quote
    return r.state.quote

"""The customer's signature (客户签字): the report awaits it through a signed link; signed,
refused (the supervisor is told), or closed without it by the supervisor."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows.service_request.escalations import alarm
from workflows.service_request.fitted import record_fitted
from workflows.service_request.patches import SIGNING_LINKS
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Stage
    from models.state import signature_of


async def enter_signature(r: Request, actor: a.Actor, data: dict[str, Any]) -> None:
    """The work is done: the resolution clock stops and the signature's starts."""
    record_fitted(r, actor)
    r.stop_clock(ClockName.RESOLUTION)
    r.start_clock(ClockName.SIGNATURE)
    await r.plan_clocks()
    r.move(Stage.AWAITING_SIGNATURE, actor, data)
    if r.patched(SIGNING_LINKS):
        url, nonce = await r.customer_link("sign")
        r.state.signing_url = url
        r.notify("signing_link", ["customer"], key=f"signing/{nonce}", url=url)


async def sign(r: Request, actor: a.Actor, body: a.SignBody) -> None:
    r.state.signature = signature_of(body, workflow.now(), actor.person)
    r.stop_clock(ClockName.SIGNATURE)
    # The drawn image is stored with the signed report (the API sends only its digest); an
    # update accepted before that carried the image itself, which its timeline event keeps.
    if body.signature_png:
        image = {"signature_png": body.signature_png}
    else:
        image = {"signature_sha256": body.signature_sha256} if body.signature_sha256 else {}
    await r.close(actor, r.state.outcome or "fixed", {"signer": body.signer} | image)


async def refuse_signature(r: Request, actor: a.Actor, body: a.RefuseSignatureBody) -> None:
    refusal = {"reason": body.reason, "at": workflow.now().isoformat(), "by": actor.label}
    r.state.signature_refusals.append(refusal)
    r.emit("signature_refused", actor, {"reason": body.reason})
    alarm(r, "signature", "signature_refused", ["supervisor"], f"signature refused: {body.reason}")


async def override_close(r: Request, actor: a.Actor, body: a.OverrideCloseBody) -> None:
    r.stop_clock(ClockName.SIGNATURE)
    await r.close(actor, "closed_without_signature", {"reason": body.reason})

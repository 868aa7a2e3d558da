"""Registration to dispatch (受理, 远程诊断), and what any open request may do: change its
severity, pause and resume its clocks, be cancelled."""

from __future__ import annotations

from temporalio import workflow

from workflows.rejections import CONFLICT, INVALID, WRONG_STAGE, reject
from workflows.service_request.quotes import propose_quote
from workflows.service_request.request import Request
from workflows.service_request.signature import enter_signature

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Role, Stage
    from models.state import Diagnosis


# ----------------------------------------------------------------- checks (validators)
def check_diagnose(r: Request, body: a.DiagnoseBody, role: Role, current: bool) -> None:
    if body.outcome == "needs_onsite" and _chargeable(r, body) and body.quote is None:
        raise reject(
            INVALID,
            "this visit is chargeable (out of warranty or excluded): diagnose needs_onsite "
            "must include a quote for the customer to approve",
        )


def check_pause(r: Request, body: a.PauseBody, role: Role, current: bool) -> None:
    reasons = r.profile.pause_reasons
    if body.reason not in reasons:
        raise reject(
            INVALID,
            f"pause reason {body.reason!r} is not allowed; use one of: {', '.join(reasons)}",
        )
    if r.clocks.open_pause(manual=True) is not None:
        raise reject(CONFLICT, "the request is already paused; resume it first")


def check_resume(r: Request, body: a.ResumeBody, role: Role, current: bool) -> None:
    if r.clocks.open_pause(manual=True) is None:
        raise reject(CONFLICT, "the request is not paused")


def check_cancel(r: Request, body: a.CancelBody, role: Role, current: bool) -> None:
    # The table allows intake before on_site; a request that has been on site before (a
    # second visit, a quote made on site) is past that point for good.
    if r.state.visited and role == Role.INTAKE:
        raise reject(
            WRONG_STAGE,
            f"cannot cancel while the request is '{r.state.stage}': the engineer has "
            "already been on site, so only a supervisor may cancel",
        )


def check_severity(r: Request, body: a.ChangeSeverityBody, role: Role, current: bool) -> None:
    if body.severity == r.state.severity:
        raise reject(INVALID, f"the request already has severity {body.severity}")


# ----------------------------------------------------------------- handlers
async def acknowledge(r: Request, actor: a.Actor, body: a.AcknowledgeBody) -> None:
    r.stop_clock(ClockName.RESPONSE)
    r.move(Stage.DIAGNOSING, actor, {"note": body.note})


async def diagnose(r: Request, actor: a.Actor, body: a.DiagnoseBody) -> None:
    now = workflow.now()
    r.state.diagnosis = Diagnosis(
        outcome=body.outcome, notes=body.notes, exclusion=body.exclusion, by=actor.label, at=now
    )
    r.stop_clock(ClockName.DIAGNOSIS)
    if body.outcome == "resolved_remotely":
        r.state.outcome = "resolved_remotely"
        await enter_signature(r, actor, {"outcome": body.outcome})
    elif _chargeable(r, body):
        assert body.quote is not None  # the validator asks for it
        await propose_quote(r, actor, body.quote)
    else:
        r.move(Stage.AWAITING_DISPATCH, actor, {"outcome": body.outcome})


async def change_severity(r: Request, actor: a.Actor, body: a.ChangeSeverityBody) -> None:
    previous = r.state.severity
    r.state.severity = body.severity
    await r.plan_clocks()
    r.emit(
        "severity_changed", actor, {"from": previous, "to": body.severity, "reason": body.reason}
    )


async def pause(r: Request, actor: a.Actor, body: a.PauseBody) -> None:
    r.pause(body.reason, actor.label)
    r.emit("paused", actor, {"reason": body.reason})


async def resume(r: Request, actor: a.Actor, body: a.ResumeBody) -> None:
    pause = r.clocks.open_pause(manual=True)
    assert pause is not None  # the validator checked
    r.end_pause(pause.reason)
    await r.plan_clocks()
    r.emit("resumed", actor, {"reason": pause.reason})


async def cancel(r: Request, actor: a.Actor, body: a.CancelBody) -> None:
    r.state.cancel_reason = body.reason
    r.end("cancelled")
    r.move(Stage.CANCELLED, actor, {"reason": body.reason})


def _chargeable(r: Request, body: a.DiagnoseBody) -> bool:
    return r.state.entitlement.chargeable or body.exclusion is not None

"""On site (维修): the engineer's report — fixed, replaced, waiting for parts, or an
exclusion found there that needs the customer's approval first — and a rework."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows.rejections import INVALID, reject
from workflows.service_request.parts import await_parts
from workflows.service_request.quotes import propose_quote
from workflows.service_request.request import Request
from workflows.service_request.signature import enter_signature
from workflows.service_request.visits import check_not_a_visit

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Role, Stage
    from models.state import RepairRecord


def check_report(r: Request, body: a.ReportRepairBody, role: Role, current: bool) -> None:
    check_not_a_visit(r)
    if body.exclusion is not None and body.quote is None:
        raise reject(
            INVALID,
            f"an exclusion ({body.exclusion}) makes the work chargeable: include a quote for "
            "the customer to approve before the request goes on",
        )
    if body.quote is not None and body.exclusion is None:
        raise reject(
            INVALID,
            "a quote in a repair report goes with an exclusion found on site; otherwise "
            "propose it with the quote action",
        )
    done = {entry.item for entry in body.checklist}
    missing = [item for item in r.start.checklist if item not in done]
    if missing:
        raise reject(
            INVALID,
            f"an inspection report covers the whole checklist; missing: {'; '.join(missing)}",
        )


async def report_repair(r: Request, actor: a.Actor, body: a.ReportRepairBody) -> None:
    r.state.repair = RepairRecord(
        result=body.result,
        work_done=body.work_done,
        parts=body.parts,
        test_result=body.test_result,
        replacement_serial=body.replacement_serial,
        replacement_model=body.replacement_model,
        checklist=body.checklist,
        engineer=r.state.engineer,
        at=workflow.now(),
        exclusion=body.exclusion,
    )
    data: dict[str, Any] = {"result": body.result}
    done = body.result in ("fixed", "replace")
    if done:
        r.state.outcome = "replaced" if body.result == "replace" else "fixed"
        if body.result == "replace":
            data |= {"old_serial": r.state.asset_serial, "new_serial": body.replacement_serial}
    if body.exclusion is not None:
        # Found on site: chargeable now; nothing goes on before the customer approves.
        assert body.quote is not None  # the validator asks for it
        r.state.entitlement = r.state.entitlement.model_copy(
            update={"remedies": ["paid_repair"], "chargeable": True}
        )
        if done:
            r.stop_clock(ClockName.RESOLUTION)
        after = Stage.AWAITING_SIGNATURE if done else Stage.AWAITING_PARTS
        r.emit("exclusion_found", actor, data | {"exclusion": body.exclusion})
        await propose_quote(r, actor, body.quote, after)
    elif done:
        await enter_signature(r, actor, data)
    else:
        await await_parts(r, actor, data)


async def rework(r: Request, actor: a.Actor, body: a.ReworkBody) -> None:
    # The fix was not accepted: the resolution clock runs again from the original report.
    r.clocks.reset(ClockName.SIGNATURE)
    r.clocks.restart(ClockName.RESOLUTION)
    r.state.outcome = None
    await r.plan_clocks()
    r.move(Stage.DIAGNOSING, actor, {"reason": body.reason})

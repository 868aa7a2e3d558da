"""A revisit visit (上门回访, P1): a contract's periodic visit dispatched to an engineer like an
inspection. On site the engineer records the customer's answers, as a revisit call would, and
any hidden fault found, which opens a repair request linked to the visit; the visit then
closes (it is the revisit: none follows it)."""

from __future__ import annotations

from temporalio import workflow

from workflows.rejections import CONFLICT, reject
from workflows.service_request.follow_up import file_complaint, open_linked
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.activity_io import ReworkRequest
    from models.lifecycle import Role
    from models.state import VisitRecord

VISITED = "visited"


def check_visit(r: Request, body: a.RecordVisitBody, role: Role, current: bool) -> None:
    if r.state.type != "revisit_visit":
        raise reject(
            CONFLICT,
            f"request {r.state.number} is a {r.state.type}, not a revisit visit: report the "
            "work with report-repair",
        )


def check_not_a_visit(r: Request) -> None:
    """A revisit visit is recorded with record-visit, not reported as a repair."""
    if r.state.type == "revisit_visit":
        raise reject(
            CONFLICT,
            "a revisit visit records the customer's answers with record-visit (a fault found "
            "goes in its hidden_fault and becomes a repair request of its own)",
        )


async def record_visit(r: Request, actor: a.Actor, body: a.RecordVisitBody) -> None:
    visit = VisitRecord(
        at=workflow.now(),
        by=actor.person,
        satisfaction=body.satisfaction,
        solved=body.solved,
        attitude=body.attitude,
        suggestions=body.suggestions,
        hidden_fault=body.hidden_fault,
    )
    r.state.visit = visit
    answers = body.model_dump(exclude_none=True, exclude={"hidden_fault", "unreachable"})
    r.emit("visit_recorded", actor, answers)
    if body.hidden_fault is not None:
        found = body.hidden_fault
        repair = await open_linked(
            r,
            ReworkRequest(
                original=r.state.number,
                customer_id=r.state.customer_id,
                asset_serial=r.state.asset_serial,
                fault_code=found.fault_code,
                severity=found.severity,
                reason=found.description,
                kind="hidden_fault",
            ),
            "open the hidden fault's repair request",
        )
        visit.repair = repair.number
        r.emit("hidden_fault_found", actor, found.model_dump() | {"repair": repair.number})
    if body.complaint is not None:
        await file_complaint(r, "revisit", body.complaint, actor.label)
    await r.close(actor, VISITED, {})

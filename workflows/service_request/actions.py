"""The lifecycle's actions inside the workflow: decode and check one (the same rules the
validator and the handler apply), and the handler of each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue

from workflows.rejections import FORBIDDEN, INVALID, NOT_FOUND, WRONG_STAGE, reject
from workflows.service_request import (
    dispatch,
    escalations,
    follow_up,
    parts,
    quotes,
    remedies,
    repair,
    signature,
    triage,
    visits,
)
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from models import actions as a
    from models.lifecycle import LIFECYCLE, Action, Role, TransitionRejected, check_allowed
    from models.ownership import NotYours, Owners, check_owner

Handler = Callable[[Request, a.Actor, Any], Awaitable[None]]
#: `current` is False when the handler re-checks an update that older code accepted (a
#: replay): checks added since then must not refuse it.
DataCheck = Callable[[Request, Any, Role, bool], None]

HANDLERS: dict[Action, Handler] = {
    Action.ACKNOWLEDGE: triage.acknowledge,
    Action.DIAGNOSE: triage.diagnose,
    Action.CHOOSE_REMEDY: remedies.choose_remedy,
    Action.QUOTE: quotes.quote,
    Action.APPROVE_QUOTE: quotes.approve_quote,
    Action.DECLINE_QUOTE: quotes.decline_quote,
    Action.ASSIGN: dispatch.assign,
    Action.SCHEDULE_VISIT: dispatch.schedule_visit,
    Action.CHECK_IN: dispatch.check_in,
    Action.REPORT_REPAIR: repair.report_repair,
    Action.PARTS_SHIPPED: parts.parts_shipped,
    Action.PARTS_ARRIVED: parts.parts_arrived,
    Action.FAULTY_PART_RETURNED: parts.faulty_part_returned,
    Action.SIGN: signature.sign,
    Action.REFUSE_SIGNATURE: signature.refuse_signature,
    Action.OVERRIDE_CLOSE: signature.override_close,
    Action.REWORK: repair.rework,
    Action.PAUSE: triage.pause,
    Action.RESUME: triage.resume,
    Action.RECORD_REVISIT: follow_up.record_revisit,
    Action.RECORD_VISIT: visits.record_visit,
    Action.CANCEL: triage.cancel,
    Action.CHANGE_SEVERITY: triage.change_severity,
    Action.ESCALATE: escalations.customer_escalation,
}
#: Checks that need the request's state; they run in the validator, so they write nothing.
DATA_CHECKS: dict[Action, DataCheck] = {
    Action.DIAGNOSE: triage.check_diagnose,
    Action.CHOOSE_REMEDY: remedies.check_remedy,
    Action.ASSIGN: dispatch.check_assign,
    Action.SCHEDULE_VISIT: dispatch.check_schedule,
    Action.PAUSE: triage.check_pause,
    Action.RESUME: triage.check_resume,
    Action.CHANGE_SEVERITY: triage.check_severity,
    Action.CANCEL: triage.check_cancel,
    Action.REPORT_REPAIR: repair.check_report,
    Action.QUOTE: quotes.check_quote,
    Action.PARTS_SHIPPED: parts.check_shipped,
    Action.FAULTY_PART_RETURNED: parts.check_returned,
    Action.RECORD_REVISIT: follow_up.check_revisit,
    Action.RECORD_VISIT: visits.check_visit,
    Action.ESCALATE: escalations.check_customer_escalation,
}


def admit(
    r: Request, name: str, args: Sequence[RawValue], owners: bool = True
) -> tuple[Action, a.Actor, BaseModel]:
    """Decode and check an action; raise the ApplicationError that rejects it. `owners`
    False: re-checking an update accepted before the person and quote rules existed."""
    try:
        action = Action(name)
    except ValueError:
        raise reject(INVALID, f"unknown action {name!r}") from None
    if len(args) != 1:
        raise reject(INVALID, f"{action} takes exactly one argument")
    try:
        command = workflow.payload_converter().from_payload(args[0].payload, a.ActionCommand)
        body = LIFECYCLE[action].body.model_validate(command.body)
    except (ValidationError, ValueError) as exc:
        raise reject(INVALID, f"{action}: {exc}") from None
    try:
        role = Role(command.actor.role)
    except ValueError:
        raise reject(FORBIDDEN, f"unknown role {command.actor.role!r}") from None
    whose = Owners(customer_id=r.state.customer_id, engineer_id=r.state.engineer)
    try:
        if owners and role == Role.CUSTOMER:  # learns nothing of someone else's request
            check_owner(command.actor, r.state.number, whose)
        check_allowed(action, r.state.stage, role)
        if owners:
            check_owner(command.actor, r.state.number, whose)
    except TransitionRejected as exc:
        raise reject(FORBIDDEN if exc.kind == "forbidden" else WRONG_STAGE, exc.message) from None
    except NotYours as exc:
        raise reject(NOT_FOUND if exc.kind == "not_found" else FORBIDDEN, exc.message) from None
    check = DATA_CHECKS.get(action)
    if check is not None:
        check(r, body, role, owners)
    return action, command.actor, body

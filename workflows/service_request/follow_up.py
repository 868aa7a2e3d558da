"""After close (回访): the revisits planned on their calendar, answers and unreachable
customers, and the complaint (with a rework request) an unhappy answer opens."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

from workflows.complaint import open_complaint
from workflows.rejections import CONFLICT, reject
from workflows.service_request.escalations import alarm
from workflows.service_request.patches import (
    COMPLAINT_WORKFLOWS,
    COMPLAINTS,
    PEOPLE_NOTICES,
    REVISIT_RETRIES,
    REVISITS_ON_CALENDAR,
)
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.activity_io import (
        ActivityName,
        BusinessInstantRequest,
        RevisitPlan,
        RevisitPlanRequest,
        ReworkRequest,
    )
    from models.common import AFTER_CLOSE_CLOCKS
    from models.complaints import ComplaintSource
    from models.intake import ServiceRequestStart
    from models.lifecycle import Role, Stage
    from models.profile import DEFAULT_COMPLAINT_RESPONSE
    from models.revisits import next_attempt, record_attempt, retry_calendar
    from models.search_attributes import initial_search_attributes, static_summary
    from models.state import (
        ComplaintRecord,
        RevisitRecord,
        ServiceRequestState,
        workflow_id_for,
    )
    from workflows.service_request.held_notices import iso
    from workflows.service_request.timeline import SYSTEM


async def begin_follow_up(r: Request) -> None:
    closed_at = r.state.closed_at or workflow.now()
    if r.state.type == "revisit_visit":
        r.state.revisits = []  # the visit was the revisit
    elif r.patched(REVISITS_ON_CALENDAR):
        planned: RevisitPlan = await r.activity(
            ActivityName.PLAN_REVISITS,
            RevisitPlanRequest(profile=r.profile_ref, closed_at=closed_at),
            RevisitPlan,
            "plan revisits",
        )
        r.state.revisits = [RevisitRecord(due=p.due, channel=p.channel) for p in planned.due]
    else:  # requests closed before revisits followed the business calendar
        r.state.revisits = [
            RevisitRecord(
                due=closed_at + timedelta(days=p.working_days or 0, minutes=p.minutes or 0),
                channel=p.channel,
            )
            for p in r.profile.revisits.after_close
        ]
    if follow_up_done(r):
        r.move(Stage.COMPLETED, SYSTEM)
        return
    r.move(Stage.FOLLOWING_UP, SYSTEM)
    if r.patched(PEOPLE_NOTICES):
        for i, revisit in enumerate(r.state.revisits):
            _remind(r, revisit, f"revisit/{i}")


def next_revisit(r: Request) -> RevisitRecord | None:
    return next((v for v in r.state.revisits if v.status == "due"), None)


def follow_up_done(r: Request) -> bool:
    """Nothing is left after close: every revisit made, and what the customer owes back (the
    faulty part) settled."""
    return next_revisit(r) is None and not any(
        r.clocks.outstanding(clock) for clock in AFTER_CLOSE_CLOCKS
    )


def check_revisit(r: Request, body: a.RecordRevisitBody, role: Role, current: bool) -> None:
    if next_revisit(r) is None:
        raise reject(
            CONFLICT, "every revisit is recorded: the request waits for the faulty part only"
        )


async def record_revisit(r: Request, actor: a.Actor, body: a.RecordRevisitBody) -> None:
    revisit = next_revisit(r)
    assert revisit is not None  # the validator checked
    max_attempts = r.profile.revisits.max_attempts
    outcome = record_attempt(revisit, body, max_attempts, workflow.now(), actor.person)
    if outcome == "retry":
        r.emit("revisit_unreachable", actor, {"attempt": revisit.attempts})
        if r.patched(REVISIT_RETRIES):
            await _retry(r, revisit)
        return
    r.emit("revisit_recorded", actor, body.model_dump(exclude_none=True))
    if body.complaint is not None and r.patched(COMPLAINTS):
        await _open_complaint(r, actor, body.complaint)
    if next_revisit(r) is None:
        r.notices.discard("revisit_due")  # calls made before they fell due need no reminder
    if follow_up_done(r):
        r.move(Stage.COMPLETED, actor)


async def _retry(r: Request, revisit: RevisitRecord) -> None:
    """The customer did not answer: call again after the profile's working days."""
    policy = r.profile.revisits
    index = r.state.revisits.index(revisit)
    plans = policy.after_close
    planned_on = plans[index].calendar if index < len(plans) else None
    retry: datetime = await r.activity(
        ActivityName.BUSINESS_INSTANT,
        BusinessInstantRequest(
            profile=r.profile_ref,
            calendar=retry_calendar(r.profile, planned_on),
            start=workflow.now(),
            working_days=policy.retry_working_days,
        ),
        datetime,
        "plan revisit retry",
    )
    revisit.due = next_attempt(revisit.due, retry)
    _remind(r, revisit, f"revisit/{index}/attempt-{revisit.attempts + 1}")


def _remind(r: Request, revisit: RevisitRecord, key: str) -> None:
    """Held until the call is due: then it lands on the revisit desk."""
    r.notices.hold(
        revisit.due,
        kind="revisit_due",
        key=key,
        recipients=["revisit"],
        data={"due": revisit.due.isoformat()},
    )


async def _open_complaint(r: Request, actor: a.Actor, reason: str) -> None:
    """Satisfaction ≤ 2 or not solved: a linked rework request for the same asset, and a
    complaint for the supervisor with its own response deadline."""
    rework = await open_linked(
        r,
        ReworkRequest(
            original=r.state.number,
            customer_id=r.state.customer_id,
            asset_serial=r.state.asset_serial,
            fault_code=r.state.fault_code,
            severity=r.state.severity,
            reason=reason,
        ),
        "open rework request",
    )
    r.state.reworks.append(rework.number)
    if r.patched(COMPLAINT_WORKFLOWS):
        await file_complaint(r, "revisit", reason, actor.label, rework.number)
        return
    # Requests that went this way before complaints had their own workflow replay this.
    now, within = workflow.now(), DEFAULT_COMPLAINT_RESPONSE
    r.state.complaints.append(
        ComplaintRecord(opened_at=now, reason=reason, respond_by=now + within, rework=rework.number)
    )
    r.emit("complaint", SYSTEM, {"reason": reason, "rework": rework.number})
    alarm(r, "complaint", "complaint", ["supervisor"], f"complaint: {reason} → {rework.number}")


async def open_linked(r: Request, request: ReworkRequest, summary: str) -> ServiceRequestStart:
    """Register a request linked to this one and start it (it outlives this one)."""
    linked: ServiceRequestStart = await r.activity(
        ActivityName.OPEN_REWORK, request, ServiceRequestStart, summary
    )
    await workflow.start_child_workflow(
        workflow.info().workflow_type,  # another request of this same workflow
        linked,
        id=workflow_id_for(linked.number),
        task_queue=workflow.info().task_queue,
        parent_close_policy=ParentClosePolicy.ABANDON,
        search_attributes=initial_search_attributes(ServiceRequestState.registered(linked)),
        static_summary=static_summary(linked),
    )
    return linked


async def file_complaint(
    r: Request, source: ComplaintSource, reason: str, by: str, rework: str | None = None
) -> None:
    record = await open_complaint(
        profile=r.profile,
        source=source,
        about=r.state.number,
        ordinal=len(r.state.complaints) + 1,
        customer_id=r.state.customer_id,
        asset_serial=r.state.asset_serial,
        reason=reason,
        opened_by=by,
        rework=rework,
    )
    r.state.complaints.append(record)
    data = {"complaint": record.number, "reason": reason, "respond_by": iso(record.respond_by)}
    r.emit("complaint", by, data | ({"rework": rework} if rework else {}))

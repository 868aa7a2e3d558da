"""Dispatch (派工): choosing and assigning the engineer (auto-assign, or a named one who
fits), telling them (and the one who lost the job), the appointment and the check-in."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from workflows.rejections import CONFLICT, INVALID, reject
from workflows.service_request.escalations import alarm
from workflows.service_request.patches import ASSIGN_FIT, NOTICE_RULES, PEOPLE_NOTICES
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.activity_io import ActivityName, AutoAssignRequest, EngineerInfo, EngineerLookup
    from models.assignment import refuse_named
    from models.common import ClockName
    from models.lifecycle import Role, Stage
    from workflows.service_request.held_notices import iso


def check_assign(r: Request, body: a.AssignBody, role: Role, current: bool) -> None:
    reassigning = r.state.stage == Stage.DISPATCHED
    if reassigning and body.engineer_id is not None and body.engineer_id == r.state.engineer:
        raise reject(INVALID, f"{body.engineer_id} is already assigned to this request")


def check_schedule(r: Request, body: a.ScheduleVisitBody, role: Role, current: bool) -> None:
    if body.appointment_at < workflow.now() - timedelta(minutes=5):
        raise reject(INVALID, "appointment_at is in the past")


async def assign(r: Request, actor: a.Actor, body: a.AssignBody) -> None:
    engineer = await _choose_engineer(r, body.engineer_id, body.override)
    if engineer is None:
        # Nobody to send: the request waits where it is and the dispatcher is told.
        reason = (
            f"no on-duty engineer free for {r.start.asset_category} in region "
            f"{r.state.region} (none fits, or each has the most open jobs allowed)"
        )
        alarm(r, "arrival", "no_engineer", ["dispatcher"], reason)
        return
    previous = r.state.engineer
    r.state.engineer, r.state.engineer_name = engineer.id, engineer.name
    r.start_clock(ClockName.ARRIVAL)
    await r.plan_clocks()
    kind = "reassigned" if previous else "assigned"
    override = {"override": body.reason} if body.override else {}
    r.emit(kind, actor, {"engineer": engineer.id, "previous": previous} | override)
    if r.patched(PEOPLE_NOTICES):
        _notify_assignment(r, engineer, previous)
    r.move(Stage.DISPATCHED, actor)


def _notify_assignment(r: Request, engineer: EngineerInfo, previous: str | None) -> None:
    start, s = r.start, r.state
    contact = f"{s.contact.name} {s.contact.phone}" if s.contact else start.site_contact
    r.notify(
        "assigned",
        ["assigned"],
        key=f"assigned/{engineer.id}/{r.timeline.seq}",
        engineer_name=engineer.name,
        customer=start.customer_name,
        address=start.site_address or s.region,
        contact=contact or "—",
        fault=f"{s.fault_code} — {s.description}",
        arrival_due=iso(s.clocks[ClockName.ARRIVAL].due),
    )
    if previous and previous != engineer.id and r.patched(NOTICE_RULES):
        r.notify(
            "unassigned",
            ["assigned"],
            key=f"unassigned/{previous}/{r.timeline.seq}",
            engineer=previous,  # the engineer who lost the job, not the new one
            successor=engineer.name,
        )


async def schedule_visit(r: Request, actor: a.Actor, body: a.ScheduleVisitBody) -> None:
    r.state.appointment_at = body.appointment_at
    r.emit("visit_scheduled", actor, {"appointment_at": body.appointment_at.isoformat()})
    if r.patched(PEOPLE_NOTICES):
        r.notify(
            "appointment",
            ["customer"],
            key=f"appointment/{body.appointment_at.isoformat()}",
            appointment_at=body.appointment_at.isoformat(),
        )


async def check_in(r: Request, actor: a.Actor, body: a.CheckInBody) -> None:
    r.state.visited = True
    r.stop_clock(ClockName.ARRIVAL)
    r.move(Stage.ON_SITE, actor)


async def _choose_engineer(
    r: Request, engineer_id: str | None, override: bool = False
) -> EngineerInfo | None:
    """The named engineer (rejected when unknown or off duty), or the auto-assign choice
    (None when nobody qualifies)."""
    if engineer_id is not None:
        found: EngineerInfo | None = await r.activity(
            ActivityName.FIND_ENGINEER,
            EngineerLookup(engineer_id=engineer_id),
            EngineerInfo | None,
            "look up engineer",
        )
        fit = not override and found is not None and found.on_duty
        refusal = refuse_named(
            engineer_id,
            found,
            r.start.asset_category,
            r.state.region,
            check_fit=fit and r.patched(ASSIGN_FIT),
        )
        if refusal is not None:
            kind, message = refusal
            raise reject(INVALID if kind == "invalid" else CONFLICT, message)
        return found
    # a reassignment wants someone else; a new dispatch (after rework) may reuse anyone
    reassigning = r.state.engineer and r.state.stage == Stage.DISPATCHED
    request = AutoAssignRequest(
        region=r.state.region,
        category=r.start.asset_category,
        exclude=[r.state.engineer] if reassigning and r.state.engineer else [],
        key_account=r.state.key_account,
    )
    chosen: EngineerInfo | None = await r.activity(
        ActivityName.AUTO_ASSIGN, request, EngineerInfo | None, "auto-assign engineer"
    )
    return chosen

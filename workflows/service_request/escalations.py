"""Breaches and escalations (升级): the profile's levels as they fall due, and the alarms the
workflow raises by itself (nobody to send, no loaner free, a refused signature)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from temporalio import workflow

from workflows.rejections import CONFLICT, reject
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.lifecycle import Role
    from models.state import CustomerEscalation, EscalationRecord, OwnEscalation
    from workflows.service_request.timeline import SYSTEM


def account_for_time_passed(r: Request, now: datetime) -> None:
    """Percentage levels first (100 % fires with the breach), then the breaches, then the
    levels counted from the breach."""
    fire_due(r, now)
    for name, due in r.clocks.breach_overdue(now):
        r.emit("clock_breached", SYSTEM, {"clock": name, "due": due.isoformat()})
    fire_due(r, now)


def fire_due(r: Request, now: datetime) -> None:
    for clock, point in r.clocks.due_escalations(now):
        escalate(
            r,
            clock,
            point.level,
            point.notify,
            point.notify_at or now,
            point.at_percent,
            quiet_checked=True,
        )


def escalate(
    r: Request,
    clock: str,
    level: int,
    roles: list[str],
    notify_at: datetime,
    at_percent: int | None = None,
    *,
    quiet_checked: bool = False,
) -> None:
    """A level of the profile's escalation rules fires."""
    _record(r, clock, level, "level", roles, notify_at, at_percent, None)
    r.notices.hold(
        notify_at,
        kind="escalation",
        key=f"escalation/{clock}/{level}/{len(r.state.escalations)}",
        recipients=roles,
        data={"clock": clock, "level": str(level), "reason": ""},
        quiet_checked=quiet_checked,
    )


def alarm(r: Request, clock: str, kind: OwnEscalation, roles: list[str], reason: str) -> None:
    """The workflow escalates by itself: no level of the profile, a reason, told now."""
    now = workflow.now()
    _record(r, clock, None, kind, roles, now, None, reason)
    r.notices.hold(
        now,
        kind="escalation",
        key=f"escalation/{clock}/0/{len(r.state.escalations)}",
        recipients=roles,
        data={"clock": clock, "level": "", "reason": reason},
    )


def check_customer_escalation(r: Request, body: a.EscalateBody, role: Role, current: bool) -> None:
    levels = r.profile.customer_escalation.levels
    done = r.state.customer_escalations
    if len(done) >= len(levels):
        last = done[-1]
        raise reject(
            CONFLICT,
            f"already escalated to the last level ({last.level}, {', '.join(last.notified)} "
            f"told at {last.at.isoformat()})",
        )


async def customer_escalation(r: Request, actor: a.Actor, body: a.EscalateBody) -> None:
    """The next level hears it now, whatever the quiet calendar says: a person asked."""
    now = workflow.now()
    level = len(r.state.customer_escalations) + 1
    roles = r.profile.customer_escalation.levels[level - 1]
    r.state.customer_escalations.append(
        CustomerEscalation(level=level, reason=body.reason, by=actor.label, at=now, notified=roles)
    )
    r.emit("customer_escalated", actor, {"level": level, "reason": body.reason})
    _record(r, "customer", None, "customer", roles, now, None, body.reason)
    r.notices.hold(
        now,
        kind="customer_escalated",
        key=f"customer-escalation/{level}",
        recipients=roles,
        data={"level": str(level), "reason": body.reason, "by": actor.label},
        quiet_checked=True,
    )


def _record(
    r: Request,
    clock: str,
    level: int | None,
    kind: Literal["level"] | OwnEscalation,
    roles: list[str],
    notify_at: datetime,
    at_percent: int | None,
    reason: str | None,
) -> None:
    r.state.escalations.append(
        EscalationRecord(
            clock=clock,
            level=level,
            kind=kind,
            at=workflow.now(),
            notified=roles,
            at_percent=at_percent,
        )
    )
    data = {"clock": clock, "level": level, "kind": kind, "notify": roles}
    data |= {"notify_at": notify_at.isoformat()} | ({"reason": reason} if reason else {})
    r.emit("escalated", SYSTEM, data)

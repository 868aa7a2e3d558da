"""What operations watches, counted by the database: open requests by stage and SLA status,
breaches by clock and severity and escalations by level (from the timeline, which only ever
grows), outbox rows by channel and status and loaner units out. Each is one GROUP BY query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.tables import LoanerUnit, Notification, ServiceRequestRow, TimelineEventRow
from models.lifecycle import TERMINAL_STAGES


@dataclass(frozen=True)
class Operations:
    #: (stage, sla_status) -> open requests.
    open_requests: dict[tuple[str, str], int]
    #: (clock, severity) -> breaches ever recorded.
    breaches: dict[tuple[str, int], int]
    #: (clock, level or the workflow's kind) -> escalations ever recorded.
    escalations: dict[tuple[str, str], int]
    #: (channel, status) -> outbox rows.
    notifications: dict[tuple[str, str], int]
    loaners_out: int


def operations(session: Session) -> Operations:
    open_rows = session.execute(
        select(ServiceRequestRow.stage, ServiceRequestRow.sla_status, func.count())
        .where(ServiceRequestRow.stage.not_in(sorted(TERMINAL_STAGES)))
        .group_by(ServiceRequestRow.stage, ServiceRequestRow.sla_status)
    )
    clock = TimelineEventRow.data["clock"].as_string()
    breach_rows = session.execute(
        select(clock, ServiceRequestRow.severity, func.count())
        .join(ServiceRequestRow, ServiceRequestRow.number == TimelineEventRow.number)
        .where(TimelineEventRow.kind == "clock_breached")
        .group_by(clock, ServiceRequestRow.severity)
    )
    level = TimelineEventRow.data["level"].as_string()
    kind = TimelineEventRow.data["kind"].as_string()
    escalation_rows = session.execute(
        select(clock, level, kind, func.count())
        .where(TimelineEventRow.kind == "escalated")
        .group_by(clock, level, kind)
    )
    escalations: dict[tuple[str, str], int] = {}
    for name, at_level, what, n in escalation_rows:
        key = (str(name), str(at_level) if at_level not in (None, "") else str(what or "other"))
        escalations[key] = escalations.get(key, 0) + int(n)
    notifications = session.execute(
        select(Notification.channel, Notification.status, func.count()).group_by(
            Notification.channel, Notification.status
        )
    )
    loaners = session.scalar(
        select(func.count()).select_from(LoanerUnit).where(LoanerUnit.status == "issued")
    )
    return Operations(
        open_requests={(str(s), str(v)): int(n) for s, v, n in open_rows},
        breaches={(str(c), int(s)): int(n) for c, s, n in breach_rows},
        escalations=escalations,
        notifications={(str(c), str(s)): int(n) for c, s, n in notifications},
        loaners_out=int(loaners or 0),
    )

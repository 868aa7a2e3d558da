"""One SELECT per family of figures: a row per thing counted, with its request number, its
group (`g`) and a column per figure (1/0 flags, or values to average). The report sums and
averages these rows; "the requests behind a figure" are the same rows where its flag is 1,
so a figure and its list can never disagree."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from db.tables import (
    ComplaintRow,
    Customer,
    RequestClockRow,
    RevisitCallRow,
    ServiceRequestRow,
    TimelineEventRow,
    UtcDateTime,
)
from kpi.periods import Bucket, Period, bucket_index
from kpi.sql import epoch
from models.kpi import TIME_GROUPINGS, Grouping
from models.lifecycle import OPEN_STAGES

#: A family's rows (any columns).
Facts: TypeAlias = Select[*tuple[Any, ...]]
R, C, T = ServiceRequestRow, RequestClockRow, TimelineEventRow
V, M = RevisitCallRow, ComplaintRow
#: A repair done on site, and every way a request was resolved.
FIXED_ON_SITE = ("fixed", "replaced")
RESOLVED = (*FIXED_ON_SITE, "resolved_remotely")


@dataclass(frozen=True)
class Scope:
    period: Period
    grouping: Grouping | None
    #: The period's buckets when grouped by day, week or month.
    bounds: list[Bucket]
    now: datetime

    @property
    def start(self) -> datetime:
        return self.period.start

    @property
    def end(self) -> datetime:
        return self.period.end

    def within(self, instant: Any) -> ColumnElement[bool]:
        return and_(instant >= self.start, instant < self.end)

    def group(self, instant: Any, dims: Mapping[str, Any]) -> ColumnElement[Any]:
        """The row's group: its bucket of the period, or its value of the dimension."""
        if self.grouping is None:
            return literal("all").label("g")
        if self.grouping in TIME_GROUPINGS:
            return bucket_index(instant, self.bounds).label("g")
        column: ColumnElement[Any] = dims[self.grouping]
        return column.label("g")


def flag(condition: Any) -> ColumnElement[int]:
    """1 where `condition` holds, else 0 (summed into a count)."""
    return case((condition, 1), else_=0)


def _request_dims(engineer: Any = R.engineer_id) -> dict[str, Any]:
    return {
        "engineer": engineer,
        "region": R.region,
        "severity": R.severity,
        "customer": R.customer_id,
        "type": R.type,
    }


def clocks_ended(scope: Scope) -> Facts:
    """Clocks that ended in the period (reached, or breached and never reached before the
    request ended), with the engineer they ended under."""
    return (
        select(
            C.number,
            C.clock,
            scope.group(C.ended_at, _request_dims(C.engineer_id)),
            literal(1).label("ended"),
            flag(~C.breached).label("met"),
            flag(C.breached).label("breached"),
            C.business_minutes,
            C.wall_minutes,
        )
        .join(R, R.number == C.number)
        .where(scope.within(C.ended_at))
    )


def clocks_breached_running(scope: Scope) -> Facts:
    """Clocks due in the period, breached, whose goal is still not reached."""
    return (
        select(
            C.number,
            C.clock,
            scope.group(C.due, _request_dims()),
            literal(1).label("breached_running"),
        )
        .join(R, R.number == C.number)
        .where(C.status == "breached", C.ended_at.is_(None), scope.within(C.due))
    )


def requests_closed(scope: Scope) -> Facts:
    """Requests that ended in the period, with how their repair went (visits, parts waits
    and reworks, counted from the timeline at the close: `db.kpi_facts.repair_moves`) and
    whether it repeated an earlier repair, or a later request repeated it
    (`db.kpi_facts.repeated_repair`)."""
    later = aliased(R)
    repeated = R.number.in_(select(later.repeats).where(later.repeats.is_not(None)))
    cancelled = R.outcome == "cancelled"
    on_site = R.outcome.in_(FIXED_ON_SITE)
    first_time = and_(
        on_site,
        R.visits == 1,
        R.parts_waits == 0,
        R.reworks == 0,
        ~repeated,
    )
    return select(
        R.number,
        scope.group(R.closed_at, _request_dims()),
        flag(~cancelled).label("closed"),
        flag(cancelled).label("cancelled"),
        flag(R.outcome.in_(RESOLVED)).label("resolved"),
        flag(R.outcome == "resolved_remotely").label("resolved_remotely"),
        flag(on_site).label("fixed_on_site"),
        flag(first_time).label("first_time_fixes"),
        flag(and_(~cancelled, R.repeats.is_not(None))).label("repeat_repairs"),
    ).where(scope.within(R.closed_at))


def loans(scope: Scope) -> Facts:
    """Loaner units issued in the period, and the days each was out (to its return, or to
    now while the customer still has it)."""
    issued, returned = aliased(T), aliased(T)
    until = func.coalesce(returned.at, literal(scope.now, UtcDateTime()))
    return (
        select(
            issued.number,
            scope.group(issued.at, _request_dims()),
            literal(1).label("issued"),
            ((epoch(until) - epoch(issued.at)) / 86400.0).label("loaner_days"),
        )
        .join(R, R.number == issued.number)
        .outerjoin(
            returned, and_(returned.number == issued.number, returned.kind == "loaner_returned")
        )
        .where(issued.kind == "loaner_issued", scope.within(issued.at))
    )


def escalations(scope: Scope) -> Facts:
    """Escalations raised in the period: the profile's level, or the workflow's own kind."""
    level = func.coalesce(T.data["level"].as_string(), T.data["kind"].as_string())
    return (
        select(T.number, scope.group(T.at, _request_dims()), level.label("level"))
        .join(R, R.number == T.number)
        .where(T.kind == "escalated", scope.within(T.at))
    )


def revisits(scope: Scope) -> Facts:
    """Revisit calls due in the period (after a request closed, and periodic ones)."""
    dims = _request_dims(V.engineer) | {"customer": V.customer_id, "region": Customer.region}
    answered = V.status == "answered"
    return (
        select(
            V.number,
            scope.group(V.due, dims),
            literal(1).label("due"),
            flag(answered).label("done"),
            flag(V.status == "unreachable").label("unreachable"),
            case((answered, V.satisfaction)).label("satisfaction"),
            case((answered, V.attitude)).label("attitude"),
            case((answered, flag(V.satisfaction >= 4))).label("satisfied"),
            case((and_(answered, V.solved.is_not(None)), flag(~V.solved))).label("not_solved"),
        )
        .join(Customer, Customer.id == V.customer_id)
        .outerjoin(R, R.number == V.number)
        .where(scope.within(V.due))
    )


def complaints(scope: Scope) -> Facts:
    """Complaints opened in the period, and whether each was answered by its due instant."""
    dims = _request_dims() | {"customer": M.customer_id, "region": Customer.region}
    answered = M.responded_at.is_not(None)
    return (
        select(
            M.about.label("number"),
            scope.group(M.opened_at, dims),
            literal(1).label("opened"),
            flag(and_(answered, M.responded_at <= M.respond_by)).label("answered_in_time"),
            flag(and_(answered, M.responded_at > M.respond_by)).label("answered_late"),
            flag(~answered).label("still_open"),
        )
        .join(Customer, Customer.id == M.customer_id)
        .outerjoin(R, R.number == M.about)
        .where(scope.within(M.opened_at))
    )


def backlog(scope: Scope) -> Facts:
    """Requests open now (whatever the period), with their age in hours."""
    untimed = scope if scope.grouping not in TIME_GROUPINGS else _untimed(scope)
    age = (epoch(literal(scope.now, UtcDateTime())) - epoch(R.reported_at)) / 3600.0
    return select(
        R.number,
        untimed.group(R.reported_at, _request_dims()),
        R.stage,
        R.sla_status,
        age.label("age_hours"),
    ).where(R.stage.in_(sorted(OPEN_STAGES)))


def _untimed(scope: Scope) -> Scope:
    return Scope(scope.period, None, [], scope.now)


#: Every family by name, as the figures' names start ("clocks.…", "requests.…").
FAMILIES: dict[str, Callable[[Scope], Facts]] = {
    "clocks": clocks_ended,
    "breached_running": clocks_breached_running,
    "requests": requests_closed,
    "loaners": loans,
    "escalations": escalations,
    "revisits": revisits,
    "complaints": complaints,
    "backlog": backlog,
}

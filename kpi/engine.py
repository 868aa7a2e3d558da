"""The KPI report of a period: the families of `kpi.facts` summed and averaged by the
database, per group and in total, and the requests behind any one figure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.tables import Customer, Engineer, ServiceRequestRow
from kpi import facts
from kpi.facts import Scope
from kpi.periods import Period, buckets
from kpi.sql import p90
from models.common import ClockName
from models.kpi import (
    TIME_GROUPINGS,
    BacklogEntry,
    ClockFigures,
    EngineerLoad,
    Grouping,
    KpiGroup,
    KpiReport,
    Spread,
)
from models.lifecycle import OPEN_STAGES

ALL = "all"


class UnknownFigure(ValueError):
    """A figure the report does not have, or a group it does not have (`field`: which)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def scope_of(period: Period, grouping: Grouping | None, now: datetime | None = None) -> Scope:
    bounds = buckets(period, grouping) if grouping in TIME_GROUPINGS else []
    return Scope(period, grouping, bounds, now or datetime.now(UTC))


def kpi_report(
    session: Session, period: Period, grouping: Grouping | None, now: datetime | None = None
) -> KpiReport:
    scope = scope_of(period, grouping, now)
    groups = _groups(session, scope)
    total = _groups(session, scope_of(period, None, scope.now)).get(ALL) or KpiGroup(
        key=ALL, label="合计"
    )
    total.label = "合计"
    if grouping in TIME_GROUPINGS:  # every bucket, empty or not, for the charts
        ordered = []
        for index, bucket in enumerate(scope.bounds):
            found = groups.get(str(index)) or KpiGroup(key="", label="")
            found.key = found.label = bucket.label
            ordered.append(found)
    else:
        ordered = sorted(groups.values(), key=lambda g: g.key)
        _label(session, grouping, ordered)
    return KpiReport(
        first=period.first,
        last=period.last,
        timezone=period.timezone,
        group_by=grouping,
        generated_at=scope.now,
        groups=ordered,
        total=total,
        backlog=_backlog(session, scope),
        engineers=_engineers(session, scope),
    )


def _groups(session: Session, scope: Scope) -> dict[str, KpiGroup]:
    groups: dict[str, KpiGroup] = {}

    def group(key: Any) -> KpiGroup:
        name = "—" if key is None else str(key)
        return groups.setdefault(name, KpiGroup(key=name, label=name))

    _clocks(session, scope, group)
    for key, row in _sums(session, facts.requests_closed(scope)):
        group(key).requests = group(key).requests.model_validate(_rates_of_requests(row))
    for key, row in _sums(session, facts.loans(scope)):
        group(key).loaners = group(key).loaners.model_validate(
            {"issued": row["issued"], "loaner_days": round(row["loaner_days"], 2)}
        )
    escalations = facts.escalations(scope).subquery()
    for key, level, n in session.execute(
        select(escalations.c.g, escalations.c.level, func.count()).group_by(
            escalations.c.g, escalations.c.level
        )
    ):
        group(key).escalations[str(level)] = int(n)
    _revisits(session, scope, group)
    for key, row in _sums(session, facts.complaints(scope)):
        target = group(key)
        closed = target.requests.closed
        target.complaints = target.complaints.model_validate(
            row | {"per_100_closed": round(100 * row["opened"] / closed, 1) if closed else None}
        )
    return groups


def _sums(session: Session, family: facts.Facts) -> Iterable[tuple[Any, dict[str, Any]]]:
    """SUM of every figure column (all but number and g) per group."""
    rows = family.subquery()
    names = [c.name for c in rows.c if c.name not in ("number", "g")]
    query = select(rows.c.g, *(func.sum(rows.c[n]).label(n) for n in names)).group_by(rows.c.g)
    for key, *values in session.execute(query):
        yield (
            key,
            {
                n: float(v or 0) if n in _MEASURES else int(v or 0)
                for n, v in zip(names, values, strict=True)
            },
        )


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rates_of_requests(row: dict[str, Any]) -> dict[str, Any]:
    return row | {
        "remote_resolution_rate": _rate(row["resolved_remotely"], row["resolved"]),
        "first_time_fix_rate": _rate(row["first_time_fixes"], row["fixed_on_site"]),
    }


def _round(value: Any, scale: float, digits: int) -> float | None:
    return None if value is None else round(scale * float(value), digits)


def _mean(value: Any) -> float | None:
    return _round(value, 1, 1)


def _clocks(session: Session, scope: Scope, group: Any) -> None:
    ended = facts.clocks_ended(scope).subquery()
    sums = select(
        ended.c.g,
        ended.c.clock,
        func.count(),
        func.sum(ended.c.met),
        func.sum(ended.c.breached),
        func.avg(ended.c.business_minutes),
        func.avg(ended.c.wall_minutes),
    ).group_by(ended.c.g, ended.c.clock)
    for key, clock, n, met, breached, business, wall in session.execute(sums):
        group(key).clocks[ClockName(clock)] = ClockFigures(
            ended=n,
            met=int(met),
            breached=int(breached),
            compliance=_rate(int(met), n),
            business_minutes=Spread(mean=_mean(business)),
            wall_minutes=Spread(mean=_mean(wall)),
        )
    for column in ("business_minutes", "wall_minutes"):
        for key, clock, value in session.execute(p90(ended, column, "g", "clock")):
            spread: Spread = getattr(group(key).clocks[ClockName(clock)], column)
            spread.p90 = _mean(value)
    running = facts.clocks_breached_running(scope).subquery()
    for key, clock, n in session.execute(
        select(running.c.g, running.c.clock, func.count()).group_by(running.c.g, running.c.clock)
    ):
        group(key).clocks[ClockName(clock)].breached_running = int(n)


def _revisits(session: Session, scope: Scope, group: Any) -> None:
    calls = facts.revisits(scope).subquery()
    query = select(
        calls.c.g,
        func.count(),
        func.sum(calls.c.done),
        func.sum(calls.c.unreachable),
        func.avg(calls.c.satisfaction),
        func.avg(calls.c.attitude),
        func.avg(calls.c.satisfied),
        func.avg(calls.c.not_solved),
    ).group_by(calls.c.g)
    for (
        key,
        due,
        done,
        unreachable,
        satisfaction,
        attitude,
        satisfied,
        not_solved,
    ) in session.execute(query):
        done, unreachable = int(done), int(unreachable)
        group(key).revisits = group(key).revisits.model_validate(
            {
                "due": due,
                "done": done,
                "unreachable": unreachable,
                "unreachable_rate": _rate(unreachable, done + unreachable),
                "satisfaction_mean": _round(satisfaction, 1, 2),
                "attitude_mean": _round(attitude, 1, 2),
                "satisfied_share": _round(satisfied, 100, 1),
                "not_solved_rate": _round(not_solved, 100, 1),
            }
        )


def _backlog(session: Session, scope: Scope) -> list[BacklogEntry]:
    rows = facts.backlog(scope).subquery()
    query = select(
        rows.c.g,
        rows.c.stage,
        rows.c.sla_status,
        func.count(),
        func.avg(rows.c.age_hours),
        func.max(rows.c.age_hours),
    ).group_by(rows.c.g, rows.c.stage, rows.c.sla_status)
    return sorted(
        (
            BacklogEntry(
                key="—" if key is None else str(key),
                stage=stage,
                sla_status=status,
                open=n,
                mean_age_hours=round(float(mean), 1),
                oldest_age_hours=round(float(oldest), 1),
            )
            for key, stage, status, n, mean, oldest in session.execute(query)
        ),
        key=lambda e: (e.key, e.stage, e.sla_status),
    )


def _engineers(session: Session, scope: Scope) -> list[EngineerLoad]:
    R = ServiceRequestRow
    open_ = func.sum(facts.flag(R.stage.in_(sorted(OPEN_STAGES))))
    closed = func.sum(facts.flag(scope.within(R.closed_at) & (R.outcome != "cancelled")))
    counted = (
        select(R.engineer_id, open_.label("open"), closed.label("closed"))
        .where(R.engineer_id.is_not(None))
        .group_by(R.engineer_id)
        .subquery()
    )
    query = select(
        Engineer.id,
        Engineer.name,
        func.coalesce(counted.c.open, 0),
        func.coalesce(counted.c.closed, 0),
    ).outerjoin(counted, counted.c.engineer_id == Engineer.id)
    return [
        EngineerLoad(engineer_id=i, name=name, open_assignments=int(o), closed_in_period=int(c))
        for i, name, o, c in session.execute(query.order_by(Engineer.id))
    ]


def _label(session: Session, grouping: Grouping | None, groups: list[KpiGroup]) -> None:
    names: dict[str, str] = {}
    if grouping == "engineer":
        names = {i: name for i, name in session.execute(select(Engineer.id, Engineer.name))}
    elif grouping == "customer":
        names = {i: name for i, name in session.execute(select(Customer.id, Customer.name))}
    for group in groups:
        if grouping == "severity" and group.key != "—":
            group.label = f"S{group.key}"
        else:
            group.label = names.get(group.key, group.key)


_CLOCK_FAMILIES = ("clocks", "breached_running")
#: Summed columns that are amounts, not counts.
_MEASURES = frozenset({"loaner_days"})
#: Columns of the families that are not 1/0 flags of a figure.
_NOT_FLAGS = frozenset(
    {"number", "g", "clock", "level", "stage", "sla_status"}
    | {"business_minutes", "wall_minutes", "loaner_days", "satisfaction", "attitude", "age_hours"}
)


def requests_behind(
    session: Session, period: Period, grouping: Grouping | None, figure: str, key: str | None
) -> list[str]:
    """The request numbers a figure of the report counts (`clocks.response.breached`,
    `requests.first_time_fixes`, `escalations.2`, `backlog.on_site`, …), in one group
    (`key`) or in total."""
    scope = scope_of(period, grouping)
    family, *parts = figure.split(".")
    where: list[Any] = []
    clock: str | None
    column: str | None
    if family == "clocks" and len(parts) == 2 and parts[0] in set(ClockName):
        clock, column = parts
        family = "breached_running" if column == "breached_running" else family
    elif family in ("escalations", "backlog") and len(parts) <= 1:
        clock, column = None, (parts[0] if parts else None)
    elif family in facts.FAMILIES and family not in _CLOCK_FAMILIES and len(parts) == 1:
        clock, column = None, parts[0]
    else:
        raise UnknownFigure("figure", f"the report has no figure {figure!r}")
    rows = facts.FAMILIES[family](scope).subquery()
    if clock is not None:
        where.append(rows.c.clock == clock)
    if family == "escalations":
        if column is None:
            raise UnknownFigure("figure", f"the report has no figure {figure!r}")
        where.append(rows.c.level == column)
    elif family == "backlog":
        if column is not None:
            where.append(rows.c.stage == column)
    elif column is None or column in _NOT_FLAGS or column not in rows.c:
        raise UnknownFigure("figure", f"the report has no figure {figure!r}")
    else:
        where.append(rows.c[column] == 1)
    if key is not None and grouping is not None:
        where.append(rows.c.g == _group_value(scope, key))
    query = select(rows.c.number).where(*where, rows.c.number.is_not(None)).distinct()
    return sorted(str(n) for n in session.scalars(query))


def _group_value(scope: Scope, key: str) -> Any:
    if scope.grouping in TIME_GROUPINGS:
        labels = [b.label for b in scope.bounds]
        if key not in labels:
            raise UnknownFigure("key", f"no {scope.grouping} {key} in the period")
        return labels.index(key)
    if scope.grouping == "severity":
        if not key.isdigit():
            raise UnknownFigure("key", f"no severity {key}")
        return int(key)
    return key

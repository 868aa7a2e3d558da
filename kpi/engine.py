"""The KPI report of a period: the families of `kpi.facts` summed and averaged by the
database, per group and in total, and the requests behind any one figure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.tables import Customer, Engineer, ServiceRequestRow
from kpi import facts
from kpi import figures as F
from kpi.facts import Scope
from kpi.periods import Period, buckets
from models.common import ClockName
from models.kpi import (
    TIME_GROUPINGS,
    BacklogEntry,
    EngineerLoad,
    Grouping,
    KpiGroup,
    KpiReport,
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
    groups, total = _groups(session, scope)
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


def _name(key: Any) -> str:
    return "—" if key is None else str(key)


def _groups(session: Session, scope: Scope) -> tuple[dict[str, KpiGroup], KpiGroup]:
    """Every group's figures and the total's, from one set of sums per family."""
    groups: dict[str, KpiGroup] = {}
    total = KpiGroup(key=ALL, label="合计")

    def group(key: Any) -> KpiGroup:
        return groups.setdefault(_name(key), KpiGroup(key=_name(key), label=_name(key)))

    _clocks(session, scope, group, total)
    families = (
        (facts.requests_closed, "requests", F.request_figures),
        (facts.loans, "loaners", F.loaner_figures),
        (facts.revisits, "revisits", F.revisit_figures),
    )
    for family, field, figures in families:
        per_group = F.sums(session, family(scope))
        for (key,), counted in per_group.items():
            setattr(group(key), field, figures(counted))
        for counted in F.rolled_up(per_group).values():
            setattr(total, field, figures(counted))
    escalations = F.sums(session, facts.escalations(scope), by=("g", "level"))
    for (key, level), counted in escalations.items():
        group(key).escalations[str(level)] = F.count(counted)
    for (level,), counted in F.rolled_up(escalations, keep=1).items():
        total.escalations[str(level)] = F.count(counted)
    complaints = F.sums(session, facts.complaints(scope))
    for (key,), counted in complaints.items():
        group(key).complaints = F.complaint_figures(counted, group(key).requests.closed)
    for counted in F.rolled_up(complaints).values():
        total.complaints = F.complaint_figures(counted, total.requests.closed)
    return groups, total


def _clocks(session: Session, scope: Scope, group: Any, total: KpiGroup) -> None:
    ended = facts.clocks_ended(scope)
    per_group = F.sums(session, ended, by=("g", "clock"))
    running = F.sums(session, facts.clocks_breached_running(scope), by=("g", "clock"))
    rows = ended.subquery()
    business, wall = (F.p90s(session, rows, c) for c in ("business_minutes", "wall_minutes"))
    for key, clock in per_group.keys() | running.keys():
        group(key).clocks[ClockName(clock)] = F.clock_figures(
            per_group.get((key, clock), F.Sums()),
            F.count(running.get((key, clock), F.Sums())),
            (business[0].get((key, clock)), wall[0].get((key, clock))),
        )
    ended_total, running_total = F.rolled_up(per_group, keep=1), F.rolled_up(running, keep=1)
    for (clock,) in ended_total.keys() | running_total.keys():
        total.clocks[ClockName(clock)] = F.clock_figures(
            ended_total.get((clock,), F.Sums()),
            F.count(running_total.get((clock,), F.Sums())),
            (business[1].get(clock), wall[1].get(clock)),
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
        .where(
            R.engineer_id.is_not(None), R.stage.in_(sorted(OPEN_STAGES)) | scope.within(R.closed_at)
        )
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
    no_such = UnknownFigure("figure", f"the report has no figure {figure!r}")
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
        raise no_such
    rows = facts.FAMILIES[family](scope).subquery()
    if clock is not None:
        where.append(rows.c.clock == clock)
    if family == "escalations":
        if column is None:
            raise no_such
        where.append(rows.c.level == column)
    elif family == "backlog":
        if column is not None:
            where.append(rows.c.stage == column)
    elif column is None or column in _NOT_FLAGS or column not in rows.c:
        raise no_such
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

"""The report's figures from sums: each family's rows are summed and counted per group by the
database, once; the totals are those sums added up (every row is in exactly one group), and a
mean is a sum over its count. Only the p90, which does not add up, is asked for the groups
and the total, in one pass (`p90s`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, func, or_, over, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from db.upserts import dialect_of
from kpi.facts import Facts
from models.kpi import (
    ClockFigures,
    ComplaintFigures,
    LoanerFigures,
    RequestFigures,
    RevisitFigures,
    Spread,
)

#: Columns that say which row it is, not what it counts.
KEYS = frozenset({"number", "g", "clock", "level", "stage", "sla_status"})
#: The count of the rows themselves.
ROWS = "rows"


class Sums(defaultdict[str, float]):
    """Summed columns by name (`x#n`: how many rows had one); absent ones are 0."""

    def __init__(self) -> None:
        super().__init__(float)

    def add(self, other: Sums) -> None:
        for name, value in other.items():
            self[name] += value


def sums(
    session: Session, family: Facts, by: Sequence[str] = ("g",)
) -> dict[tuple[Any, ...], Sums]:
    """SUM and COUNT (non-null) of each counted column of the family, per `by`; `x#n` is the
    count of `x`."""
    rows = family.subquery()
    names = [c.name for c in rows.c if c.name not in KEYS]
    query = select(
        *(rows.c[b] for b in by),
        func.count().label(ROWS),
        *(func.sum(rows.c[n]) for n in names),
        *(func.count(rows.c[n]) for n in names),
    ).group_by(*(rows.c[b] for b in by))
    found: dict[tuple[Any, ...], Sums] = {}
    for row in session.execute(query):
        key, values = tuple(row[: len(by)]), row[len(by) :]
        counted = Sums()
        counted[ROWS] = int(values[0])
        for n, total, count in zip(
            names, values[1 : 1 + len(names)], values[1 + len(names) :], strict=True
        ):
            counted[n], counted[f"{n}#n"] = float(total or 0), int(count)
        found[key] = counted
    return found


def rolled_up(
    per_key: Mapping[tuple[Any, ...], Sums], keep: int = 0
) -> dict[tuple[Any, ...], Sums]:
    """The sums added up over the first key (the group), keeping the next `keep` keys."""
    total: dict[tuple[Any, ...], Sums] = {}
    for key, counted in per_key.items():
        total.setdefault(key[1 : 1 + keep], Sums()).add(counted)
    return total


def p90s(
    session: Session, rows: Subquery, value: str
) -> tuple[dict[tuple[Any, Any], float], dict[Any, float]]:
    """The 90th percentile of `value` (nearest rank: the ⌈0.9·n⌉-th smallest) per (group,
    clock) and per clock over every group: PostgreSQL's `percentile_disc`, which is that
    rank, else with window functions in one pass."""
    x = rows.c[value]
    if dialect_of(session) == "postgresql":
        query = (
            select(
                func.grouping(rows.c.g),
                rows.c.g,
                rows.c.clock,
                func.percentile_disc(0.9).within_group(x),
            )
            .where(x.is_not(None))
            .group_by(func.grouping_sets(tuple_(rows.c.g, rows.c.clock), tuple_(rows.c.clock)))
        )
        by_group: dict[tuple[Any, Any], float] = {}
        by_clock: dict[Any, float] = {}
        for rolled, g, clock, value in session.execute(query):
            if rolled:
                by_clock[clock] = float(value)
            else:
                by_group[(g, clock)] = float(value)
        return by_group, by_clock
    grouped, whole = [rows.c.g, rows.c.clock], [rows.c.clock]
    ranked = (
        select(
            rows.c.g,
            rows.c.clock,
            x.label("x"),
            over(func.row_number(), partition_by=grouped, order_by=x).label("rank_g"),
            over(func.count(), partition_by=grouped).label("n_g"),
            over(func.row_number(), partition_by=whole, order_by=x).label("rank_t"),
            over(func.count(), partition_by=whole).label("n_t"),
        )
        .where(x.is_not(None))
        .subquery()
    )

    def nearest(rank: Any, n: Any) -> Any:
        return rank == (9 * n.cast(Integer) + 9) // 10

    query = select(
        ranked.c.g,
        ranked.c.clock,
        ranked.c.x,
        nearest(ranked.c.rank_g, ranked.c.n_g),
        nearest(ranked.c.rank_t, ranked.c.n_t),
    ).where(or_(nearest(ranked.c.rank_g, ranked.c.n_g), nearest(ranked.c.rank_t, ranked.c.n_t)))
    by_group, by_clock = {}, {}
    result: Any = session.execute(query)
    for g, clock, v, of_group, of_total in result:
        if of_group:
            by_group[(g, clock)] = float(v)
        if of_total:
            by_clock[clock] = float(v)
    return by_group, by_clock


# ----------------------------------------------------------------- figures from sums
def count(counted: Sums, name: str = ROWS) -> int:
    return int(counted[name])


def rate(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def mean(counted: Sums, column: str, scale: float = 1, digits: int = 1) -> float | None:
    n = counted[f"{column}#n"]
    return round(scale * counted[column] / n, digits) if n else None


def _int(counted: Sums, *names: str) -> dict[str, int]:
    return {name: int(counted[name]) for name in names}


def clock_figures(
    counted: Sums, running: int, p90: tuple[float | None, float | None]
) -> ClockFigures:
    """`p90`: of the business and of the wall minutes."""
    return ClockFigures(
        **_int(counted, "ended", "met", "breached"),
        compliance=rate(counted["met"], counted["ended"]),
        business_minutes=Spread(mean=mean(counted, "business_minutes"), p90=_round(p90[0])),
        wall_minutes=Spread(mean=mean(counted, "wall_minutes"), p90=_round(p90[1])),
        breached_running=running,
    )


def request_figures(counted: Sums) -> RequestFigures:
    return RequestFigures(
        **_int(
            counted,
            "closed",
            "cancelled",
            "resolved",
            "resolved_remotely",
            "fixed_on_site",
            "first_time_fixes",
            "repeat_repairs",
        ),
        remote_resolution_rate=rate(counted["resolved_remotely"], counted["resolved"]),
        first_time_fix_rate=rate(counted["first_time_fixes"], counted["fixed_on_site"]),
    )


def loaner_figures(counted: Sums) -> LoanerFigures:
    return LoanerFigures(
        issued=int(counted["issued"]), loaner_days=round(counted["loaner_days"], 2)
    )


def revisit_figures(counted: Sums) -> RevisitFigures:
    done, unreachable = int(counted["done"]), int(counted["unreachable"])
    return RevisitFigures(
        due=int(counted["due"]),
        done=done,
        unreachable=unreachable,
        unreachable_rate=rate(unreachable, done + unreachable),
        satisfaction_mean=mean(counted, "satisfaction", digits=2),
        attitude_mean=mean(counted, "attitude", digits=2),
        satisfied_share=mean(counted, "satisfied", scale=100),
        not_solved_rate=mean(counted, "not_solved", scale=100),
    )


def complaint_figures(counted: Sums, closed: int) -> ComplaintFigures:
    return ComplaintFigures(
        **_int(counted, "opened", "answered_in_time", "answered_late", "still_open"),
        per_100_closed=rate(counted["opened"], closed),
    )

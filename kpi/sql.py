"""What SQLite and PostgreSQL spell differently, as constructs that compile for each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, func, over, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery


class epoch(FunctionElement[float]):
    """Seconds since 1970 of an instant."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


def p90(facts: Subquery, value: str, *by: str) -> Any:
    """The 90th percentile of `value` per `by` (nearest rank: the ⌈0.9·n⌉-th smallest), with
    window functions, which both databases have."""
    keys = [facts.c[name] for name in by]
    x: ColumnElement[Any] = facts.c[value]
    ranked = (
        select(
            *keys,
            x.label("x"),
            over(func.row_number(), partition_by=keys, order_by=x).label("rank"),
            over(func.count(), partition_by=keys).label("n"),
        )
        .where(x.is_not(None))
        .subquery()
    )
    n = ranked.c.n.cast(Integer)
    return select(*(ranked.c[name] for name in by), ranked.c.x).where(
        ranked.c.rank == (9 * n + 9) // 10
    )

"""Idempotent writes as single statements, on SQLite and PostgreSQL alike (`INSERT … ON
CONFLICT`): what a retried activity writes lands once, and a projection only moves forward in
`version`, without reading the row first.

Each statement is built once per dialect and table and executed with the values as
parameters: building it, and SQLAlchemy's cache key of it, was most of a record's cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.tables import Base

INSERTS: dict[str, Callable[[type[Base]], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def insert_new(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> None:
    """Insert the rows whose `unique` columns are not there yet; the others stay as they are."""
    if rows:
        session.execute(_insert_new(dialect_of(session), model, tuple(unique)), list(rows))


def upsert_newer(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    key: str,
    kept: tuple[str, ...] = (),
) -> None:
    """Insert the row (every column but an autoincrement one given), or update it where the
    stored `version` is older than the new one; a `kept` column given as NULL keeps its
    stored value (a fact found once)."""
    session.execute(_upsert_newer(dialect_of(session), model, key, kept), dict(values))


def dialect_of(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in INSERTS:
        raise NotImplementedError(f"no ON CONFLICT insert for {name}")
    return name


@cache
def _insert_new(dialect: str, model: type[Base], unique: tuple[str, ...]) -> Any:
    return INSERTS[dialect](model).on_conflict_do_nothing(index_elements=list(unique))


@cache
def _upsert_newer(dialect: str, model: type[Base], key: str, kept: tuple[str, ...]) -> Any:
    statement = INSERTS[dialect](model)
    columns = [c.key for c in model.__table__.columns if c.key != key]
    stored = model.__table__.c
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={
            name: func.coalesce(statement.excluded[name], stored[name])
            if name in kept
            else statement.excluded[name]
            for name in columns
        },
        where=model.__table__.c.version < statement.excluded.version,
    )

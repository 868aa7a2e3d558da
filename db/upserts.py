"""Idempotent writes as single statements, on SQLite and PostgreSQL alike (`INSERT … ON
CONFLICT`): what a retried activity writes lands once, and a projection only moves forward in
`version`, without reading the row first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.tables import Base


def _insert(session: Session, model: type[Base]) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no ON CONFLICT insert for {dialect}")


def insert_new(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> None:
    """Insert the rows whose `unique` columns are not there yet; the others are left as they are."""
    if rows:
        session.execute(_insert(session, model).on_conflict_do_nothing(index_elements=unique), rows)


def upsert_newer(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    key: str,
    version: str = "version",
) -> None:
    """Insert the row, or update it where the stored `version` is older than the new one."""
    statement = _insert(session, model).values(dict(values))
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in values if name != key},
        where=getattr(model, version) < statement.excluded[version],
    )
    session.execute(statement)

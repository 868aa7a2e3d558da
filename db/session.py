"""Engines and sessions. SQLite is the embedded default; PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from config import ROOT
from db.tables import Base


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The API and the worker's activity threads write concurrently: wait for the lock
        # instead of failing at once.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode a commit then needs no fsync, only a checkpoint does: the write lock (one
    # for the whole database) is held for microseconds instead of a disk flush, which was the
    # intake's wait under load. A killed process loses nothing; a power cut may lose the
    # last commits, never the database's consistency (PostgreSQL is the production store).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


MIGRATIONS_INI = ROOT / "alembic.ini"


class LegacyDatabaseError(RuntimeError):
    """The database has the application's tables but no migration history."""


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS_INI))
    # Absolute, so the migrations are found whatever the working directory is.
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def create_schema(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` (every migration, on an empty database)."""
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        if tables & set(Base.metadata.tables) and "alembic_version" not in tables:
            raise LegacyDatabaseError(
                f"{engine.url.render_as_string(hide_password=True)} was created before the "
                "schema had migrations; start from an empty database (`make clean-data` for "
                "the embedded SQLite one)"
            )
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drop_schema(engine: Engine) -> None:
    """Drop every table, the migration history and tables no model knows included."""
    tables = MetaData()
    tables.reflect(engine)
    tables.drop_all(engine)


SessionFactory = sessionmaker[Session]


def session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session

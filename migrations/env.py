"""Alembic's entry point: migrate the application's database to a revision.

The database is never the one of a URL in alembic.ini: `db.session.create_schema` hands over
its own connection (so the tests' databases and `DATABASE_URL` work alike), and the `alembic`
command line uses `DATABASE_URL` through the application's own `make_engine`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from config import Settings
from db.session import make_engine
from db.tables import Base


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters a table by copying it: later migrations need batch operations there.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _write_sql(url: str) -> None:
    """`alembic upgrade head --sql`: the DDL as a script, for a DBA to run."""
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    config = context.config
    given: Connection | None = config.attributes.get("connection")
    if given is not None:
        _migrate(given)
        return
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = Settings.from_env().database_url
    if context.is_offline_mode():
        _write_sql(url)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


main()

"""Notification delivery: the outbox row carries what a sender needs and its delivery state.

Generated with `alembic revision --autogenerate` against a database at 0001, then reviewed:
the CHECK constraints (which autogenerate does not see) are added by hand; the columns that
are NOT NULL are added nullable, filled for the rows already queued, then made NOT NULL (SQLite
cannot add a NOT NULL column without a default to a table that has rows); `claimed_at` is the
generic timestamp with time zone, as in 0001. On SQLite the second step copies the table
(batch mode); on PostgreSQL it is plain ALTERs.

Rows queued before this revision were never sent and nobody will send them now (their notices
are stale): they become `skipped` with the reason in `last_error`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:05:31.169488
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Filled for existing rows, then NOT NULL.
REQUIRED: dict[str, sa.types.TypeEngine[Any]] = {
    "locale": sa.String(length=8),
    "addresses": sa.JSON(),
    "skipped": sa.JSON(),
    "status": sa.String(length=16),
    "attempts": sa.Integer(),
}
OPTIONAL: dict[str, sa.types.TypeEngine[Any]] = {
    "subject": sa.Text(),
    "body": sa.Text(),
    "claimed_by": sa.String(length=120),
    "claimed_at": sa.DateTime(timezone=True),
    "last_error": sa.Text(),
}
CHECKS = {
    "ck_notifications_status": "status IN ('pending','sending','sent','skipped','failed')",
    "ck_notifications_rendered": (
        "status NOT IN ('pending','sending') OR (subject IS NOT NULL AND body IS NOT NULL)"
    ),
    "ck_notifications_claimed": (
        "status <> 'sending' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL)"
    ),
}
NEVER_SENT = "queued before notifications were delivered (migration 0002); not sent"


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        for name, type_ in (REQUIRED | OPTIONAL).items():
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    _close_rows_queued_before_delivery()
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        for name, type_ in REQUIRED.items():
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(name, condition)
        batch_op.create_index(batch_op.f("ix_notifications_status"), ["status"], unique=False)


def _close_rows_queued_before_delivery() -> None:
    notifications = sa.table(
        "notifications",
        sa.column("sent_at", sa.DateTime(timezone=True)),
        *(sa.column(name, type_) for name, type_ in (REQUIRED | OPTIONAL).items()),
    )
    never_sent = notifications.c.sent_at.is_(None)
    op.execute(
        notifications.update().values(
            locale="zh",
            addresses=[],
            skipped={},
            attempts=0,
            status=sa.case((never_sent, "skipped"), else_="sent"),
            last_error=sa.case((never_sent, NEVER_SENT), else_=None),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_status"))
        for name in CHECKS:
            batch_op.drop_constraint(name, type_="check")
        for name in reversed([*REQUIRED, *OPTIONAL]):
            batch_op.drop_column(name)

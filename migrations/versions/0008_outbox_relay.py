"""The outbox relay: a notice written with a request's record is delivered by the relay, which
retries it at `next_attempt_at` (NULL: a notice whose activity delivers and retries it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch_op.create_index("ix_notifications_next_attempt_at", ["next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_next_attempt_at")
        batch_op.drop_column("next_attempt_at")

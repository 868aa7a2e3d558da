"""A deleted SLA profile keeps its versions, marked deleted: running requests read their
version by number, and a name stored again never reuses one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sla_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM sla_profiles WHERE deleted_at IS NOT NULL"))
    with op.batch_alter_table("sla_profiles", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

"""Contract schedules: the definitions the setup command re-creates in Temporal.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:41:02.776281
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_schedules",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_schedules")),
    )


def downgrade() -> None:
    op.drop_table("contract_schedules")

"""Hotline complaints without a service request: a complaint may be about no request, and
keeps how it came in and who made it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.alter_column("about", existing_type=sa.String(length=200), nullable=True)
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("UPDATE complaints SET about = number WHERE about IS NULL"))
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("channel")
        batch_op.alter_column("about", existing_type=sa.String(length=200), nullable=False)

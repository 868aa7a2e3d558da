"""Assets carry their manufacture date, purpose and maintenance interval (seed 001).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manufacture_date", sa.Date()))
        batch_op.add_column(sa.Column("purpose", sa.String(200)))
        batch_op.add_column(sa.Column("maintenance_interval_months", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("maintenance_interval_months")
        batch_op.drop_column("purpose")
        batch_op.drop_column("manufacture_date")

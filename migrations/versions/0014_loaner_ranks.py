"""Assets and loaner units carry a capability rank: a loaner is at least the rank of the
unit it stands in for (seed P19, P21). Existing units are rank 1.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capability_rank", sa.Integer()))
    with op.batch_alter_table("loaner_units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("loaner_units", schema=None) as batch_op:
        batch_op.drop_column("rank")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("capability_rank")

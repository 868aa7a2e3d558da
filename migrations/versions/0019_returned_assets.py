"""An asset returned under 三包 (退货) is marked with the day and the request (issue 15,
item 5): it is no longer the customer's. Nothing is returned yet.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_on", sa.Date()))
        batch_op.add_column(sa.Column("returned_in", sa.String(length=32)))


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("returned_in")
        batch_op.drop_column("returned_on")

"""An asset replaced by another (整机更换) links to it, with the day and the request
(issue 15, item 2). Nothing is replaced yet.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_by", sa.String(length=64)))
        batch_op.add_column(sa.Column("replaced_on", sa.Date()))
        batch_op.add_column(sa.Column("replaced_in", sa.String(length=32)))
        batch_op.create_index("ix_assets_replaced_by", ["replaced_by"])
        batch_op.create_foreign_key(
            "fk_assets_replaced_by_assets", "assets", ["replaced_by"], ["serial"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_assets_replaced_by_assets", type_="foreignkey")
        batch_op.drop_index("ix_assets_replaced_by")
        batch_op.drop_column("replaced_in")
        batch_op.drop_column("replaced_on")
        batch_op.drop_column("replaced_by")

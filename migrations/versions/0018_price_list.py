"""The price list: parts, labour per hour, travel per region (issue 15, item 10).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_items",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("kind IN ('part','labour','travel')", name="ck_price_items_kind"),
        sa.CheckConstraint("unit_price >= 0", name="ck_price_items_unit_price"),
        sa.PrimaryKeyConstraint("kind", "code", name="pk_price_items"),
    )


def downgrade() -> None:
    op.drop_table("price_items")

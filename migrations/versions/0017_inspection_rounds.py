"""An inspection round's one signature under its report, with the company's stamp (issue 15,
item 6).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_round_signatures",
        sa.Column("schedule_id", sa.String(length=160), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("signature_png", sa.Text(), nullable=True),
        sa.Column("stamp_png", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("schedule_id", "day", name="pk_inspection_round_signatures"),
    )
    op.create_index(
        "ix_inspection_round_signatures_customer_id",
        "inspection_round_signatures",
        ["customer_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_inspection_round_signatures_customer_id", table_name="inspection_round_signatures"
    )
    op.drop_table("inspection_round_signatures")

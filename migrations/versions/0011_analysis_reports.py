"""Periodic analysis reports (weekly, monthly, half-yearly), one per kind and period.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_reports",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('weekly','monthly','half_yearly')", name="ck_analysis_reports_kind"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_analysis_reports"),
        sa.UniqueConstraint("kind", "first", name="uq_analysis_reports_kind_first"),
    )


def downgrade() -> None:
    op.drop_table("analysis_reports")

"""Signing links (one-time, expiring) and the reports as customers signed them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:18:15.654337
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signed_reports",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature_png", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_signed_reports")),
    )
    op.create_table(
        "signing_links",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_signing_links")),
    )
    with op.batch_alter_table("signing_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_links_number"), ["number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signing_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_links_number"))

    op.drop_table("signing_links")
    op.drop_table("signed_reports")

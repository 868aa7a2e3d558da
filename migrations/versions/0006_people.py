"""People behind the keys: engineer and customer keys bound to their person, key expiry, the
acting person on timeline events, revisit answers and complaint answers, what a revisit call is
about, and quote links.

Engineer and customer keys issued before this revision act for nobody in particular (one key
for every customer); they are revoked here, so they answer 401 and new, bound keys are needed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE api_keys SET revoked_at = :now "
            "WHERE role IN ('engineer', 'customer') AND revoked_at IS NULL"
        ).bindparams(now=datetime.now(UTC))
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("engineer_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("customer_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_keys_engineer_id"), ["engineer_id"])
        batch_op.create_index(batch_op.f("ix_api_keys_customer_id"), ["customer_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_api_keys_engineer_id_engineers"), "engineers", ["engineer_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_keys_customer_id_customers"), "customers", ["customer_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "ck_api_keys_engineer_bound",
            "(role = 'engineer') = (engineer_id IS NOT NULL) OR revoked_at IS NOT NULL",
        )
        batch_op.create_check_constraint(
            "ck_api_keys_customer_bound",
            "(role = 'customer') = (customer_id IS NOT NULL) OR revoked_at IS NOT NULL",
        )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("by", sa.JSON(), nullable=True))
    with op.batch_alter_table("revisit_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("about", sa.Text(), nullable=True))
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responder", sa.JSON(), nullable=True))
    with op.batch_alter_table("signing_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), server_default="sign", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_links", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("responder")
    with op.batch_alter_table("revisit_calls", schema=None) as batch_op:
        batch_op.drop_column("about")
        batch_op.drop_column("answered_by")
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_column("by")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint("ck_api_keys_customer_bound", type_="check")
        batch_op.drop_constraint("ck_api_keys_engineer_bound", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_api_keys_customer_id_customers"), "foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_api_keys_engineer_id_engineers"), "foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_keys_customer_id"))
        batch_op.drop_index(batch_op.f("ix_api_keys_engineer_id"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("contact")
        batch_op.drop_column("customer_id")
        batch_op.drop_column("engineer_id")

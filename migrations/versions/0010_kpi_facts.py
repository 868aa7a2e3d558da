"""What the KPIs count: each request's SLA clocks as rows (`request_clocks`), the fault code,
the rework window and the repair's visits on the read model, and the indexes the period queries use.

Existing requests get their rows from their stored state (`kpi.backfill`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_clocks",
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("clock", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("engineer_id", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("due", sa.DateTime(timezone=True)),
        sa.Column("met_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("business_minutes", sa.Double()),
        sa.Column("wall_minutes", sa.Double()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number", "clock", name="pk_request_clocks"),
    )
    op.create_index("ix_request_clocks_due", "request_clocks", ["due"])
    op.create_index("ix_request_clocks_ended_at", "request_clocks", ["ended_at"])
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fault_code", sa.String(64)))
        batch_op.add_column(sa.Column("rework_until", sa.DateTime(timezone=True)))
        for column in ("visits", "parts_waits", "reworks"):
            batch_op.add_column(sa.Column(column, sa.Integer()))
        batch_op.add_column(sa.Column("repeats", sa.String(32)))
        batch_op.create_index("ix_service_requests_repeats", ["repeats"])
        batch_op.create_index("ix_service_requests_asset_fault", ["asset_serial", "fault_code"])
        batch_op.create_index("ix_service_requests_closed_at", ["closed_at"])
    op.create_index("ix_timeline_events_kind_at", "timeline_events", ["kind", "at"])
    from kpi.backfill import backfill  # the application's own projection, at this revision

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_timeline_events_kind_at", table_name="timeline_events")
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_service_requests_closed_at")
        batch_op.drop_index("ix_service_requests_asset_fault")
        batch_op.drop_index("ix_service_requests_repeats")
        batch_op.drop_column("repeats")
        for column in ("reworks", "parts_waits", "visits"):
            batch_op.drop_column(column)
        batch_op.drop_column("rework_until")
        batch_op.drop_column("fault_code")
    op.drop_index("ix_request_clocks_ended_at", table_name="request_clocks")
    op.drop_index("ix_request_clocks_due", table_name="request_clocks")
    op.drop_table("request_clocks")

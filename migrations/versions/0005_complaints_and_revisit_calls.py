"""Complaints and the revisit call list: projections of the complaint and revisit workflows.

The post-close revisits of requests already following up are copied from the read model, so
the call list, now read from `revisit_calls`, keeps them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:05:26.121617
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("workflow_id", sa.String(length=220), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("about", sa.String(length=200), nullable=False),
        sa.Column("rework", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("asset_serial", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(length=100), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('revisit','intake','periodic_revisit')", name="ck_complaints_source"
        ),
        sa.CheckConstraint("status IN ('open','responded')", name="ck_complaints_status"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_complaints")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_complaints_workflow_id")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_about"), ["about"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_asset_serial"), ["asset_serial"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)

    op.create_table(
        "revisit_calls",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("workflow_id", sa.String(length=220), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("schedule_id", sa.String(length=160), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("asset_serial", sa.String(length=64), nullable=True),
        sa.Column("fault_code", sa.String(length=64), nullable=True),
        sa.Column("work_done", sa.Text(), nullable=True),
        sa.Column("engineer", sa.String(length=64), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("attitude", sa.Integer(), nullable=True),
        sa.Column("suggestions", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('after_close','periodic')", name="ck_revisit_calls_kind"),
        sa.CheckConstraint(
            "status IN ('due','answered','unreachable')", name="ck_revisit_calls_status"
        ),
        sa.CheckConstraint(
            "attitude IS NULL OR attitude BETWEEN 1 AND 5", name="ck_revisit_calls_attitude"
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name="ck_revisit_calls_satisfaction",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisit_calls")),
    )
    with op.batch_alter_table("revisit_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revisit_calls_asset_serial"), ["asset_serial"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_revisit_calls_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_revisit_calls_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisit_calls_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_revisit_calls_status"), ["status"], unique=False)
    _copy_following_up()


def _copy_following_up() -> None:
    """A self-contained copy of `RevisitCallEntry.of_request` as it was at this revision."""
    bind = op.get_bind()
    requests = sa.table(
        "service_requests",
        sa.column("number", sa.String),
        sa.column("workflow_id", sa.String),
        sa.column("stage", sa.String),
        sa.column("state", sa.JSON),
        sa.column("version", sa.Integer),
    )
    calls = sa.table(
        "revisit_calls",
        *(sa.column(name) for name in _CALL_COLUMNS),
        *(sa.column(name, sa.DateTime(timezone=True)) for name in _CALL_INSTANTS),
    )
    rows = (
        bind.execute(sa.select(requests).where(requests.c.stage == "following_up")).mappings().all()
    )
    now = datetime.now(UTC)
    for row in rows:
        state = row["state"]
        work = (state.get("repair") or {}).get("work_done") or (
            (state.get("diagnosis") or {}).get("notes") or state.get("outcome")
        )
        contact = state.get("contact")
        for index, revisit in enumerate(state.get("revisits", [])):
            bind.execute(
                calls.insert().values(
                    id=f"{row['number']}-R{index + 1}",
                    kind="after_close",
                    workflow_id=row["workflow_id"],
                    number=row["number"],
                    customer_id=state["customer_id"],
                    asset_serial=state["asset_serial"],
                    fault_code=state["fault_code"],
                    work_done=work,
                    engineer=state.get("engineer"),
                    contact=f"{contact['name']} {contact['phone']}" if contact else None,
                    closed_at=_instant(state.get("closed_at")),
                    due=_instant(revisit["due"]),
                    channel=revisit["channel"],
                    attempts=revisit.get("attempts", 0),
                    status=revisit.get("status", "due"),
                    answered_at=_instant(revisit.get("answered_at")),
                    satisfaction=revisit.get("satisfaction"),
                    solved=revisit.get("solved"),
                    attitude=revisit.get("attitude"),
                    suggestions=revisit.get("suggestions"),
                    version=row["version"],
                    updated_at=now,
                )
            )


_CALL_COLUMNS = [
    "id",
    "kind",
    "workflow_id",
    "number",
    "customer_id",
    "asset_serial",
    "fault_code",
    "work_done",
    "engineer",
    "contact",
    "channel",
    "attempts",
    "status",
    "satisfaction",
    "solved",
    "attitude",
    "suggestions",
    "version",
]
_CALL_INSTANTS = ["closed_at", "due", "answered_at", "updated_at"]


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def downgrade() -> None:
    with op.batch_alter_table("revisit_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisit_calls_status"))
        batch_op.drop_index(batch_op.f("ix_revisit_calls_number"))
        batch_op.drop_index(batch_op.f("ix_revisit_calls_due"))
        batch_op.drop_index(batch_op.f("ix_revisit_calls_customer_id"))
        batch_op.drop_index(batch_op.f("ix_revisit_calls_asset_serial"))

    op.drop_table("revisit_calls")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_customer_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_asset_serial"))
        batch_op.drop_index(batch_op.f("ix_complaints_about"))

    op.drop_table("complaints")

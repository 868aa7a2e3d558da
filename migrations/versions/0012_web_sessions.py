"""Staff sign-in for the web app: a login and password an admin may set on a key, and the
cookie sessions signed in with either; and each clock's plans (`clock_plans`), which the
request page shows, started with the due every clock has now.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login", sa.String(64)))
        batch_op.add_column(sa.Column("password_hash", sa.String(200)))
        batch_op.create_unique_constraint("uq_api_keys_login", ["login"])
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_web_sessions_api_key_id_api_keys"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_api_key_id", "web_sessions", ["api_key_id"])
    op.create_table(
        "clock_plans",
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("clock", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("because", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("number", "clock", "started_at", "due", name="pk_clock_plans"),
    )
    op.execute(
        "INSERT INTO clock_plans (number, clock, started_at, due, planned_at, because) "
        "SELECT number, clock, started_at, due, started_at, 'recorded before plans were kept' "
        "FROM request_clocks WHERE started_at IS NOT NULL AND due IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("clock_plans")
    op.drop_index("ix_web_sessions_api_key_id", "web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint("uq_api_keys_login", type_="unique")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("login")

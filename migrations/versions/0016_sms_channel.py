"""Notices go by SMS too: an outbox row has a channel, `email` (every row written before this)
or `sms` (a notice's SMS, under `<key>:sms`, sent once per key as the email is).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=8), nullable=False, server_default="email")
        )
        batch_op.create_check_constraint("ck_notifications_channel", "channel IN ('email','sms')")


def downgrade() -> None:
    # Without the column an SMS row would read as an email to a phone number, and the relay
    # would mail it: the SMS rows go with the channel.
    op.execute("DELETE FROM notifications WHERE channel = 'sms'")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint("ck_notifications_channel", type_="check")
        batch_op.drop_column("channel")

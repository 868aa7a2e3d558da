"""The initial schema: every table of `db/tables.py`, the customer archive's included.

Generated with `alembic revision --autogenerate` against an empty SQLite database, then
reviewed for PostgreSQL as well: column types are SQLAlchemy's generic ones (the
application's `UtcDateTime` is a timestamp with time zone here, so this file never changes
when that Python type does), and indexes are created with the table rather than through
SQLite's batch mode, which only an ALTER of an existing table needs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 23:50:50.640204
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('intake','support','dispatcher','engineer','customer','revisit',"
            "'supervisor','admin')",
            name="ck_api_keys_role",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("key_account", sa.Boolean(), nullable=False),
        sa.Column("sla_profile", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id <> ''", name="ck_customers_id_not_empty"),
        sa.CheckConstraint("name <> ''", name="ck_customers_name_not_empty"),
        sa.CheckConstraint("region <> ''", name="ck_customers_region_not_empty"),
        sa.CheckConstraint("sla_profile <> ''", name="ck_customers_sla_profile_not_empty"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "engineers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.CheckConstraint("id <> ''", name="ck_engineers_id_not_empty"),
        sa.CheckConstraint("name <> ''", name="ck_engineers_name_not_empty"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineers")),
    )
    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("external_ref", sa.String(length=100), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("start", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_intakes_external_ref")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_intakes_idempotency_key")),
        sa.UniqueConstraint("number", name=op.f("uq_intakes_number")),
    )
    op.create_table(
        "loaner_units",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_to", sa.String(length=32), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('available','issued','retired')", name="ck_loaner_status"),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_loaner_units")),
        sa.UniqueConstraint("issued_to", name=op.f("uq_loaner_units_issued_to")),
    )
    op.create_index(op.f("ix_loaner_units_category"), "loaner_units", ["category"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    op.create_index(op.f("ix_notifications_number"), "notifications", ["number"])
    op.create_table(
        "service_requests",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("workflow_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("asset_serial", sa.String(length=64), nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("sla_status", sa.String(length=16), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("next_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("severity BETWEEN 1 AND 4", name="ck_service_requests_severity"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_service_requests_workflow_id")),
    )
    op.create_index(op.f("ix_service_requests_asset_serial"), "service_requests", ["asset_serial"])
    op.create_index(op.f("ix_service_requests_breached"), "service_requests", ["breached"])
    op.create_index(op.f("ix_service_requests_customer_id"), "service_requests", ["customer_id"])
    op.create_index(op.f("ix_service_requests_engineer_id"), "service_requests", ["engineer_id"])
    op.create_index(op.f("ix_service_requests_region"), "service_requests", ["region"])
    op.create_index(op.f("ix_service_requests_severity"), "service_requests", ["severity"])
    op.create_index(op.f("ix_service_requests_stage"), "service_requests", ["stage"])
    op.create_table(
        "sla_profiles",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_sla_profiles")),
    )
    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
        sa.UniqueConstraint("number", "seq", name="uq_timeline_number_seq"),
    )
    op.create_index(op.f("ix_timeline_events_number"), "timeline_events", ["number"])
    op.create_table(
        "customer_contacts",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.CheckConstraint("name <> ''", name="ck_customer_contacts_name_not_empty"),
        sa.CheckConstraint("phone <> ''", name="ck_customer_contacts_phone_not_empty"),
        sa.CheckConstraint("position >= 0", name="ck_customer_contacts_position"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "position", name=op.f("pk_customer_contacts")),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id <> ''", name="ck_sites_id_not_empty"),
        sa.CheckConstraint("name <> ''", name="ck_sites_name_not_empty"),
        sa.CheckConstraint("region <> ''", name="ck_sites_region_not_empty"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sites_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("customer_id", "id", name=op.f("uq_sites_customer_id_id")),
    )
    op.create_table(
        "assets",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=True),
        sa.Column("acceptance_date", sa.Date(), nullable=True),
        sa.Column("main_equipment", sa.Boolean(), nullable=False),
        sa.Column("warranty", sa.JSON(), nullable=False),
        sa.Column("repairs", sa.JSON(), nullable=False),
        sa.CheckConstraint("category <> ''", name="ck_assets_category_not_empty"),
        sa.CheckConstraint("model <> ''", name="ck_assets_model_not_empty"),
        sa.CheckConstraint("serial <> ''", name="ck_assets_serial_not_empty"),
        sa.ForeignKeyConstraint(
            ["customer_id", "site_id"],
            ["sites.customer_id", "sites.id"],
            name=op.f("fk_assets_customer_id_site_id_sites"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_assets_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_assets")),
    )
    op.create_index(op.f("ix_assets_customer_id"), "assets", ["customer_id"])
    op.create_index(op.f("ix_assets_site_id"), "assets", ["site_id"])


def downgrade() -> None:
    # Dependents first; a table's indexes go with it.
    op.drop_table("assets")
    op.drop_table("sites")
    op.drop_table("customer_contacts")
    op.drop_table("timeline_events")
    op.drop_table("sla_profiles")
    op.drop_table("service_requests")
    op.drop_table("notifications")
    op.drop_table("loaner_units")
    op.drop_table("intakes")
    op.drop_table("engineers")
    op.drop_table("customers")
    op.drop_table("api_keys")

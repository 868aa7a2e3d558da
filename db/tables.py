"""Tables (SQLAlchemy 2.0 typed models). Constraints live in the database, not only in Python."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes on every backend: SQLite keeps no offset, so store UTC and say so."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every instant must carry its offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Constraint names the same on every backend (PostgreSQL would invent `assets_…_fkey`, SQLite
#: none at all), so a later migration can drop or alter a constraint by name on both. Check
#: constraints are always named by hand (a `ck` convention would rename the existing ones).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON}


def _not_empty(table: str, *columns: str) -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(f"{column} <> ''", name=f"ck_{table}_{column}_not_empty")
        for column in columns
    )


class Customer(Base):
    """A customer of the archive (客户档案). `contact_*` is the primary contact of SPEC §4's
    `contact`; further contacts are `CustomerContact` rows."""

    __tablename__ = "customers"
    __table_args__ = _not_empty("customers", "id", "name", "region", "sla_profile")

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    region: Mapped[str] = mapped_column(String(64))
    key_account: Mapped[bool] = mapped_column(default=False)
    sla_profile: Mapped[str] = mapped_column(String(64))


class Site(Base):
    """A place of a customer where its equipment stands (a hospital campus, a branch).

    Site ids are global, like customer ids and serials, so an asset names its site by id
    alone (SPEC §4's `site_id`). The extra unique (customer_id, id) is the target of the
    assets' composite foreign key: the database itself refuses an asset whose site belongs to
    another customer.
    """

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("customer_id", "id"),
        *_not_empty("sites", "id", "name", "region"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    region: Mapped[str] = mapped_column(String(64))


class CustomerContact(Base):
    """The customer's contacts after the primary one, in the order they were given."""

    __tablename__ = "customer_contacts"
    __table_args__ = (
        CheckConstraint("position >= 0", name="ck_customer_contacts_position"),
        *_not_empty("customer_contacts", "name", "phone"),
    )

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        # NULL site_id: the constraint is not checked (MATCH SIMPLE, on both backends).
        ForeignKeyConstraint(["customer_id", "site_id"], ["sites.customer_id", "sites.id"]),
        *_not_empty("assets", "serial", "model", "category"),
    )

    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(String(64), index=True)
    invoice_date: Mapped[date | None] = mapped_column(Date)
    acceptance_date: Mapped[date | None] = mapped_column(Date)
    main_equipment: Mapped[bool] = mapped_column(default=True)
    #: SPEC §4's warranty document; its rules (months > 0, …) are `models.archive.Warranty`'s,
    #: which every write through the API or the import goes through.
    warranty: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Legacy repair history imported with the asset (SPEC §4 `repairs`): a list of
    #: {"fault_code", "registered_at", "resolved_at", "outcome"}; repairs handled by this
    #: system are read from the service requests themselves.
    repairs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: 出厂日期, 用途, 保养周期 (months): the archive fields of seed 001.
    manufacture_date: Mapped[date | None] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(String(200))
    maintenance_interval_months: Mapped[int | None] = mapped_column(Integer)
    #: Its class (1 the plainest): a loaner lent for it is of its category and at least this
    #: rank (seed P19, P21: "不低于原机"). None: any unit of the category will do.
    capability_rank: Mapped[int | None] = mapped_column(Integer)
    #: Replaced (整机更换): by which unit, on which local day, on which request. The system
    #: writes these when the repair goes for signature; edits of the record leave them alone.
    replaced_by: Mapped[str | None] = mapped_column(ForeignKey("assets.serial"), index=True)
    replaced_on: Mapped[date | None] = mapped_column(Date)
    replaced_in: Mapped[str | None] = mapped_column(String(32))
    #: Returned under 三包 (退货): on which local day, on which request. Written by the system
    #: once the return form closes the request; the unit is then no longer theirs.
    returned_on: Mapped[date | None] = mapped_column(Date)
    returned_in: Mapped[str | None] = mapped_column(String(32))


class Engineer(Base):
    __tablename__ = "engineers"
    __table_args__ = _not_empty("engineers", "id", "name")

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    skills: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    on_duty: Mapped[bool] = mapped_column(default=True)


class SlaProfileVersion(Base):
    """Profiles are immutable once stored: an edit is a new version, and a deleted profile's
    versions stay (marked `deleted_at`) for the requests that still run on them."""

    __tablename__ = "sla_profiles"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(
            "role IN ('intake','support','dispatcher','engineer','customer','revisit',"
            "'supervisor','admin')",
            name="ck_api_keys_role",
        ),
        # Every engineer or customer key is bound to its person; keys issued before persons
        # existed were revoked by migration 0006.
        CheckConstraint(
            "(role = 'engineer') = (engineer_id IS NOT NULL) OR revoked_at IS NOT NULL",
            name="ck_api_keys_engineer_bound",
        ),
        CheckConstraint(
            "(role = 'customer') = (customer_id IS NOT NULL) OR revoked_at IS NOT NULL",
            name="ck_api_keys_customer_bound",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    #: The person the key belongs to (for engineer and customer keys, as they are called).
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    #: SHA-256 of the key: keys are long random tokens, so a slow hash adds nothing.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: An engineer key acts for exactly this engineer, a customer key for this customer.
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    #: The customer's contact person the key was issued to (optional).
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: The name the person signs in to the web app with, when an admin set a password.
    login: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: scrypt of that password (`identity.passwords`).
    password_hash: Mapped[str | None] = mapped_column(String(200))


class WebSession(Base):
    """A signed-in browser (网页登录): the cookie's token is kept as its SHA-256 only, and the
    session acts as its key's person for as long as both are valid."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    #: Every form of the session carries it (`csrf_token`); a form without it is refused.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    #: Signed out.
    ended_at: Mapped[datetime | None]


class Intake(Base):
    """One row per accepted intake: allocates the request number and makes intake idempotent.

    The unique idempotency key is what keeps two identical requests arriving at the same moment
    from starting two workflows; `start` is the workflow input, so any retry starts the same one.
    """

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    #: The caller's own reference (call number): a second intake with it finds the first.
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    start: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class ServiceRequestRow(Base):
    """The read model: one row per request, projected from the workflow by activities."""

    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 4", name="ck_service_requests_severity"),
    )

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[int] = mapped_column(Integer, index=True)
    region: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    asset_serial: Mapped[str] = mapped_column(String(64), index=True)
    engineer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    sla_status: Mapped[str] = mapped_column(String(16))
    breached: Mapped[bool] = mapped_column(default=False, index=True)
    next_deadline: Mapped[datetime | None]
    reported_at: Mapped[datetime]
    registered_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    fault_code: Mapped[str | None] = mapped_column(String(64))
    #: A later request of the same asset and fault reported before this instant repeats this
    #: repair (the asset's `repair_warranty_months` after it was resolved, SPEC §4); set when
    #: the request closed with a repair.
    rework_until: Mapped[datetime | None]
    #: The earlier request of the same asset and fault whose repair warranty this one was
    #: reported in (a repeat repair), found when it was registered.
    repeats: Mapped[str | None] = mapped_column(String(32), index=True)
    #: How the repair went, counted from the timeline when the request closed (NULL before):
    #: entries on site, waits for parts, reworks within the request.
    visits: Mapped[int | None] = mapped_column(Integer)
    parts_waits: Mapped[int | None] = mapped_column(Integer)
    reworks: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


Index(
    "ix_service_requests_asset_fault",
    ServiceRequestRow.asset_serial,
    ServiceRequestRow.fault_code,
)
Index("ix_service_requests_closed_at", ServiceRequestRow.closed_at)


class RequestClockRow(Base):
    """One SLA clock of one request as the KPIs count it (`kpi.clock_facts`), projected with
    the read model. Once a clock has ended its row no longer changes (its engineer is the one
    assigned when it ended), until a rework runs it again."""

    __tablename__ = "request_clocks"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    clock: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    breached: Mapped[bool]
    engineer_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    due: Mapped[datetime | None] = mapped_column(index=True)
    met_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
    business_minutes: Mapped[float | None]
    wall_minutes: Mapped[float | None]
    version: Mapped[int] = mapped_column(Integer)


class ClockPlanRow(Base):
    """Every due a clock of a request has had (计划变更): one row per start and due, written
    by the record that first saw it, with the kinds of that record's events (what re-planned
    it: a severity change, a resume, a new assignment)."""

    __tablename__ = "clock_plans"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    clock: Mapped[str] = mapped_column(String(16), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(primary_key=True)
    due: Mapped[datetime] = mapped_column(primary_key=True)
    planned_at: Mapped[datetime]
    because: Mapped[str] = mapped_column(String(400))


class TimelineEventRow(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (
        UniqueConstraint("number", "seq", name="uq_timeline_number_seq"),
        # The KPIs count events of a kind in a period (escalations, loans).
        Index("ix_timeline_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    #: The acting person (key id, role, name, bound id); NULL for the workflow itself.
    by: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    stage: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class LoanerUnit(Base):
    """A spare unit (备用机) lent while a customer's equipment is being repaired."""

    __tablename__ = "loaner_units"
    __table_args__ = (
        CheckConstraint("status IN ('available','issued','retired')", name="ck_loaner_status"),
    )

    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(64), index=True)
    #: Its class, as `Asset.capability_rank` counts.
    rank: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(16), default="available")
    #: The request that has it; unique so one unit can never be lent twice at once.
    issued_to: Mapped[str | None] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime | None]


class Notification(Base):
    """The outbox: every message is written once under its idempotency key, then delivered.

    `status`: `pending` (rendered, not sent) → `sending` (claimed by `claimed_by` at
    `claimed_at`; a claim older than the lease may be taken over: its sender died) → `sent`;
    back to `pending` after a retryable error; `failed` after a permanent one (or a template
    error); `skipped` when no recipient has an address. `notifications/` owns these moves.
    A notice written with a request's record is the relay's (`next_attempt_at` set).
    `channel`: the notice's `email`, or its `sms` under `<key>:sms` (an SMS's `subject` is "",
    its `addresses` are mobile numbers).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending','sending','sent','skipped','failed')",
            name="ck_notifications_status",
        ),
        # What may still go out has been rendered; a message in flight has an owner.
        CheckConstraint(
            "status NOT IN ('pending','sending') OR (subject IS NOT NULL AND body IS NOT NULL)",
            name="ck_notifications_rendered",
        ),
        CheckConstraint(
            "status <> 'sending' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL)",
            name="ck_notifications_claimed",
        ),
        CheckConstraint("channel IN ('email','sms')", name="ck_notifications_channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8), server_default="email")
    #: Role names as the workflow gave them; `addresses` is what they resolved to.
    recipients: Mapped[list[str]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(8))
    #: None when the template could not be rendered (the row is then `failed`).
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[list[str]] = mapped_column(JSON)
    #: Recipients without an address: role -> why.
    skipped: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    #: When the outbox relay next tries it; NULL for a notice its own activity delivers.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)


class SigningLink(Base):
    """A link sent to the customer to sign the report; `used_at` makes it one-time."""

    __tablename__ = "signing_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    #: What the link lets the customer do: `sign` the report or decide on a `quote`.
    purpose: Mapped[str] = mapped_column(String(16), server_default="sign")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PriceItem(Base):
    """The price list (收费标准, 001, 004): a part by its number, labour per hour by asset category
    (`*`: any), travel per visit by region. Quote lines are drawn from it (`fees`)."""

    __tablename__ = "price_items"
    __table_args__ = (
        CheckConstraint("kind IN ('part','labour','travel')", name="ck_price_items_kind"),
        CheckConstraint("unit_price >= 0", name="ck_price_items_unit_price"),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class InspectionRoundSignature(Base):
    """The customer's one signature under an inspection round's report (巡检报告, 003), with the
    company's stamp: the report as signed, and its SHA-256."""

    __tablename__ = "inspection_round_signatures"

    schedule_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    signer: Mapped[str] = mapped_column(String(200))
    signature_png: Mapped[str | None] = mapped_column(Text)
    stamp_png: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]


class SignedReport(Base):
    """The report exactly as the customer signed it, bound to the signature by its SHA-256."""

    __tablename__ = "signed_reports"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    signer: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime]
    signature_png: Mapped[str | None] = mapped_column(Text)


class ContractSchedule(Base):
    """A periodic revisit or inspection as the admin defined it: Temporal runs the schedule,
    this row lets the setup command re-create it on another cluster."""

    __tablename__ = "contract_schedules"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


class ComplaintRow(Base):
    """A complaint (客诉) as its workflow last recorded it: the supervisor's list."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("status IN ('open','responded')", name="ck_complaints_status"),
        CheckConstraint(
            "source IN ('revisit','intake','periodic_revisit')", name="ck_complaints_source"
        ),
    )

    number: Mapped[str] = mapped_column(String(200), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(220), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    #: The request it is about; none for a hotline complaint that names none.
    about: Mapped[str | None] = mapped_column(String(200), index=True)
    rework: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    asset_serial: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(100))
    respond_by: Mapped[datetime]
    #: How a hotline complaint came in and who made it (name, phone): whom to answer.
    channel: Mapped[str | None] = mapped_column(String(20))
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    breached_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[str | None] = mapped_column(String(100))
    #: The answering person (key id, role, name).
    responder: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class RevisitCallRow(Base):
    """One revisit call (回访) on the call list, projected from the workflow that owns it: a
    request's post-close revisit or a periodic call. Answers are the customer archive's."""

    __tablename__ = "revisit_calls"
    __table_args__ = (
        CheckConstraint("kind IN ('after_close','periodic')", name="ck_revisit_calls_kind"),
        CheckConstraint(
            "status IN ('due','answered','unreachable')", name="ck_revisit_calls_status"
        ),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name="ck_revisit_calls_satisfaction",
        ),
        CheckConstraint(
            "attitude IS NULL OR attitude BETWEEN 1 AND 5", name="ck_revisit_calls_attitude"
        ),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    workflow_id: Mapped[str] = mapped_column(String(220))
    number: Mapped[str | None] = mapped_column(String(32), index=True)
    schedule_id: Mapped[str | None] = mapped_column(String(160))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    asset_serial: Mapped[str | None] = mapped_column(String(64), index=True)
    fault_code: Mapped[str | None] = mapped_column(String(64))
    work_done: Mapped[str | None] = mapped_column(Text)
    engineer: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    due: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    answered_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    solved: Mapped[bool | None]
    attitude: Mapped[int | None] = mapped_column(Integer)
    suggestions: Mapped[str | None] = mapped_column(Text)
    #: The revisit agent who recorded the answer (key id, role, name).
    answered_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: What the call is about, for the agent (a repair, a remote fix, a declined quote).
    about: Mapped[str | None] = mapped_column(Text)
    #: The owning workflow's state version: a late retry never overwrites a newer answer.
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class AnalysisReportRow(Base):
    """A periodic analysis report as made for its period: one per kind and period."""

    __tablename__ = "analysis_reports"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('weekly','monthly','half_yearly')", name="ck_analysis_reports_kind"
        ),
        UniqueConstraint("kind", "first", name="uq_analysis_reports_kind_first"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

"""Intake (报修登记): resolve the defaults, compute the entitlement and reserve the number.

The reservation is the `intakes` row: its unique idempotency key makes a repeated or concurrent
intake find the first one, and it stores the workflow input so that whoever comes second starts
(or finds) exactly the same workflow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.problems import Problem, invalid, unprocessable
from db import archive
from db.entitlements import entitlement_for
from db.profiles import latest_profile
from db.session import SessionFactory, transaction
from db.tables import Asset, Customer, Intake, ServiceRequestRow, Site
from inspection import checklist_for
from models.actions import Actor
from models.activity_io import plan_request
from models.archive import AssetRecord, CustomerRecord
from models.complaints import ComplaintPlanRequest, ComplaintStart
from models.intake import Contact, IntakeRequest, ServiceRequestStart
from models.lifecycle import OPEN_STAGES
from models.profile import SlaProfile
from models.state import ServiceRequestState
from sla.deadlines import complaint_due, plan

MAX_BACKDATE = timedelta(days=7)
#: Clocks of callers' machines drift; a report a little "in the future" is not an error.
CLOCK_SKEW = timedelta(minutes=2)
#: How long a new request may take to reach the read model (its workflow's first activity).
UNPROJECTED_WINDOW = timedelta(minutes=10)
#: A hotline complaint's number: `CP-YYYYMMDD-NNNNNN` from the same sequence as requests.
COMPLAINT_PREFIX = "CP"


def idempotency_key(header: str | None) -> str | None:
    return f"key:{header}" if header else None


def body_hash(body: IntakeRequest) -> str:
    return hashlib.sha256(body.model_dump_json(exclude_none=True).encode()).hexdigest()


def request_number(
    sequence: int, registered_at: datetime, timezone: str, prefix: str = "SR"
) -> str:
    """`SR-YYYYMMDD-NNNNNN` (a hotline complaint: `CP-…`): the local registration date and the
    database sequence."""
    return f"{prefix}-{registered_at.astimezone(ZoneInfo(timezone)):%Y%m%d}-{sequence:06d}"


class RepairFacts(NamedTuple):
    """What every request but a complaint carries (`models.intake.REPAIR_FIELDS`)."""

    asset_serial: str
    fault_code: str
    severity: int


def repair_facts(body: IntakeRequest) -> RepairFacts:
    """The asset, fault and severity of a request that runs the repair clocks, or 422."""
    if problems := body.problems():
        raise unprocessable(problems)
    assert body.asset_serial and body.fault_code and body.severity  # checked just above
    return RepairFacts(body.asset_serial, body.fault_code, body.severity)


def _unprocessable(field: str, reason: str) -> Problem:
    return Problem(422, f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


def resolve(
    session: Session,
    body: IntakeRequest,
    number: str,
    now: datetime,
    timezone: str,
    registrar: Actor | str,
) -> ServiceRequestStart:
    """Fill the defaults from the customer and check every reference; 422 names the field."""
    facts = repair_facts(body)
    customer = _customer(session, body)
    asset = _asset(session, body, facts.asset_serial, customer)
    profile, version = _profile(session, body, customer)
    reported_at = _reported_at(body, now)
    site = session.get(Site, asset.site_id) if asset.site_id else None
    archive_contact = " ".join(x for x in (customer.contact_name, customer.contact_phone) if x)
    start = ServiceRequestStart(
        number=number,
        type=body.type,
        channel=body.channel,
        external_ref=body.external_ref,
        customer_id=customer.id,
        customer_name=customer.name,
        asset_serial=asset.serial,
        asset_category=asset.category,
        region=body.region or customer.region,
        severity=facts.severity,
        fault_code=facts.fault_code,
        description=body.description,
        contact=body.contact,
        reported_at=reported_at,
        registered_at=now,
        registered_by=registrar.name if isinstance(registrar, Actor) else registrar,
        registrar=registrar if isinstance(registrar, Actor) else None,
        site_address=(site.address if site else None) or customer.address,
        site_contact=archive_contact or None,
        timezone=timezone,
        profile=profile,
        profile_version=version,
        entitlement=entitlement_for(
            session,
            asset,
            reported_at.astimezone(ZoneInfo(timezone)).date(),
            facts.fault_code,
            timezone,
        ),
    )
    initial = plan(plan_request(ServiceRequestState.registered(start), profile))
    checklist = checklist_for(asset.category) if body.type == "inspection" else []
    return start.model_copy(update={"initial_plan": initial, "checklist": checklist})


def resolve_complaint(
    session: Session,
    body: IntakeRequest,
    number: str,
    now: datetime,
    registrar: Actor | str,
) -> ComplaintStart:
    """A hotline complaint (热线投诉): its customer, the asset and the request it names (if
    any) checked as a request's are, and the answer's deadline from the customer's profile."""
    customer = _customer(session, body)
    about = _complained_about(session, body.about, customer) if body.about else None
    serial = body.asset_serial or (about.asset_serial if about else None)
    asset = _asset(session, body, serial, customer) if serial else None
    profile, _ = _profile(session, body, customer)
    opened_at = _reported_at(body, now)
    return ComplaintStart(
        number=number,
        source="intake",
        customer_id=customer.id,
        asset_serial=asset.serial if asset else None,
        about=about.number if about else None,
        reason=body.description,
        opened_at=opened_at,
        opened_by=registrar.name if isinstance(registrar, Actor) else registrar,
        respond_by=complaint_due(ComplaintPlanRequest(profile=profile, opened_at=opened_at)),
        notify=profile.complaints.notify,
        escalate_to=profile.complaints.escalate_to,
        channel=body.channel,
        contact=body.contact or _archive_contact(customer),
    )


def _customer(session: Session, body: IntakeRequest) -> Customer:
    return session.get(Customer, body.customer_id) or _new_customer(session, body)


def _asset(session: Session, body: IntakeRequest, serial: str, customer: Customer) -> Asset:
    asset = session.get(Asset, serial) or _new_asset(session, body, serial)
    if asset.customer_id != customer.id:
        raise _unprocessable(
            "asset_serial",
            f"asset {asset.serial} belongs to customer {asset.customer_id}, not {customer.id}",
        )
    return asset


def _complained_about(session: Session, number: str, customer: Customer) -> ServiceRequestStart:
    """The request a complaint names, from its intake (the read model may not have it yet)."""
    row = session.scalars(select(Intake).where(Intake.number == number)).first()
    start = ServiceRequestStart.model_validate(row.start) if row and row.start else None
    if start is None or start.customer_id != customer.id:
        # Another customer's request is reported as unknown: intake must not confirm it exists.
        raise _unprocessable("about", f"customer {customer.id} has no service request {number}")
    return start


def _profile(session: Session, body: IntakeRequest, customer: Customer) -> tuple[SlaProfile, int]:
    profile_name = body.sla_profile or customer.sla_profile
    found = latest_profile(session, profile_name)
    if found is None:
        raise _unprocessable("sla_profile", f"there is no SLA profile {profile_name!r}")
    return found


def _reported_at(body: IntakeRequest, now: datetime) -> datetime:
    reported_at = body.reported_at or now
    if reported_at > now + CLOCK_SKEW:
        raise _unprocessable("reported_at", "is in the future")
    reported_at = min(reported_at, now)  # a caller's clock a little ahead: never in the future
    if reported_at < now - MAX_BACKDATE:
        raise _unprocessable("reported_at", "may be backdated by at most 7 days")
    return reported_at


def _archive_contact(customer: Customer) -> Contact | None:
    """The archive's contact, when it is one the intake would have taken."""
    try:
        return Contact(name=customer.contact_name or "", phone=customer.contact_phone or "")
    except ValidationError:
        return None


def _new_customer(session: Session, body: IntakeRequest) -> Customer:
    """A caller new to the archive (SPEC §4: created within the intake), in the intake's
    transaction, validated as `/v1/customers` validates it."""
    if body.customer is None:
        raise _unprocessable(
            "customer_id",
            f"there is no customer {body.customer_id!r}; to create it with this request give "
            '"customer": {"name", "contact": {"name", "phone"}, "region"}',
        )
    defaults = {"contact": body.contact and body.contact.model_dump(), "region": body.region}
    given = {k: v for k, v in defaults.items() if v is not None} | body.customer
    record = _validated(CustomerRecord, given | {"id": body.customer_id}, "customer")
    if record.contact is None:
        raise _unprocessable("customer.contact", "a new customer needs a contact (name, phone)")
    _archive(session, archive.plan_customers(session, [(1, record)]), "customer")
    return _found(session, Customer, record.id)


def _new_asset(session: Session, body: IntakeRequest, serial: str) -> Asset:
    if body.asset is None:
        raise _unprocessable(
            "asset_serial",
            f"there is no asset with serial {serial!r}; to create it with this request "
            'give "asset": {"model", "category", "invoice_date"}',
        )
    fixed = {"serial": serial, "customer_id": body.customer_id}
    record = _validated(AssetRecord, body.asset | fixed, "asset")
    _archive(session, archive.plan_assets(session, [(1, record)], keep_repairs=False), "asset")
    return _found(session, Asset, record.serial)


R = TypeVar("R", bound=BaseModel)
S = TypeVar("S", ServiceRequestStart, ComplaintStart)
T = TypeVar("T")


def _validated(model: type[R], data: dict[str, Any], prefix: str) -> R:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, prefix=prefix) from None


def _archive(session: Session, plan: archive.Plan, prefix: str) -> None:
    if plan.problems:
        raise unprocessable(
            [{"field": f"{prefix}.{p.field}", "reason": p.reason} for p in plan.problems]
        )
    plan.apply(session)
    session.flush()


def _found(session: Session, table: type[T], key: str) -> T:
    row = session.get(table, key)
    assert row is not None  # just written in this transaction
    return row


def reserve(
    sessions: SessionFactory,
    body: IntakeRequest,
    key: str | None,
    timezone: str,
    now: datetime | None = None,
    registrar: Actor | str = "intake",
) -> tuple[ServiceRequestStart, bool]:
    """The workflow input for this intake and whether it was seen before.

    Nothing is written when the body is invalid: the number is only kept if resolve succeeds.
    """
    if body.type == "complaint":
        raise TypeError("a complaint runs no request: reserve it with reserve_complaint")
    facts = repair_facts(body)

    def make(session: Session, sequence: int, now: datetime) -> ServiceRequestStart:
        number = request_number(sequence, now, timezone)
        return resolve(session, body, number, now, timezone, registrar)

    def same_fault(session: Session) -> ServiceRequestStart | None:
        return None if body.force_new else _open_for_same_fault(session, facts)

    return _reserve(sessions, body, key, ServiceRequestStart, make, same_fault, now)


def reserve_complaint(
    sessions: SessionFactory,
    body: IntakeRequest,
    key: str | None,
    timezone: str,
    now: datetime | None = None,
    registrar: Actor | str = "intake",
) -> tuple[ComplaintStart, bool]:
    """A hotline complaint's workflow input (its number `CP-…`), reserved like a request's."""

    def make(session: Session, sequence: int, now: datetime) -> ComplaintStart:
        number = request_number(sequence, now, timezone, prefix=COMPLAINT_PREFIX)
        return resolve_complaint(session, body, number, now, registrar)

    return _reserve(sessions, body, key, ComplaintStart, make, lambda _: None, now)


def _reserve(
    sessions: SessionFactory,
    body: IntakeRequest,
    key: str | None,
    model: type[S],
    make: Callable[[Session, int, datetime], S],
    duplicate: Callable[[Session], S | None],
    now: datetime | None,
) -> tuple[S, bool]:
    digest = body_hash(body)
    try:
        with transaction(sessions) as session:
            existing = _existing(session, key, body.external_ref, digest, model)
            if existing is None:
                existing = duplicate(session)
            if existing is not None:
                return existing, True
            now = now or datetime.now(UTC)
            row = Intake(
                idempotency_key=key,
                external_ref=body.external_ref,
                body_hash=digest,
                created_at=now,
            )
            session.add(row)
            session.flush()  # the sequence value
            start = make(session, row.id, now)
            row.number, row.start = start.number, start.model_dump(mode="json")
            return start, False
    except IntegrityError:
        # Someone registered the same key between our read and our insert: theirs stands.
        if key is None and body.external_ref is None:
            raise
        with sessions() as session:
            existing = _existing(session, key, body.external_ref, digest, model)
        if existing is None:
            raise
        return existing, True


def _open_for_same_fault(session: Session, facts: RepairFacts) -> ServiceRequestStart | None:
    """One issue, one service number (一事多投): an open request for this asset and fault."""
    rows = session.scalars(
        select(ServiceRequestRow)
        .where(ServiceRequestRow.asset_serial == facts.asset_serial)
        .where(ServiceRequestRow.stage.in_(sorted(OPEN_STAGES)))
        .order_by(ServiceRequestRow.registered_at)
    )
    for row in rows:
        if row.state.get("fault_code") == facts.fault_code:
            intake = session.scalars(select(Intake).where(Intake.number == row.number)).first()
            if intake is not None and intake.start is not None:
                return ServiceRequestStart.model_validate(intake.start)
    # Requests registered moments ago are not in the read model yet: look at their intakes.
    projected = select(ServiceRequestRow.number)
    recent = session.scalars(
        select(Intake)
        .where(Intake.created_at >= datetime.now(UTC) - UNPROJECTED_WINDOW)
        .where(Intake.number.not_in(projected))
        .order_by(Intake.id)
    )
    for intake in recent:
        start = intake.start or {}
        same = (start.get("asset_serial"), start.get("fault_code"))
        if same == (facts.asset_serial, facts.fault_code):
            return ServiceRequestStart.model_validate(start)
    return None


def _existing(
    session: Session, key: str | None, external_ref: str | None, digest: str, model: type[S]
) -> S | None:
    """The earlier intake with this idempotency key or, failing that, this external_ref."""
    row = None
    if key is not None:
        row = session.scalars(select(Intake).where(Intake.idempotency_key == key)).first()
    if row is None and external_ref is not None:
        row = session.scalars(select(Intake).where(Intake.external_ref == external_ref)).first()
    if row is None or row.start is None:
        return None
    if row.body_hash != digest:
        raise Problem(
            409,
            f"this idempotency key (or external_ref) was already used for request {row.number} "
            "with a different body",
        )
    start: dict[str, Any] = row.start
    return model.model_validate(start)

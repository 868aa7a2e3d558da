"""Intake (报修登记) resolved: the defaults filled in from the archive, every reference
checked (422 naming the field), the entitlement and the first plan of the clocks; for a hotline
complaint, its customer, asset and answer deadline. A caller new to the archive is created in
the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import archive
from db.entitlements import entitlement_for
from db.profiles import latest_profile
from db.replacements import in_service
from db.tables import Asset, Customer, Intake, Site
from inspection import checklist_for
from models.actions import Actor
from models.activity_io import plan_request
from models.archive import AssetRecord, CustomerRecord
from models.complaints import ComplaintPlanRequest, ComplaintStart
from models.errors import invalid_field, invalid_fields, invalid_model
from models.intake import Contact, IntakeRequest, ServiceRequestStart
from models.profile import SlaProfile
from models.state import ServiceRequestState
from sla.deadlines import complaint_due, plan

MAX_BACKDATE = timedelta(days=7)
#: Clocks of callers' machines drift; a report a little "in the future" is not an error.
CLOCK_SKEW = timedelta(minutes=2)


class RepairFacts(NamedTuple):
    """What every request but a complaint carries (`models.intake.REPAIR_FIELDS`)."""

    asset_serial: str
    fault_code: str
    severity: int


def repair_facts(body: IntakeRequest) -> RepairFacts:
    """The asset, fault and severity of a request that runs the repair clocks, or 422."""
    if problems := body.problems():
        raise invalid_fields(problems)
    assert body.asset_serial and body.fault_code and body.severity  # checked just above
    return RepairFacts(body.asset_serial, body.fault_code, body.severity)


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
    _in_service(session, asset)
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
        key_account=customer.key_account,
        asset_serial=asset.serial,
        asset_category=asset.category,
        region=body.region or customer.region,
        severity=facts.severity,
        fault_code=facts.fault_code,
        description=body.description,
        contact=body.contact,
        reported_at=reported_at,
        registered_at=now,
        registered_by=_name(registrar),
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
    update: dict[str, Any] = {"initial_plan": initial, "checklist": checklist}
    if body.type == "revisit_visit":  # the contract's own visit: the customer pays nothing
        update["entitlement"] = start.entitlement.model_copy(update={"chargeable": False})
    return start.model_copy(update=update)


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
        opened_by=_name(registrar),
        respond_by=complaint_due(ComplaintPlanRequest(profile=profile, opened_at=opened_at)),
        notify=profile.complaints.notify,
        escalate_to=profile.complaints.escalate_to,
        channel=body.channel,
        contact=body.contact or _archive_contact(customer),
    )


def _name(registrar: Actor | str) -> str:
    """Who took the call, as the timeline and the complaint show it."""
    return registrar.name if isinstance(registrar, Actor) else registrar


def _customer(session: Session, body: IntakeRequest) -> Customer:
    return session.get(Customer, body.customer_id) or _new_customer(session, body)


def _asset(session: Session, body: IntakeRequest, serial: str, customer: Customer) -> Asset:
    asset = session.get(Asset, serial) or _new_asset(session, body, serial)
    if asset.customer_id != customer.id:
        raise invalid_field(
            "asset_serial",
            f"asset {asset.serial} belongs to customer {asset.customer_id}, not {customer.id}",
        )
    return asset


def _in_service(session: Session, asset: Asset) -> None:
    """A replaced unit is not repaired any more: its replacement is; nor is a returned one,
    which is no longer the customer's (a complaint about either's service may still name it)."""
    if asset.returned_on is not None:
        raise invalid_field(
            "asset_serial",
            f"unit {asset.serial} was returned on {asset.returned_on}"
            + (f" ({asset.returned_in})" if asset.returned_in else "")
            + ": it is no longer the customer's",
        )
    if asset.replaced_by is None:
        return
    current = in_service(session, asset.serial)
    now = current.serial if current else asset.replaced_by
    raise invalid_field(
        "asset_serial",
        f"unit {asset.serial} was replaced by {asset.replaced_by} on {asset.replaced_on}"
        + (f" ({asset.replaced_in})" if asset.replaced_in else "")
        + f": register the request against {now}",
    )


def _complained_about(session: Session, number: str, customer: Customer) -> ServiceRequestStart:
    """The request a complaint names, from its intake (the read model may not have it yet)."""
    row = session.scalars(select(Intake).where(Intake.number == number)).first()
    start = ServiceRequestStart.model_validate(row.start) if row and row.start else None
    if start is None or start.customer_id != customer.id:
        # Another customer's request is reported as unknown: intake must not confirm it exists.
        raise invalid_field("about", f"customer {customer.id} has no service request {number}")
    return start


def _profile(session: Session, body: IntakeRequest, customer: Customer) -> tuple[SlaProfile, int]:
    profile_name = body.sla_profile or customer.sla_profile
    found = latest_profile(session, profile_name)
    if found is None:
        raise invalid_field("sla_profile", f"there is no SLA profile {profile_name!r}")
    return found


def _reported_at(body: IntakeRequest, now: datetime) -> datetime:
    reported_at = body.reported_at or now
    if reported_at > now + CLOCK_SKEW:
        raise invalid_field("reported_at", "is in the future")
    reported_at = min(reported_at, now)  # a caller's clock a little ahead: never in the future
    if reported_at < now - MAX_BACKDATE:
        raise invalid_field("reported_at", "may be backdated by at most 7 days")
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
        raise invalid_field(
            "customer_id",
            f"there is no customer {body.customer_id!r}; to create it with this request give "
            '"customer": {"name", "contact": {"name", "phone"}, "region"}',
        )
    defaults = {"contact": body.contact and body.contact.model_dump(), "region": body.region}
    given = {k: v for k, v in defaults.items() if v is not None} | body.customer
    record = _validated(CustomerRecord, given | {"id": body.customer_id}, "customer")
    if record.contact is None:
        raise invalid_field("customer.contact", "a new customer needs a contact (name, phone)")
    _archive(session, archive.plan_customers(session, [(1, record)]), "customer")
    return _found(session, Customer, record.id)


def _new_asset(session: Session, body: IntakeRequest, serial: str) -> Asset:
    if body.asset is None:
        raise invalid_field(
            "asset_serial",
            f"there is no asset with serial {serial!r}; to create it with this request "
            'give "asset": {"model", "category", "invoice_date"}',
        )
    fixed = {"serial": serial, "customer_id": body.customer_id}
    record = _validated(AssetRecord, body.asset | fixed, "asset")
    _archive(session, archive.plan_assets(session, [(1, record)], keep_repairs=False), "asset")
    return _found(session, Asset, record.serial)


R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")


def _validated(model: type[R], data: dict[str, Any], prefix: str) -> R:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_model(exc, prefix=prefix) from None


def _archive(session: Session, plan: archive.Plan, prefix: str) -> None:
    if plan.problems:
        raise invalid_fields(
            [{"field": f"{prefix}.{p.field}", "reason": p.reason} for p in plan.problems]
        )
    plan.apply(session)
    session.flush()


def _found(session: Session, table: type[T], key: str) -> T:
    row = session.get(table, key)
    assert row is not None  # just written in this transaction
    return row

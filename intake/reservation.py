"""Intake's reservation (报修登记): the number, and the idempotency of a repeated call.

The reservation is the `intakes` row: its unique idempotency key makes a repeated or concurrent
intake find the first one, and it stores the workflow input so that whoever comes second starts
(or finds) exactly the same workflow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.session import SessionFactory, transaction
from db.tables import Intake, ServiceRequestRow
from intake.resolution import RepairFacts, repair_facts, resolve, resolve_complaint
from models.actions import Actor
from models.complaints import ComplaintStart
from models.errors import Conflict
from models.intake import IntakeRequest, ServiceRequestStart
from models.lifecycle import OPEN_STAGES

#: How long a new request may take to reach the read model (its workflow's first activity).
UNPROJECTED_WINDOW = timedelta(minutes=10)
#: A hotline complaint's number: `CP-YYYYMMDD-NNNNNN` from the same sequence as requests.
COMPLAINT_PREFIX = "CP"
S = TypeVar("S", ServiceRequestStart, ComplaintStart)


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

    def make(session: Session, now: datetime) -> ServiceRequestStart:
        return resolve(session, body, request_number(0, now, timezone), now, timezone, registrar)

    def same_fault(session: Session) -> ServiceRequestStart | None:
        return None if body.force_new else _open_for_same_fault(session, facts)

    numbering = (timezone, "SR")
    return _reserve(sessions, body, key, ServiceRequestStart, make, same_fault, now, numbering)


def reserve_complaint(
    sessions: SessionFactory,
    body: IntakeRequest,
    key: str | None,
    timezone: str,
    now: datetime | None = None,
    registrar: Actor | str = "intake",
) -> tuple[ComplaintStart, bool]:
    """A hotline complaint's workflow input (its number `CP-…`), reserved like a request's."""

    def make(session: Session, now: datetime) -> ComplaintStart:
        number = request_number(0, now, timezone, prefix=COMPLAINT_PREFIX)
        return resolve_complaint(session, body, number, now, registrar)

    numbering = (timezone, COMPLAINT_PREFIX)
    return _reserve(sessions, body, key, ComplaintStart, make, lambda _: None, now, numbering)


def _reserve(
    sessions: SessionFactory,
    body: IntakeRequest,
    key: str | None,
    model: type[S],
    make: Callable[[Session, datetime], S],
    duplicate: Callable[[Session], S | None],
    now: datetime | None,
    numbering: tuple[str, str],
) -> tuple[S, bool]:
    """`make` resolves the input before the intake row is written, numbered `…-000000`; the
    row's sequence then numbers it. On SQLite the first write takes the database's one write
    lock, which the resolution (archive, entitlement, the first plan) no longer holds."""
    digest = body_hash(body)
    try:
        with transaction(sessions) as session:
            existing = _existing(session, key, body.external_ref, digest, model)
            if existing is None:
                existing = duplicate(session)
            if existing is not None:
                return existing, True
            now = now or datetime.now(UTC)
            provisional = make(session, now)
            row = Intake(
                idempotency_key=key,
                external_ref=body.external_ref,
                body_hash=digest,
                created_at=now,
            )
            session.add(row)
            session.flush()  # the sequence value
            timezone, prefix = numbering
            number = request_number(row.id, now, timezone, prefix)
            start = provisional.model_copy(update={"number": number})
            row.number, row.start = number, start.model_dump(mode="json")
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
        raise Conflict(
            f"this idempotency key (or external_ref) was already used for request {row.number} "
            "with a different body",
        )
    start: dict[str, Any] = row.start
    return model.model_validate(start)

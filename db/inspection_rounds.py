"""Inspection rounds from the read model: the requests one run of a schedule registered
(their intake's external_ref, `models.schedules.inspection_ref`), and the round's signature."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.tables import Asset, Customer, InspectionRoundSignature, Intake, ServiceRequestRow
from models.inspection_rounds import InspectionRound, RoundItem, RoundSignature, SignRoundBody
from models.schedules import inspection_ref
from models.state import ServiceRequestState


def load_round(session: Session, schedule_id: str, day: date) -> InspectionRound | None:
    """The round, its assets by serial; None when that run registered nothing."""
    ref = inspection_ref(schedule_id, day)
    numbers = select(Intake.number).where(
        or_(Intake.external_ref == ref, Intake.external_ref.startswith(f"{ref}:", autoescape=True))
    )
    rows = list(
        session.scalars(
            select(ServiceRequestRow)
            .where(ServiceRequestRow.number.in_(numbers), ServiceRequestRow.type == "inspection")
            .order_by(ServiceRequestRow.asset_serial)
        )
    )
    if not rows:
        return None
    customer = session.get(Customer, rows[0].customer_id)
    signed = session.get(InspectionRoundSignature, (schedule_id, day))
    return InspectionRound(
        schedule_id=schedule_id,
        date=day,
        customer_id=rows[0].customer_id,
        customer_name=customer.name if customer else "",
        items=[_item(session, row) for row in rows],
        signature=RoundSignature(
            signer=signed.signer,
            signed_at=signed.signed_at,
            sha256=signed.sha256,
            stamped=bool(signed.stamp_png),
        )
        if signed
        else None,
    )


def _item(session: Session, row: ServiceRequestRow) -> RoundItem:
    state = ServiceRequestState.model_validate(row.state)
    asset = session.get(Asset, row.asset_serial)
    return RoundItem(
        number=row.number,
        asset_serial=row.asset_serial,
        model=asset.model if asset else None,
        stage=row.stage,
        engineer=row.engineer_id,
        checklist=state.repair.checklist if state.repair else [],
        reported_at=state.repair.at if state.repair else None,
    )


def signed_round(session: Session, schedule_id: str, day: date) -> InspectionRoundSignature | None:
    return session.get(InspectionRoundSignature, (schedule_id, day))


def store_signature(
    session: Session,
    found: InspectionRound,
    body: SignRoundBody,
    html: str,
    sha256: str,
    signed_at: datetime,
) -> None:
    session.add(
        InspectionRoundSignature(
            schedule_id=found.schedule_id,
            day=found.date,
            customer_id=found.customer_id,
            signer=body.signer,
            signature_png=body.signature_png,
            stamp_png=body.stamp_png,
            html=html,
            sha256=sha256,
            signed_at=signed_at,
        )
    )

"""`GET /v1/revisits?due_before=…`: the revisit agents' call list (回访), from the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel
from sqlalchemy import select

from api.auth import Principal
from api.context import Ctx, require
from db.tables import Asset, Customer, ServiceRequestRow
from models.lifecycle import Role, Stage
from models.state import ServiceRequestState

router = APIRouter(prefix="/v1/revisits", tags=["revisits"])
Desk = Annotated[Principal, Depends(require(Role.REVISIT, Role.SUPERVISOR, Role.ADMIN))]


class RevisitCall(BaseModel):
    number: str
    due: datetime
    channel: str
    attempts: int
    customer_id: str
    customer_name: str
    contact: str | None
    asset_serial: str
    asset_model: str | None
    fault_code: str
    work_done: str
    engineer: str | None
    closed_at: datetime | None


@router.get("", response_model=list[RevisitCall])
async def call_list(
    ctx: Ctx, _: Desk, due_before: Annotated[AwareDatetime | None, Query()] = None
) -> list[RevisitCall]:
    """Calls due by `due_before` (default: now), earliest first: whom to call and about what."""
    until = due_before or datetime.now(UTC)

    def load() -> list[RevisitCall]:
        with ctx.sessions() as session:
            rows = session.scalars(
                select(ServiceRequestRow).where(ServiceRequestRow.stage == Stage.FOLLOWING_UP)
            )
            calls = []
            for row in rows:
                state = ServiceRequestState.model_validate(row.state)
                customer = session.get(Customer, state.customer_id)
                asset = session.get(Asset, state.asset_serial)
                for revisit in state.revisits:
                    if revisit.status == "due" and revisit.due <= until:
                        calls.append(
                            _call(
                                state,
                                revisit.due,
                                revisit.channel,
                                revisit.attempts,
                                customer,
                                asset,
                            )
                        )
            return sorted(calls, key=lambda c: c.due)

    return await ctx.db(load)


def _call(
    state: ServiceRequestState,
    due: datetime,
    channel: str,
    attempts: int,
    customer: Customer | None,
    asset: Asset | None,
) -> RevisitCall:
    contact = state.contact
    phone = f"{contact.name} {contact.phone}" if contact else None
    if phone is None and customer is not None and customer.contact_phone:
        phone = f"{customer.contact_name or ''} {customer.contact_phone}".strip()
    if state.repair is not None:
        work = state.repair.work_done
    elif state.diagnosis is not None:
        work = state.diagnosis.notes
    else:
        work = state.outcome or ""
    return RevisitCall(
        number=state.number,
        due=due,
        channel=channel,
        attempts=attempts,
        customer_id=state.customer_id,
        customer_name=customer.name if customer else "",
        contact=phone,
        asset_serial=state.asset_serial,
        asset_model=asset.model if asset else None,
        fault_code=state.fault_code,
        work_done=work,
        engineer=state.engineer,
        closed_at=state.closed_at,
    )

"""Every route's ownership check, before anything is read for or sent to Temporal: a customer
key reaches its own customer's records only (anything else is "not found"), an engineer key
the requests assigned to it (403 naming the assigned engineer). The rule is
`models.ownership`; this module finds the owners of what a route names."""

from __future__ import annotations

from sqlalchemy import select

from api.context import Ctx
from api.problems import Problem
from db.tables import Asset, Intake, ServiceRequestRow
from identity.keys import Principal
from models.lifecycle import Role
from models.ownership import NOT_FOUND, NotYours, Owners, check_owner, sees_customer

#: Roles whose reach is limited to their own person's work.
LIMITED = frozenset({Role.CUSTOMER, Role.ENGINEER})


def _owners(ctx: Ctx, number: str) -> Owners | None:
    """The read model's customer and engineer; before the workflow's first record, the
    intake's customer (nobody is assigned yet)."""
    with ctx.sessions() as session:
        row = session.get(ServiceRequestRow, number)
        if row is not None:
            return Owners(customer_id=row.customer_id, engineer_id=row.engineer_id)
        start = session.scalar(select(Intake.start).where(Intake.number == number))
        return Owners(customer_id=start["customer_id"], engineer_id=None) if start else None


async def check_request(ctx: Ctx, who: Principal, number: str) -> None:
    """404 unless `who` may see request `number`; 403 for an engineer it is not assigned to."""
    if who.role not in LIMITED:
        return
    owners = await ctx.db(lambda: _owners(ctx, number))
    if owners is None:
        raise Problem(404, f"there is no service request {number}")
    try:
        check_owner(who.actor(), number, owners)
    except NotYours as exc:
        raise Problem(404 if exc.kind == NOT_FOUND else 403, exc.message) from None


def check_customer(who: Principal, customer_id: str) -> None:
    if not sees_customer(who.actor(), customer_id):
        raise Problem(404, f"there is no customer {customer_id!r}")


async def check_asset(ctx: Ctx, who: Principal, serial: str) -> None:
    if who.role != Role.CUSTOMER:
        return

    def owner() -> str | None:
        with ctx.sessions() as session:
            return session.scalar(select(Asset.customer_id).where(Asset.serial == serial))

    if await ctx.db(owner) != who.customer_id:
        raise Problem(404, f"there is no asset with serial {serial!r}")

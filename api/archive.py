"""`/v1/customers`, `/v1/assets`, `/v1/engineers`: the customer archive (SPEC §4).

Admins write; admins, supervisors, support, intake and dispatchers read (the same people as
for SLA profiles). Bodies and responses are SPEC §4's JSON shapes (`models/archive.py`), the
same models `manage.py import-archive` validates its rows with. A PUT is the whole record:
what it leaves out is removed (a site that assets stand on cannot be). Bad input is a 422
naming the field, an unknown id a 404, an existing one or a record still in use a 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from api.context import ARCHIVE_READERS, Admin, ArchiveReader, Ctx, require
from api.ownership import check_asset, check_customer
from api.records import (
    in_session,
    in_transaction,
    must_be_new,
    must_be_unused,
    must_exist,
    same_key,
)
from db import archive
from db.replacements import asset_view
from identity.keys import Principal
from models.archive import AssetRecord, AssetView, CustomerRecord, EngineerRecord, History, Page
from models.errors import invalid_fields
from models.lifecycle import Role

#: The archive's readers, and a customer for its own history.
HistoryReader = Annotated[Principal, Depends(require(*ARCHIVE_READERS, Role.CUSTOMER))]
customers = APIRouter(prefix="/v1/customers", tags=["customer archive"])
assets = APIRouter(prefix="/v1/assets", tags=["customer archive"])
engineers = APIRouter(prefix="/v1/engineers", tags=["customer archive"])
routers = (customers, assets, engineers)

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
HistoryLimit = Annotated[int, Query(ge=1, le=1000, description="at most this many entries")]
Region = Annotated[str | None, Query(description="only those in this region")]


# ------------------------------------------------------------------ helpers
def _apply(session: Session, plan: archive.Plan) -> None:
    if plan.problems:
        raise invalid_fields([{"field": p.field, "reason": p.reason} for p in plan.problems])
    plan.apply(session)


# ------------------------------------------------------------------ customers
@customers.get("", response_model=Page[CustomerRecord])
async def list_customers(
    ctx: Ctx,
    _: ArchiveReader,
    region: Region = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[CustomerRecord]:
    """Customers by id, with their sites and contacts."""
    return await in_session(ctx, lambda s: archive.list_customers(s, region, page, page_size))


@customers.get("/{customer_id}", response_model=CustomerRecord)
async def get_customer(customer_id: str, ctx: Ctx, _: ArchiveReader) -> CustomerRecord:
    found = await in_session(ctx, lambda s: archive.get_customer(s, customer_id))
    return must_exist(found, f"customer {customer_id!r}")


@customers.get("/{customer_id}/history", response_model=History)
async def customer_history(
    customer_id: str, ctx: Ctx, who: HistoryReader, limit: HistoryLimit = 200
) -> History:
    """The customer's service requests and the legacy repairs of its assets, newest first
    (a customer key: its own only)."""
    check_customer(who, customer_id)

    def load(session: Session) -> History:
        must_exist(archive.get_customer(session, customer_id), f"customer {customer_id!r}")
        return archive.customer_history(session, customer_id, ctx.settings.timezone, limit)

    return await in_session(ctx, load)


def _save_customer(session: Session, record: CustomerRecord) -> CustomerRecord:
    _apply(session, archive.plan_customers(session, [(1, record)]))
    return must_exist(archive.get_customer(session, record.id), f"customer {record.id!r}")


@customers.post("", status_code=201, response_model=CustomerRecord)
async def create_customer(body: CustomerRecord, ctx: Ctx, _: Admin) -> CustomerRecord:
    def create(session: Session) -> CustomerRecord:
        exists = archive.get_customer(session, body.id) is not None
        must_be_new(exists, f"customer {body.id!r}", f"PUT /v1/customers/{body.id} changes it")
        return _save_customer(session, body)

    return await in_transaction(ctx, create)


@customers.put("/{customer_id}", response_model=CustomerRecord)
async def replace_customer(
    customer_id: str, body: CustomerRecord, ctx: Ctx, _: Admin
) -> CustomerRecord:
    """The whole customer: sites and contacts left out are removed."""
    same_key("id", customer_id, body.id)

    def replace(session: Session) -> CustomerRecord:
        must_exist(archive.get_customer(session, customer_id), f"customer {customer_id!r}")
        return _save_customer(session, body)

    return await in_transaction(ctx, replace)


@customers.delete("/{customer_id}", status_code=204, response_class=Response)
async def delete_customer(customer_id: str, ctx: Ctx, _: Admin) -> Response:
    """Refused while the customer has assets or service requests; its sites and contacts go
    with it."""

    def remove(session: Session) -> None:
        must_exist(archive.get_customer(session, customer_id), f"customer {customer_id!r}")
        must_be_unused(
            archive.customer_uses(session, customer_id),
            f"customer {customer_id!r}",
            "delete or move its assets first; customers with service requests are kept",
        )
        archive.delete_customer(session, customer_id)

    await in_transaction(ctx, remove)
    return Response(status_code=204)


# ------------------------------------------------------------------ assets
@assets.get("", response_model=Page[AssetRecord])
async def list_assets(
    ctx: Ctx,
    _: ArchiveReader,
    customer_id: Annotated[str | None, Query(description="only this customer's")] = None,
    region: Region = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[AssetRecord]:
    """Assets by serial; an asset's region is its site's, or its customer's."""
    return await in_session(
        ctx, lambda s: archive.list_assets(s, customer_id, region, page, page_size)
    )


@assets.get("/{serial}", response_model=AssetView)
async def get_asset(serial: str, ctx: Ctx, _: ArchiveReader) -> AssetView:
    """The asset's record, with the unit that replaced it or that it replaced."""
    found = await in_session(ctx, lambda s: asset_view(s, serial))
    return must_exist(found, f"asset with serial {serial!r}")


@assets.get("/{serial}/history", response_model=History)
async def asset_history(
    serial: str, ctx: Ctx, who: HistoryReader, limit: HistoryLimit = 200
) -> History:
    """The asset's service requests and its legacy repairs, newest first (a customer key: its
    own assets only)."""
    await check_asset(ctx, who, serial)

    def load(session: Session) -> History:
        must_exist(archive.get_asset(session, serial), f"asset with serial {serial!r}")
        return archive.asset_history(session, serial, ctx.settings.timezone, limit)

    return await in_session(ctx, load)


def _save_asset(session: Session, record: AssetRecord) -> AssetRecord:
    _apply(session, archive.plan_assets(session, [(1, record)], keep_repairs=False))
    return must_exist(archive.get_asset(session, record.serial), f"asset {record.serial!r}")


@assets.post("", status_code=201, response_model=AssetRecord)
async def create_asset(body: AssetRecord, ctx: Ctx, _: Admin) -> AssetRecord:
    def create(session: Session) -> AssetRecord:
        exists = archive.get_asset(session, body.serial) is not None
        advice = f"PUT /v1/assets/{body.serial} changes it"
        must_be_new(exists, f"an asset with serial {body.serial!r}", advice)
        return _save_asset(session, body)

    return await in_transaction(ctx, create)


@assets.put("/{serial}", response_model=AssetRecord)
async def replace_asset(serial: str, body: AssetRecord, ctx: Ctx, _: Admin) -> AssetRecord:
    """The whole asset, its legacy `repairs` included (left out: removed)."""
    same_key("serial", serial, body.serial)

    def replace(session: Session) -> AssetRecord:
        must_exist(archive.get_asset(session, serial), f"asset with serial {serial!r}")
        return _save_asset(session, body)

    return await in_transaction(ctx, replace)


@assets.delete("/{serial}", status_code=204, response_class=Response)
async def delete_asset(serial: str, ctx: Ctx, _: Admin) -> Response:
    """Refused while service requests name the asset: their history needs it."""

    def remove(session: Session) -> None:
        must_exist(archive.get_asset(session, serial), f"asset with serial {serial!r}")
        must_be_unused(archive.asset_uses(session, serial), f"asset {serial!r}", "it is kept")
        archive.delete_asset(session, serial)

    await in_transaction(ctx, remove)
    return Response(status_code=204)


# ------------------------------------------------------------------ engineers
@engineers.get("", response_model=Page[EngineerRecord])
async def list_engineers(
    ctx: Ctx,
    _: ArchiveReader,
    region: Region = None,
    skill: Annotated[str | None, Query(description="only those with this skill")] = None,
    on_duty: Annotated[bool | None, Query()] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[EngineerRecord]:
    return await in_session(
        ctx, lambda s: archive.list_engineers(s, region, skill, on_duty, page, page_size)
    )


@engineers.get("/{engineer_id}", response_model=EngineerRecord)
async def get_engineer(engineer_id: str, ctx: Ctx, _: ArchiveReader) -> EngineerRecord:
    found = await in_session(ctx, lambda s: archive.get_engineer(s, engineer_id))
    return must_exist(found, f"engineer {engineer_id!r}")


@engineers.post("", status_code=201, response_model=EngineerRecord)
async def create_engineer(body: EngineerRecord, ctx: Ctx, _: Admin) -> EngineerRecord:
    def create(session: Session) -> EngineerRecord:
        exists = archive.get_engineer(session, body.id) is not None
        must_be_new(exists, f"engineer {body.id!r}", f"PUT /v1/engineers/{body.id} changes it")
        archive.save_engineer(session, body)
        return body

    return await in_transaction(ctx, create)


@engineers.put("/{engineer_id}", response_model=EngineerRecord)
async def replace_engineer(
    engineer_id: str, body: EngineerRecord, ctx: Ctx, _: Admin
) -> EngineerRecord:
    """The whole engineer; `on_duty` takes an engineer off auto-assignment and back."""
    same_key("id", engineer_id, body.id)

    def replace(session: Session) -> EngineerRecord:
        must_exist(archive.get_engineer(session, engineer_id), f"engineer {engineer_id!r}")
        archive.save_engineer(session, body)
        return body

    return await in_transaction(ctx, replace)


@engineers.delete("/{engineer_id}", status_code=204, response_class=Response)
async def delete_engineer(engineer_id: str, ctx: Ctx, _: Admin) -> Response:
    """Refused once service requests name the engineer; take them off duty instead."""

    def remove(session: Session) -> None:
        must_exist(archive.get_engineer(session, engineer_id), f"engineer {engineer_id!r}")
        must_be_unused(
            archive.engineer_uses(session, engineer_id),
            f"engineer {engineer_id!r}",
            "set on_duty to false instead",
        )
        archive.delete_engineer(session, engineer_id)

    await in_transaction(ctx, remove)
    return Response(status_code=204)

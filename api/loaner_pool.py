"""`/v1/loaner-units`: the loaner pool (备用机) — admin writes, the archive's readers read. A
unit a request has now is the workflow's until it is returned: it cannot be changed or deleted
(409); a unit out of use for good is `retired`, which keeps it out of every loan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api.archive import PageNumber, PageSize
from api.context import Admin, ArchiveReader, Ctx
from api.problems import Problem
from api.records import in_session, in_transaction, must_be_new, must_exist, same_key
from db.loaner_pool import list_loaners, loaner_view, save_loaner
from db.tables import LoanerUnit
from models.archive import Page
from models.loaners import LoanerStatus, LoanerUnitRecord, LoanerUnitView

router = APIRouter(prefix="/v1/loaner-units", tags=["Loaner pool"])


def _unit(session: Session, serial: str, *, to_write: bool = False) -> LoanerUnit:
    # Locked to write: a loan being made meanwhile (`issue_loaner` skips locked units) waits
    # for the edit, or the edit for the loan, and then sees the unit lent.
    return must_exist(
        session.get(LoanerUnit, serial, with_for_update=to_write), f"loaner unit {serial!r}"
    )


def _not_lent(unit: LoanerUnit, doing: str) -> None:
    if unit.issued_to is not None:
        since = f" since {unit.issued_at:%Y-%m-%d}" if unit.issued_at else ""
        raise Problem(
            409,
            f"loaner unit {unit.serial} is lent to {unit.issued_to}{since}: {doing} it once it "
            "is returned",
        )


@router.get("", response_model=Page[LoanerUnitView])
async def list_loaner_units(
    ctx: Ctx,
    _: ArchiveReader,
    category: Annotated[str | None, Query(description="only units of this category")] = None,
    status: Annotated[LoanerStatus | None, Query()] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[LoanerUnitView]:
    return await in_session(ctx, lambda s: list_loaners(s, category, status, page, page_size))


@router.get("/{serial}", response_model=LoanerUnitView)
async def get_loaner_unit(serial: str, ctx: Ctx, _: ArchiveReader) -> LoanerUnitView:
    return await in_session(ctx, lambda s: loaner_view(_unit(s, serial)))


@router.post("", status_code=201, response_model=LoanerUnitView)
async def create_loaner_unit(body: LoanerUnitRecord, ctx: Ctx, _: Admin) -> LoanerUnitView:
    def create(session: Session) -> LoanerUnitView:
        exists = session.get(LoanerUnit, body.serial) is not None
        advice = f"PUT /v1/loaner-units/{body.serial} changes it"
        must_be_new(exists, f"loaner unit {body.serial!r}", advice)
        return save_loaner(session, body)

    return await in_transaction(ctx, create)


@router.put("/{serial}", response_model=LoanerUnitView)
async def replace_loaner_unit(
    serial: str, body: LoanerUnitRecord, ctx: Ctx, _: Admin
) -> LoanerUnitView:
    """The whole unit: model, category, rank, and `retired` to take it out of the pool."""
    same_key("serial", serial, body.serial)

    def replace(session: Session) -> LoanerUnitView:
        _not_lent(_unit(session, serial, to_write=True), "change")
        return save_loaner(session, body)

    return await in_transaction(ctx, replace)


@router.delete("/{serial}", status_code=204, response_class=Response)
async def delete_loaner_unit(serial: str, ctx: Ctx, _: Admin) -> Response:
    def remove(session: Session) -> None:
        unit = _unit(session, serial, to_write=True)
        _not_lent(unit, "delete")
        session.delete(unit)

    await in_transaction(ctx, remove)
    return Response(status_code=204)

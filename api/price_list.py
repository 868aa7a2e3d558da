"""`/v1/price-list`: the price list (收费标准: parts, labour per hour, travel per region) — admin
writes, staff read — and `POST /v1/service-requests/{number}/quote-lines`, which draws a
quote's lines from it for the request's region and asset category."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from api.context import Admin, Ctx, Staff, require
from api.ownership import check_request
from api.problems import Problem
from api.service_requests import current_state
from db.price_list import delete_price, price_list, prices, put_price
from db.session import transaction
from db.tables import Asset
from fees import NotPriced, Wanted, draw_lines
from identity.keys import Principal
from models.actions import QuoteBody, QuoteLine
from models.errors import invalid_field
from models.fees import PRICE_CODE, DrawLinesBody, PriceBody, PriceKind, PriceView
from models.lifecycle import Role

router = APIRouter(tags=["Price list"])
CodeInPath = Annotated[str, Path(min_length=1, max_length=64, pattern=PRICE_CODE)]
QuoterRole = Annotated[Principal, Depends(require(Role.SUPPORT, Role.ENGINEER, Role.SUPERVISOR))]


async def _quoter(number: str, ctx: Ctx, who: QuoterRole) -> Principal:
    """Who quotes (support while diagnosing, the engineer on site, the supervisor), on a
    request they may work on: answered before the body is."""
    await check_request(ctx, who, number)
    return who


Quoter = Annotated[Principal, Depends(_quoter)]


@router.get("/v1/price-list", response_model=list[PriceView])
async def get_price_list(ctx: Ctx, _: Staff) -> list[PriceView]:
    def load() -> list[PriceView]:
        with ctx.sessions() as session:
            return price_list(session)

    return await ctx.db(load)


@router.put("/v1/price-list/{kind}/{code}", response_model=PriceView)
async def set_price(
    kind: PriceKind, code: CodeInPath, body: PriceBody, ctx: Ctx, _: Admin
) -> PriceView:
    """Add or change one price; `code` is the part number, the labour rate's asset category
    (`*`: any category) or the travel fee's region."""

    def write() -> PriceView:
        with transaction(ctx.sessions) as session:
            return put_price(session, kind, code, body)

    return await ctx.db(write)


@router.delete("/v1/price-list/{kind}/{code}", status_code=204, response_class=Response)
async def remove_price(kind: PriceKind, code: CodeInPath, ctx: Ctx, _: Admin) -> Response:
    def remove() -> bool:
        with transaction(ctx.sessions) as session:
            return delete_price(session, kind, code)

    if not await ctx.db(remove):
        raise Problem(404, f"there is no {kind} price {code!r}")
    return Response(status_code=204)


@router.post("/v1/service-requests/{number}/quote-lines", response_model=QuoteBody)
async def quote_lines(number: str, body: DrawLinesBody, ctx: Ctx, who: Quoter) -> QuoteBody:
    """The quote's lines priced from the list, to send with the `quote` action as they are
    (the amounts stay the quote's: a price changed later does not change it)."""
    state = await current_state(ctx, number)

    def draw() -> QuoteBody:
        with ctx.sessions() as session:
            asset = session.get(Asset, state.asset_serial) if state.asset_serial else None
            listed = prices(session)
        wanted = [Wanted(w.kind, w.part_no, w.qty, w.hours) for w in body.lines]
        try:
            drawn = draw_lines(wanted, listed, state.region, asset.category if asset else "")
        except NotPriced as missing:
            raise invalid_field(missing.field, missing.reason) from None
        return QuoteBody(
            lines=[
                QuoteLine(kind=d.kind, description=d.description, amount=d.amount) for d in drawn
            ]
        )

    return await ctx.db(draw)

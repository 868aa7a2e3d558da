"""The price list and the quote lines drawn from it, as the API takes and gives them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.actions import ShortText

PriceKind = Literal["part", "labour", "travel"]
#: A part's number, a labour rate's asset category or `*` (any), a travel fee's region: an
#: identifier as the archive writes them, so it fits the column and a URL's path.
PRICE_CODE = r"^(\*|[A-Za-z0-9][A-Za-z0-9_.:-]*)$"
PriceCode = Annotated[str, Field(min_length=1, max_length=64, pattern=PRICE_CODE)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, le=10_000, max_digits=8, decimal_places=2)]


class PriceBody(BaseModel):
    """One price of the list, as an admin writes it (`PUT /v1/price-list/{kind}/{code}`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: ShortText
    unit_price: Money


class PriceView(PriceBody):
    kind: PriceKind
    code: PriceCode


class WantedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: PriceKind
    part_no: ShortText | None = None
    qty: Quantity = Decimal(1)
    hours: Quantity = Decimal(1)


class DrawLinesBody(BaseModel):
    """What the quote is to charge; the answer is the quote's lines, priced from the list for
    the request's region and asset category, to send with the `quote` action as they are."""

    model_config = ConfigDict(extra="forbid")

    lines: Annotated[list[WantedLine], Field(min_length=1, max_length=100)]

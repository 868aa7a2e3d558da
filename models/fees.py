"""The price list and the quote lines drawn from it, as the API takes and gives them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.actions import ShortText
from models.common import Identifier

PriceKind = Literal["part", "labour", "travel"]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, le=10_000, max_digits=8, decimal_places=2)]


class PriceBody(BaseModel):
    """One price of the list, as an admin writes it (`PUT /v1/price-list/{kind}/{code}`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: ShortText
    unit_price: Money


class PriceView(PriceBody):
    kind: PriceKind
    #: A part's number, a labour rate's asset category (`*`: any), a travel fee's region.
    code: Identifier | str


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

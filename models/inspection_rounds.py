"""An inspection round (巡检轮次, 003): every inspection one run of a contract's schedule
registered, reported on in one round report the customer signs once, with the company's stamp."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.actions import ChecklistItem, Rating, SignaturePng, png_bytes

ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class RoundItem(BaseModel):
    """One asset of the round and its inspection's record."""

    number: str
    asset_serial: str
    model: str | None
    stage: str
    engineer: str | None
    #: The engineer's checklist (empty until the inspection is reported).
    checklist: list[ChecklistItem]
    reported_at: datetime | None

    @property
    def reported(self) -> bool:
        return self.reported_at is not None

    @property
    def all_ok(self) -> bool:
        return self.reported and all(item.ok for item in self.checklist)


class RoundSignature(BaseModel):
    signer: str
    signed_at: datetime
    sha256: str
    stamped: bool


class InspectionRound(BaseModel):
    schedule_id: str
    date: date
    customer_id: str
    customer_name: str
    items: list[RoundItem]
    signature: RoundSignature | None = None

    @property
    def complete(self) -> bool:
        """Every inspection of the round reported."""
        return all(item.reported for item in self.items)


class SignRoundBody(BaseModel):
    """The customer's one signature under the round report, drawn or typed, the company's
    stamp (公章) as an uploaded PNG, and the ratings of the round's service: the signature
    and ratings each inspection's own request is signed with."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    signer: ShortText
    signature_png: SignaturePng | None = None
    typed_name: ShortText | None = None
    stamp_png: SignaturePng
    quality: Rating
    attitude: Rating

    @model_validator(mode="after")
    def _images(self) -> Self:
        if (self.signature_png is None) == (self.typed_name is None):
            raise ValueError("give exactly one of signature_png (drawn) or typed_name")
        if self.signature_png is not None:
            png_bytes(self.signature_png, "signature_png")
        png_bytes(self.stamp_png, "stamp_png")
        return self

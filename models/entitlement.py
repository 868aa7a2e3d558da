"""Warranty and entitlement (三包) as stored on a request (SPEC §4)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

WarrantyStatus = Literal["in_warranty", "out_of_warranty", "rework"]
Remedy = Literal["return", "exchange", "repair", "replacement", "paid_repair", "rework"]


class Entitlement(BaseModel):
    status: WarrantyStatus
    warranty_start: date | None
    warranty_end: date | None
    remedies: list[Remedy]
    chargeable: bool

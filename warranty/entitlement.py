"""Warranty period and the remedies a customer is entitled to on a given day.

This covers the warranty start basis, the term in months, the 7- and 15-day windows and
paid repair after the warranty; the repair-days extension, the holiday roll-forward,
replacement after repeated repairs and the repair warranty come with the customer archive.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from models.entitlement import Entitlement, Remedy

RETURN_DAYS, EXCHANGE_DAYS = 7, 15


@dataclass(frozen=True)
class WarrantyTerms:
    start_basis: Literal["invoice", "acceptance_next_day"]
    months: int
    invoice_date: date | None
    acceptance_date: date | None


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_start(terms: WarrantyTerms) -> date | None:
    if terms.start_basis == "acceptance_next_day":
        return terms.acceptance_date + timedelta(days=1) if terms.acceptance_date else None
    return terms.invoice_date


def warranty_end(terms: WarrantyTerms) -> date | None:
    """Inclusive: start + months − 1 day."""
    start = warranty_start(terms)
    return add_months(start, terms.months) - timedelta(days=1) if start else None


def entitlement(terms: WarrantyTerms, reported_on: date) -> Entitlement:
    start, end = warranty_start(terms), warranty_end(terms)
    if start is None or end is None or not start <= reported_on <= end:
        return Entitlement(
            status="out_of_warranty",
            warranty_start=start,
            warranty_end=end,
            remedies=["paid_repair"],
            chargeable=True,
        )
    remedies: list[Remedy] = ["repair"]
    if terms.invoice_date is not None:
        day = (reported_on - terms.invoice_date).days + 1  # day 1 = the invoice date
        if day <= RETURN_DAYS:
            remedies = ["return", "exchange", "repair"]
        elif day <= EXCHANGE_DAYS:
            remedies = ["exchange", "repair"]
    return Entitlement(
        status="in_warranty",
        warranty_start=start,
        warranty_end=end,
        remedies=remedies,
        chargeable=False,
    )

"""When an asset's next maintenance is due (保养计划, seed 001): the interval counted from the
last inspection or repair, or from the day the asset went into service. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from warranty.entitlement import add_months


def last_service(ends: Iterable[date | None]) -> date | None:
    """The latest of the days inspections and repairs ended."""
    return max((day for day in ends if day is not None), default=None)


def counted_from(
    last: date | None, acceptance_date: date | None, invoice_date: date | None
) -> date | None:
    """The last service, else acceptance, else the invoice."""
    return last or acceptance_date or invoice_date


def next_maintenance(interval_months: int | None, since: date | None) -> date | None:
    """`interval_months` after `since`, clamped to a short month's last day (31 January and
    one month: 28 or 29 February); None without an interval or a day to count from."""
    if interval_months is None or since is None:
        return None
    return add_months(since, interval_months)

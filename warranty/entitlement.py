"""Warranty period and the remedies a customer is entitled to on a given day (三包, SPEC §4).

- Warranty start: the invoice date, or the day after acceptance.
- Warranty end (inclusive): start + months − 1 day, extended by the days spent in in-warranty
  repairs (each repair counts whole days from registered to resolved, both included; a repair
  registered during an extension extends it further), then moved past the holidays of the
  customer's office calendar.
- A fault of a component with its own term (e.g. `{"bulb": 6}`) uses that term: the fault code
  names the component (`BULB`, or `BULB_…`). A replaced component's term is the one it was
  given when fitted (`fitted_components`: from that day to its end).
- A unit that inherited the rest of the unit it replaced ends on that one's end
  (`inherited_end`), then is extended by its own repairs like any other.
- Day 1 is the invoice date: up to day 7 return / exchange / repair, days 8–15 exchange /
  repair, then repair, plus replacement once the asset had 2 repairs of the same fault in
  warranty. Cover begins at the sale: a fault between invoice and acceptance is covered too.
- After the warranty: paid repair, except a re-failure of a fault repaired in the last
  `repair_warranty_months` (re-repaired free: `rework`).
- An exclusion marked by the engineer (human damage, misuse, …) makes the work chargeable.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, overload

from models.entitlement import Entitlement, Remedy

RETURN_DAYS, EXCHANGE_DAYS = 7, 15
REPLACEMENT_AFTER_REPAIRS = 2
#: Outcomes that were a repair of the fault (a declined quote or a cancellation was not).
REPAIRED = frozenset({"fixed", "replaced", "resolved_remotely", "repaired"})


@dataclass(frozen=True)
class WarrantyTerms:
    start_basis: Literal["invoice", "acceptance_next_day"]
    months: int
    invoice_date: date | None
    acceptance_date: date | None
    components: Mapping[str, int] = field(default_factory=dict)
    repair_warranty_months: int = 3
    inherited_end: date | None = None
    #: component -> (fitted on, term ends on).
    fitted_components: Mapping[str, tuple[date, date]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, warranty: Mapping[str, Any], invoice: date | None, acceptance: date | None
    ) -> WarrantyTerms:
        """From an asset's `warranty` document."""
        return cls(
            start_basis=warranty.get("start_basis", "invoice"),
            months=int(warranty.get("months", 12)),
            invoice_date=invoice,
            acceptance_date=acceptance,
            components={str(k).lower(): int(v) for k, v in warranty.get("components", {}).items()},
            repair_warranty_months=int(warranty.get("repair_warranty_months", 3)),
            inherited_end=_date(warranty.get("inherited_end")),
            fitted_components={
                str(k).lower(): (_date(v["fitted_on"]), _date(v["ends_on"]))
                for k, v in warranty.get("fitted_components", {}).items()
            },
        )


@overload
def _date(value: date | str) -> date: ...
@overload
def _date(value: None) -> None: ...
def _date(value: date | str | None) -> date | None:
    """A stored document's date (JSON keeps it as ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Repair:
    """One earlier repair of the asset (imported history or a request handled here)."""

    fault_code: str
    registered_on: date
    resolved_on: date | None
    outcome: str

    @property
    def days(self) -> int:
        return (self.resolved_on - self.registered_on).days + 1 if self.resolved_on else 0

    @property
    def repaired(self) -> bool:
        return self.resolved_on is not None and self.outcome in REPAIRED


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later, clamped to the month's last day (and to the last
    date there is, so absurd data gives a far-future answer rather than an error)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def component_for(fault_code: str | None, components: Mapping[str, int]) -> str | None:
    if not fault_code:
        return None
    code = fault_code.lower()
    return next((c for c in components if code == c or code.startswith(f"{c}_")), None)


def warranty_start(terms: WarrantyTerms) -> date | None:
    if terms.start_basis == "acceptance_next_day":
        return add_days(terms.acceptance_date, 1) if terms.acceptance_date else None
    return terms.invoice_date


def warranty_end(
    terms: WarrantyTerms,
    repairs: Iterable[Repair] = (),
    holidays: Collection[date] = frozenset(),
    fault_code: str | None = None,
) -> date | None:
    start = warranty_start(terms)
    if start is None:
        return None
    component = component_for(fault_code, terms.components)
    if component is None:
        end = terms.inherited_end or add_days(add_months(start, terms.months), -1)
    elif component in terms.fitted_components:
        start, end = terms.fitted_components[component]
    else:
        end = add_days(add_months(start, terms.components[component]), -1)
    for repair in sorted(repairs, key=lambda r: r.registered_on):
        if repair.repaired and start <= repair.registered_on <= end:
            end = add_days(end, repair.days)
    while end in holidays and end < date.max:
        end = add_days(end, 1)
    return end


def entitlement(
    terms: WarrantyTerms,
    reported_on: date,
    fault_code: str | None = None,
    repairs: Iterable[Repair] = (),
    holidays: Collection[date] = frozenset(),
    exclusion: str | None = None,
) -> Entitlement:
    # Repairs before this report, the same day's included: a re-failure reported a minute
    # after a repair was finished follows that repair.
    history = [
        r
        for r in repairs
        if r.registered_on <= reported_on
        and (r.resolved_on is None or r.resolved_on <= reported_on)
    ]
    start = warranty_start(terms)
    end = warranty_end(terms, history, holidays, fault_code)
    same_fault = [r for r in history if r.repaired and r.fault_code == fault_code]
    # Covered from the sale: before acceptance the seller still answers for the equipment.
    covered_from = min(d for d in (start, terms.invoice_date) if d is not None) if start else None
    if covered_from is not None and end is not None and covered_from <= reported_on <= end:
        remedies: list[Remedy] = ["repair"]
        if terms.invoice_date is not None:
            day = (reported_on - terms.invoice_date).days + 1  # day 1 = the invoice date
            if day <= RETURN_DAYS:
                remedies = ["return", "exchange", "repair"]
            elif day <= EXCHANGE_DAYS:
                remedies = ["exchange", "repair"]
        in_warranty = [r for r in same_fault if covered_from <= r.registered_on <= end]
        if len(in_warranty) >= REPLACEMENT_AFTER_REPAIRS:
            remedies.append("replacement")
        result = Entitlement(
            status="in_warranty",
            warranty_start=start,
            warranty_end=end,
            remedies=remedies,
            chargeable=False,
        )
    elif any(
        r.resolved_on and reported_on <= add_months(r.resolved_on, terms.repair_warranty_months)
        for r in same_fault
    ):
        result = Entitlement(
            status="rework",
            warranty_start=start,
            warranty_end=end,
            remedies=["rework"],
            chargeable=False,
        )
    else:
        result = Entitlement(
            status="out_of_warranty",
            warranty_start=start,
            warranty_end=end,
            remedies=["paid_repair"],
            chargeable=True,
        )
    if exclusion is not None:
        return result.model_copy(update={"remedies": ["paid_repair"], "chargeable": True})
    return result

"""What replaces a unit or a component gets its own warranty (P9, 003, 004).

- A new unit (整机更换) takes the old one's place: same customer, site, category and terms.
  Under `inherit` it keeps the old one's start and ends when the old one would have (its
  repairs' extension and the holidays included, as on the day it is fitted); under `restart`
  its term starts the day it is fitted, as a sale would (the 三包 day count with it). Either
  way the profile's `extension_months` is added, and its components are new: each one's own
  term starts that day.
- A replaced component (e.g. a bulb) gets a new term of its own from the day it is fitted,
  plus the profile's `extension_months`; the unit's term is unchanged.

What the arithmetic gives beyond the archive's calendar (`LAST_DAY`, `MAX_MONTHS`) is kept at
its edge: a term that long is as good as unlimited, and the record must not fail on it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from models.archive import LAST_DAY, MAX_MONTHS, AssetRecord, FittedComponent, Warranty
from models.profile import ReplacementPolicy
from warranty.entitlement import Repair, WarrantyTerms, add_days, add_months, warranty_end

#: 三包: an exchanged product's term counts anew from the exchange, whatever the profile says
#: of units replaced on a repair.
EXCHANGE = ReplacementPolicy(unit_warranty="restart", extension_months=0)


def replacement_unit(
    old: AssetRecord,
    serial: str,
    model: str | None,
    fitted_on: date,
    policy: ReplacementPolicy,
    history: Iterable[Repair] = (),
    holidays: Collection[date] = frozenset(),
) -> AssetRecord:
    """The archive record of the unit `serial` fitted on `fitted_on` in `old`'s place."""
    if policy.unit_warranty == "restart":
        warranty = old.warranty.model_copy(
            update={
                "start_basis": "invoice",
                "months": min(old.warranty.months + policy.extension_months, MAX_MONTHS),
                "inherited_end": None,
                "fitted_components": {},  # they start with the unit
            }
        )
        dates = {"invoice_date": fitted_on, "acceptance_date": None}
    else:
        terms = WarrantyTerms.of(
            old.warranty.model_dump(mode="json"), old.invoice_date, old.acceptance_date
        )
        old_end = warranty_end(terms, history, holidays)
        end = min(add_months(old_end, policy.extension_months), LAST_DAY) if old_end else None
        components = {
            name: fitted(fitted_on, months, 0) for name, months in old.warranty.components.items()
        }
        warranty = old.warranty.model_copy(
            update={"inherited_end": end, "fitted_components": components}
        )
        dates = {"invoice_date": old.invoice_date, "acceptance_date": old.acceptance_date}
    return old.model_copy(
        update={
            "serial": serial,
            "model": model or old.model,
            "warranty": Warranty.model_validate(warranty.model_dump()),
            "repairs": [],
            "manufacture_date": None,
        }
        | dates
    )


def with_fitted_components(
    warranty: Warranty, names: Iterable[str], fitted_on: date, policy: ReplacementPolicy
) -> Warranty:
    """`warranty` with the terms of the components `names` restarted on `fitted_on`; a name
    without a term of its own is a part under the unit's warranty and changes nothing."""
    terms = {name.lower(): name for name in warranty.components}
    restarted = {
        terms[name.lower()]: fitted(
            fitted_on, warranty.components[terms[name.lower()]], policy.extension_months
        )
        for name in names
        if name.lower() in terms
    }
    if not restarted:
        return warranty
    return warranty.model_copy(update={"fitted_components": warranty.fitted_components | restarted})


def fitted(on: date, months: int, extension_months: int) -> FittedComponent:
    """A part fitted `on` a day with a term of `months` (plus the extension)."""
    ends_on = add_days(add_months(on, months + extension_months), -1)
    return FittedComponent(fitted_on=on, ends_on=min(ends_on, LAST_DAY))

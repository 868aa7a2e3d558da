"""Warranty period and remedies (三包) of SPEC §4."""

from datetime import date

import pytest

from warranty.entitlement import (
    WarrantyTerms,
    add_months,
    entitlement,
    warranty_end,
    warranty_start,
)

INVOICED = WarrantyTerms("invoice", 12, date(2026, 1, 10), date(2026, 1, 20))
ACCEPTED = WarrantyTerms("acceptance_next_day", 12, date(2026, 1, 10), date(2026, 1, 20))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 14, date(2028, 1, 30)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
        (date(2026, 1, 10), 12, date(2027, 1, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("terms", "start", "end"),
    [
        (INVOICED, date(2026, 1, 10), date(2027, 1, 9)),
        (ACCEPTED, date(2026, 1, 21), date(2027, 1, 20)),
        (
            WarrantyTerms("invoice", 1, date(2026, 1, 31), None),
            date(2026, 1, 31),
            date(2026, 2, 27),
        ),
        (
            WarrantyTerms("invoice", 6, date(2026, 8, 31), None),
            date(2026, 8, 31),
            date(2027, 2, 27),
        ),
        (
            WarrantyTerms("acceptance_next_day", 1, None, date(2026, 12, 31)),
            date(2027, 1, 1),
            date(2027, 1, 31),
        ),
        (WarrantyTerms("invoice", 12, None, date(2026, 1, 20)), None, None),
        (WarrantyTerms("acceptance_next_day", 12, date(2026, 1, 10), None), None, None),
    ],
)
def test_warranty_start_and_inclusive_end(terms, start, end):
    assert warranty_start(terms) == start
    assert warranty_end(terms) == end


@pytest.mark.parametrize(
    ("terms", "reported_on", "remedies"),
    [
        (INVOICED, date(2026, 1, 10), ["return", "exchange", "repair"]),  # day 1
        (INVOICED, date(2026, 1, 16), ["return", "exchange", "repair"]),  # day 7
        (INVOICED, date(2026, 1, 17), ["exchange", "repair"]),  # day 8
        (INVOICED, date(2026, 1, 24), ["exchange", "repair"]),  # day 15
        (INVOICED, date(2026, 1, 25), ["repair"]),  # day 16
        (INVOICED, date(2027, 1, 9), ["repair"]),  # last day of the warranty
        (ACCEPTED, date(2026, 1, 21), ["exchange", "repair"]),  # day 12 from the invoice
        (ACCEPTED, date(2027, 1, 20), ["repair"]),
    ],
)
def test_in_warranty_remedies(terms, reported_on, remedies):
    result = entitlement(terms, reported_on)
    assert result.status == "in_warranty"
    assert result.remedies == remedies
    assert result.chargeable is False
    assert (result.warranty_start, result.warranty_end) == (
        warranty_start(terms),
        warranty_end(terms),
    )


@pytest.mark.parametrize(
    ("terms", "reported_on"),
    [
        (INVOICED, date(2027, 1, 10)),  # the day after the warranty end
        (INVOICED, date(2026, 1, 9)),  # before the invoice
        (ACCEPTED, date(2027, 1, 21)),
        (WarrantyTerms("invoice", 12, None, None), date(2026, 6, 1)),
        (WarrantyTerms("acceptance_next_day", 12, date(2026, 1, 10), None), date(2026, 1, 11)),
    ],
)
def test_out_of_warranty_is_paid_repair(terms, reported_on):
    result = entitlement(terms, reported_on)
    assert result.status == "out_of_warranty"
    assert result.remedies == ["paid_repair"]
    assert result.chargeable is True

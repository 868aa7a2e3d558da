"""Entitlement (三包) exactly per SPEC §4: components, repair-day extension, holiday
roll-forward, replacement, the 3-month repair warranty and exclusions."""

from __future__ import annotations

from datetime import date

import pytest

from warranty.entitlement import Repair, WarrantyTerms, entitlement, warranty_end

TERMS = WarrantyTerms("invoice", 12, date(2026, 1, 10), None, components={"bulb": 6})
# base warranty: 2026-01-10 .. 2027-01-09


def repair(fault: str, registered: str, resolved: str | None, outcome: str = "fixed") -> Repair:
    return Repair(
        fault_code=fault,
        registered_on=date.fromisoformat(registered),
        resolved_on=date.fromisoformat(resolved) if resolved else None,
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("fault", "on", "status"),
    [
        ("NO_POWER", "2026-08-01", "in_warranty"),
        ("BULB", "2026-07-09", "in_warranty"),  # bulb: 6 months → 2026-07-09
        ("BULB", "2026-07-10", "out_of_warranty"),
        ("BULB_DIM", "2026-07-10", "out_of_warranty"),  # a fault of the bulb too
        ("BULBOUS", "2026-07-10", "in_warranty"),  # not the bulb
    ],
)
def test_component_terms(fault, on, status):
    assert entitlement(TERMS, date.fromisoformat(on), fault).status == status


def test_repair_days_extend_the_warranty():
    history = [
        repair("NO_POWER", "2026-03-01", "2026-03-05"),  # 5 days, both counted
        repair("FAN", "2026-06-10", "2026-06-10"),  # 1 day
        repair("FAN", "2026-07-01", None),  # unresolved: no days yet
        repair("FAN", "2026-08-01", "2026-08-03", outcome="declined"),  # not a repair
    ]
    assert warranty_end(TERMS, history) == date(2027, 1, 15)
    assert entitlement(TERMS, date(2027, 1, 15), "X", history).status == "in_warranty"
    assert entitlement(TERMS, date(2027, 1, 16), "X", history).status == "out_of_warranty"


def test_a_repair_during_the_extension_extends_it_again():
    history = [
        repair("NO_POWER", "2026-03-01", "2026-03-05"),  # → 2027-01-14
        repair("NO_POWER", "2027-01-12", "2027-01-13"),  # registered in the extension: +2
    ]
    assert warranty_end(TERMS, history) == date(2027, 1, 16)


def test_only_earlier_repairs_count():
    later = [repair("NO_POWER", "2026-09-01", "2026-09-30")]
    assert entitlement(TERMS, date(2026, 8, 1), "X", later).warranty_end == date(2027, 1, 9)


def test_an_end_on_a_holiday_moves_to_the_next_date_that_is_not():
    terms = WarrantyTerms("invoice", 12, date(2025, 10, 2), None)  # ends 2026-10-01
    holidays = {date(2026, 10, 1), date(2026, 10, 2)}
    assert warranty_end(terms) == date(2026, 10, 1)
    assert warranty_end(terms, holidays=holidays) == date(2026, 10, 3)
    assert entitlement(terms, date(2026, 10, 3), "X", holidays=holidays).status == "in_warranty"


def test_replacement_after_two_repairs_of_the_same_fault():
    one = [repair("NO_POWER", "2026-03-01", "2026-03-02")]
    two = [*one, repair("NO_POWER", "2026-05-01", "2026-05-01")]
    other = [*one, repair("FAN", "2026-05-01", "2026-05-01")]
    assert "replacement" not in entitlement(TERMS, date(2026, 6, 1), "NO_POWER", one).remedies
    assert entitlement(TERMS, date(2026, 6, 1), "NO_POWER", two).remedies == [
        "repair",
        "replacement",
    ]
    assert "replacement" not in entitlement(TERMS, date(2026, 6, 1), "NO_POWER", other).remedies


def test_a_refailure_within_three_months_of_a_repair_is_free_rework():
    history = [repair("NO_POWER", "2027-02-01", "2027-02-10")]  # a paid repair after warranty
    rework = entitlement(TERMS, date(2027, 5, 10), "NO_POWER", history)
    assert (rework.status, rework.remedies, rework.chargeable) == ("rework", ["rework"], False)
    late = entitlement(TERMS, date(2027, 5, 11), "NO_POWER", history)
    assert (late.status, late.remedies, late.chargeable) == (
        "out_of_warranty",
        ["paid_repair"],
        True,
    )
    other_fault = entitlement(TERMS, date(2027, 3, 1), "FAN", history)
    assert other_fault.status == "out_of_warranty"


def test_the_repair_warranty_term_is_configurable():
    terms = WarrantyTerms.of(
        {"start_basis": "invoice", "months": 12, "repair_warranty_months": 1},
        date(2026, 1, 10),
        None,
    )
    history = [repair("NO_POWER", "2027-02-01", "2027-02-10")]
    assert entitlement(terms, date(2027, 3, 10), "NO_POWER", history).status == "rework"
    assert entitlement(terms, date(2027, 3, 11), "NO_POWER", history).status == "out_of_warranty"


def test_an_exclusion_makes_the_work_chargeable():
    excluded = entitlement(TERMS, date(2026, 6, 1), "CASING", exclusion="human_damage")
    assert excluded.status == "in_warranty"
    assert (excluded.remedies, excluded.chargeable) == (["paid_repair"], True)


def test_the_seven_and_fifteen_day_windows_count_the_invoice_day_as_day_one():
    assert entitlement(TERMS, date(2026, 1, 16), "X").remedies == ["return", "exchange", "repair"]
    assert entitlement(TERMS, date(2026, 1, 17), "X").remedies == ["exchange", "repair"]
    assert entitlement(TERMS, date(2026, 1, 24), "X").remedies == ["exchange", "repair"]
    assert entitlement(TERMS, date(2026, 1, 25), "X").remedies == ["repair"]


def test_absurd_dates_give_a_far_future_end_not_an_error():
    terms = WarrantyTerms("invoice", 600, date(9999, 6, 1), None)
    assert warranty_end(terms) >= date(9999, 12, 30)
    far = [repair("X", "9999-12-30", "9999-12-31")]
    assert entitlement(TERMS, date(2026, 6, 1), "X", far).status == "in_warranty"


def test_a_re_failure_reported_the_day_of_the_repair_is_rework():
    """A rework request opened a minute after the repair it follows (an unhappy revisit) is
    free rework, not out of warranty: the same day's finished repair is history."""
    old = WarrantyTerms("invoice", 12, date(2024, 9, 1), None)  # out of warranty by 2026
    same_day = [repair("NO_SOUND", "2026-11-20", "2026-11-20")]
    result = entitlement(old, date(2026, 11, 20), "NO_SOUND", same_day)
    assert (result.status, result.chargeable, result.remedies) == ("rework", False, ["rework"])
    # a repair still open that day, or one registered later, is not history yet
    open_repair = [repair("NO_SOUND", "2026-11-20", "2026-11-21")]
    assert entitlement(old, date(2026, 11, 20), "NO_SOUND", open_repair).status == (
        "out_of_warranty"
    )

"""The warranty of what replaces a unit or a component (P9, 003, 004): exact cases of both
policies and of a fitted component, and properties over any dates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.archive import LAST_DAY, AssetRecord, FittedComponent, Warranty
from models.profile import ReplacementPolicy
from warranty.entitlement import Repair, WarrantyTerms, entitlement, warranty_end
from warranty.replacement import replacement_unit, with_fitted_components

OLD = AssetRecord(
    serial="PJ-1",
    model="EB-X51",
    category="projector",
    customer_id="C1",
    site_id="S1",
    invoice_date=date(2026, 3, 10),
    manufacture_date=date(2026, 1, 5),
    warranty=Warranty(months=24, components={"bulb": 6}, repair_warranty_months=3),
    repairs=[{"fault_code": "NO_POWER", "registered_at": "2026-05-01"}],
    purpose="教室 classroom",
    capability_rank=3,
)
FITTED = date(2026, 12, 2)
INHERIT = ReplacementPolicy(unit_warranty="inherit", extension_months=0)
RESTART = ReplacementPolicy(unit_warranty="restart", extension_months=0)


def terms(record: AssetRecord) -> WarrantyTerms:
    return WarrantyTerms.of(
        record.warranty.model_dump(mode="json"), record.invoice_date, record.acceptance_date
    )


def test_an_inheriting_unit_ends_when_the_old_one_would_have_with_its_repair_days() -> None:
    # The old unit: 2026-03-10 + 24 months − 1 day = 2028-03-09, plus a 3-day repair.
    repair = Repair("NO_POWER", date(2026, 5, 1), date(2026, 5, 3), "fixed")
    new = replacement_unit(OLD, "PJ-2", None, FITTED, INHERIT, [repair])
    assert new.warranty.inherited_end == date(2028, 3, 12)
    assert warranty_end(terms(new)) == date(2028, 3, 12)
    # Same place, same terms, same sale: the 三包 day count goes on from the old invoice.
    assert (new.serial, new.model, new.customer_id, new.site_id) == ("PJ-2", "EB-X51", "C1", "S1")
    assert new.invoice_date == date(2026, 3, 10) and new.warranty.months == 24
    assert (new.purpose, new.capability_rank) == ("教室 classroom", 3)
    # A new unit has no history and no manufacture date of the old one's.
    assert new.repairs == [] and new.manufacture_date is None
    # Its bulb is new: six months from the day it was fitted.
    assert new.warranty.fitted_components == {
        "bulb": FittedComponent(fitted_on=FITTED, ends_on=date(2027, 6, 1))
    }


def test_the_extension_is_added_to_either_policy() -> None:
    extended = INHERIT.model_copy(update={"extension_months": 3})
    assert replacement_unit(OLD, "PJ-2", None, FITTED, extended).warranty.inherited_end == date(
        2028, 6, 9
    )
    restarted = replacement_unit(
        OLD, "PJ-2", None, FITTED, RESTART.model_copy(update=extended_by(3))
    )
    assert warranty_end(terms(restarted)) == date(2029, 3, 1)  # 2026-12-02 + 27 months − 1


def extended_by(months: int) -> dict[str, int]:
    return {"extension_months": months}


def test_a_restarting_unit_counts_its_term_and_the_三包_days_from_the_day_it_is_fitted() -> None:
    new = replacement_unit(OLD, "PJ-2", "EB-X52", FITTED, RESTART)
    assert new.model == "EB-X52"
    assert (new.invoice_date, new.acceptance_date) == (FITTED, None)
    assert new.warranty.start_basis == "invoice" and new.warranty.inherited_end is None
    assert warranty_end(terms(new)) == date(2028, 12, 1)
    # Its bulb starts with it, without an entry of its own.
    assert new.warranty.fitted_components == {}
    assert warranty_end(terms(new), fault_code="BULB_DIM") == date(2027, 6, 1)
    # Day 3 after the fitting: return, exchange or repair, as after a sale.
    found = entitlement(terms(new), FITTED + timedelta(days=2), "NO_POWER")
    assert found.remedies == ["return", "exchange", "repair"]


def test_an_acceptance_based_unit_restarts_on_the_fitting_day() -> None:
    accepted = OLD.model_copy(
        update={
            "warranty": OLD.warranty.model_copy(update={"start_basis": "acceptance_next_day"}),
            "acceptance_date": date(2026, 3, 20),
        }
    )
    new = replacement_unit(accepted, "PJ-2", None, FITTED, RESTART)
    assert new.warranty.start_basis == "invoice" and new.invoice_date == FITTED
    inherited = replacement_unit(accepted, "PJ-2", None, FITTED, INHERIT)
    assert inherited.acceptance_date == date(2026, 3, 20)
    assert inherited.warranty.inherited_end == date(2028, 3, 20)  # from 03-21, 24 months


def test_a_fitted_component_restarts_its_own_term_and_leaves_the_unit_s_alone() -> None:
    policy = INHERIT.model_copy(update=extended_by(2))
    fitted = with_fitted_components(OLD.warranty, ["BULB", "fan"], FITTED, policy)
    # bulb: 6 + 2 months from 2026-12-02; fan has no term of its own: a part like any other.
    assert fitted.fitted_components == {
        "bulb": FittedComponent(fitted_on=FITTED, ends_on=date(2027, 8, 1))
    }
    fitted_terms = WarrantyTerms.of(fitted.model_dump(mode="json"), OLD.invoice_date, None)
    assert warranty_end(fitted_terms, fault_code="BULB") == date(2027, 8, 1)
    assert warranty_end(fitted_terms, fault_code="NO_POWER") == warranty_end(terms(OLD))
    # Before the fitting the old bulb was out of its term (2026-09-09): now it is covered.
    assert warranty_end(terms(OLD), fault_code="BULB") == date(2026, 9, 9)
    covered = entitlement(fitted_terms, date(2027, 5, 1), "BULB_DEAD")
    assert covered.status == "in_warranty" and not covered.chargeable
    # A bulb repaired after its fitting extends its own term by the days of the repair.
    repair = Repair("BULB_DEAD", date(2027, 1, 4), date(2027, 1, 5), "fixed")
    assert warranty_end(fitted_terms, [repair], fault_code="BULB") == date(2027, 8, 3)
    # Nothing to restart: the same document.
    assert with_fitted_components(OLD.warranty, ["fan"], FITTED, policy) is OLD.warranty


def test_a_fitted_component_needs_a_term_of_its_own() -> None:
    try:
        Warranty(fitted_components={"bulb": {"fitted_on": FITTED, "ends_on": FITTED}})
    except ValueError as error:
        assert "bulb has no term in components" in str(error)
    else:
        raise AssertionError("accepted a fitted component without a term")


# Up to 2075: fitted within 11 years, a term of 10 + 2 years stays inside the archive's calendar.
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2075, 12, 31))


@given(invoice=days, months=st.integers(1, 120), ext=st.integers(0, 24), lag=st.integers(0, 4000))
def test_inheriting_never_shortens_and_restarting_runs_a_full_term(
    invoice: date, months: int, ext: int, lag: int
) -> None:
    old = OLD.model_copy(
        update={
            "invoice_date": invoice,
            "manufacture_date": None,
            "warranty": Warranty(months=months, components={"bulb": 6}),
            "repairs": [],
        }
    )
    fitted_on = invoice + timedelta(days=lag)
    policy = ReplacementPolicy(unit_warranty="inherit", extension_months=ext)
    inherited = warranty_end(terms(replacement_unit(old, "N", None, fitted_on, policy)))
    old_end = warranty_end(terms(old))
    assert inherited is not None and old_end is not None
    assert inherited >= old_end and (ext > 0) == (inherited > old_end)
    restart = policy.model_copy(update={"unit_warranty": "restart"})
    restarted = warranty_end(terms(replacement_unit(old, "N", None, fitted_on, restart)))
    assert restarted is not None and restarted >= fitted_on + timedelta(days=28 * months - 1)


def test_a_term_past_the_archive_s_calendar_is_kept_at_its_edge() -> None:
    long = OLD.model_copy(
        update={
            "invoice_date": date(2080, 1, 1),
            "manufacture_date": None,
            "warranty": Warranty(months=600, components={"bulb": 600}),
        }
    )
    fitted_on = date(2081, 1, 1)
    policy = ReplacementPolicy(unit_warranty="restart", extension_months=24)
    restarted = replacement_unit(long, "N", None, fitted_on, policy)
    assert restarted.warranty.months == 600
    inherited = replacement_unit(
        long, "N", None, fitted_on, INHERIT.model_copy(update=extended_by(24))
    )
    assert inherited.warranty.inherited_end == LAST_DAY
    assert inherited.warranty.fitted_components["bulb"].ends_on == LAST_DAY

"""The parts clocks' rules (002): a spare ships the same working day when the need is confirmed
before the cut-off, else by the next working morning; the faulty part is back within N working
days. Exact instants, a property against the engine, and the profile's settings."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from models.actions import FaultyPartReturnedBody, PartUsed
from models.activity_io import Interval
from models.common import ClockName
from models.profile import SlaProfile, Target
from sla.calendar import BusinessCalendar, NoWorkingTime
from sla.deadlines import deadline
from tests.sla_fixtures import NATIONAL_DAY, OFFICE, STANDARD, calendar, local

SHIP = Target(calendar="office", same_day_before="14:00")


@pytest.mark.parametrize(
    ("case", "calendar", "target", "confirmed", "due"),
    [
        (
            "Tuesday morning: today, at the close",
            OFFICE,
            SHIP,
            "2026-11-24 10:00",
            "2026-11-24 17:30",
        ),
        (
            "before the office opens: still today",
            OFFICE,
            SHIP,
            "2026-11-24 07:00",
            "2026-11-24 17:30",
        ),
        ("over lunch, before 14:00: today", OFFICE, SHIP, "2026-11-24 12:45", "2026-11-24 17:30"),
        ("exactly 14:00: the next morning", OFFICE, SHIP, "2026-11-24 14:00", "2026-11-25 12:00"),
        ("Tuesday evening: Wednesday noon", OFFICE, SHIP, "2026-11-24 19:00", "2026-11-25 12:00"),
        ("Friday afternoon: Monday noon", OFFICE, SHIP, "2026-11-27 15:00", "2026-11-30 12:00"),
        (
            "Saturday morning: no shipping today",
            OFFICE,
            SHIP,
            "2026-11-28 10:00",
            "2026-11-30 12:00",
        ),
        (
            "the eve of the National Day week: the make-up Saturday after it",
            NATIONAL_DAY,
            Target(calendar="x", same_day_before="14:00", next_day_by="10:00"),
            "2026-09-30 16:00",
            "2026-10-08 10:00",
        ),
        (
            "a morning before the office opens is its first window's end",
            OFFICE,
            Target(calendar="office", same_day_before="14:00", next_day_by="08:00"),
            "2026-11-24 15:00",
            "2026-11-25 12:00",
        ),
        (
            "an evening after it closes is its close",
            OFFICE,
            Target(calendar="office", same_day_before="14:00", next_day_by="20:00"),
            "2026-11-24 15:00",
            "2026-11-25 17:30",
        ),
        (
            "a cut-off after the close: the close has passed",
            OFFICE,
            Target(calendar="office", same_day_before="20:00"),
            "2026-11-24 18:00",
            "2026-11-25 12:00",
        ),
        (
            "faulty part: 10 working days after Friday's arrival",
            OFFICE,
            Target(calendar="office", working_days=10),
            "2026-11-27 16:00",
            "2026-12-11 17:30",
        ),
    ],
)
def test_exact_parts_deadlines(case, calendar, target, confirmed, due):
    assert deadline(calendar, target, local(confirmed)) == local(due), case


def test_a_pause_holds_the_ship_clock_like_any_other():
    held = [Interval(start=local("2026-11-24 15:00"), end=local("2026-11-25 09:30"))]
    # confirmed 10:00, due 17:30: 2 h 30 min of the 6 h left were paused, so Wednesday 12:00
    assert deadline(OFFICE, SHIP, local("2026-11-24 10:00"), held) == local("2026-11-25 12:00")


STARTS = st.datetimes(
    min_value=datetime(2026, 9, 1), max_value=datetime(2027, 3, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    STARTS,
    st.sampled_from(["09:30", "12:00", "14:00", "16:00"]),
    st.sampled_from(["09:30", "10:30", "12:00", "17:30"]),
)
def test_the_engine_lands_on_the_rule(start, cut_off, next_day_by):
    """Through the engine (business time, then elapsed), the deadline is the rule's instant:
    the close of the start's own working date before the cut-off, or `next_day_by` on the
    first working date after it — never a closed hour, never before the start."""
    target = Target(calendar="x", same_day_before=cut_off, next_day_by=next_day_by)
    for office in (OFFICE, NATIONAL_DAY):
        due = deadline(office, target, start)
        assert due is not None and due > start
        local_start, local_due = office.local(start), office.local(due)
        if local_due.date() == local_start.date():
            assert office.is_working_date(local_start.date())
            assert local_start.strftime("%H:%M") < cut_off
            assert due == office.windows(local_start.date())[-1][1]
        else:
            between = local_start.date() + timedelta(days=1)
            while between < local_due.date():
                assert not office.is_working_date(between)
                between += timedelta(days=1)
            assert local_due.strftime("%H:%M") == next_day_by


def _profile(**targets: object) -> SlaProfile:
    data = copy.deepcopy(STANDARD.model_dump())
    data["targets"] = {k: v for k, v in data["targets"].items() if k not in targets} | targets
    return SlaProfile.model_validate(data)


def test_parts_clocks_are_optional_and_take_one_target_for_every_severity():
    without = _profile()
    without_parts = without.model_dump()
    without_parts["targets"] = {
        k: v for k, v in without_parts["targets"].items() if not k.startswith("parts_")
    }
    assert ClockName.PARTS_SHIP not in SlaProfile.model_validate(without_parts).targets
    ship = _profile(parts_ship={"calendar": "office", "same_day_before": "14:00"})
    for severity in (1, 2, 3, 4):
        assert ship.targets[ClockName.PARTS_SHIP].for_request(severity, None) == SHIP
    # stored and read back, it is the same profile
    assert SlaProfile.model_validate(ship.model_dump()) == ship


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"calendar": "office", "next_day_by": "12:00", "working_days": 1}, "next_day_by goes"),
        ({"calendar": "office", "same_day_before": "25:00"}, "same_day_before"),
        (
            {"calendar": "office", "same_day_before": "14:00", "minutes": 60},
            "exactly one of minutes, working_days or same_day_before",
        ),
        ({"calendar": "nowhere", "same_day_before": "14:00"}, "unknown calendar 'nowhere'"),
    ],
)
def test_bad_parts_targets_are_refused_with_the_reason(target, message):
    with pytest.raises(ValidationError, match=message):
        _profile(parts_ship=target)


def test_part_serials_and_a_write_off_are_checked():
    assert PartUsed(part_no="LENS", qty=2, serials=["A", "B"]).serials == ["A", "B"]
    with pytest.raises(ValidationError, match="3 serials for a quantity of 2"):
        PartUsed(part_no="LENS", qty=2, serials=["A", "B", "C"])
    with pytest.raises(ValidationError, match="a serial is given twice"):
        PartUsed(part_no="LENS", qty=2, serials=["A", "A"])
    with pytest.raises(ValidationError, match="written_off needs a reason"):
        FaultyPartReturnedBody(written_off=True)
    with pytest.raises(ValidationError, match="no serials or appraisal"):
        FaultyPartReturnedBody(written_off=True, reason="lost", appraisal="cracked")


def test_a_month_of_holidays_is_skipped_and_no_working_day_at_all_is_an_error():
    december_off = calendar(holidays=[f"2026-12-{d:02d}" for d in range(1, 32)])
    confirmed = local("2026-12-01 10:00")
    assert december_off.same_day_or_next_morning(confirmed, 14 * 60, 12 * 60) == local(
        "2027-01-01 12:00"
    )
    never = BusinessCalendar(zone=december_off.zone, weekly=((),) * 7)
    with pytest.raises(NoWorkingTime):
        never.same_day_or_next_morning(confirmed, 14 * 60, 12 * 60)

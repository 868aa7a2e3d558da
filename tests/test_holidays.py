"""Holidays and make-up working days for calendars: China's from the `holidays` package, any
from an iCal file, merged into a profile that still validates."""

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from db.demo import STANDARD_PROFILE
from db.profiles import load_profile_file
from models.profile import SlaProfile
from sla.holidays import china_holidays, ical_holidays, merge_into

DATA = Path(__file__).parent / "data"
STANDARD = load_profile_file(STANDARD_PROFILE)


def test_china_2026_has_national_day_spring_festival_and_make_up_days():
    holidays, workdays = china_holidays([2026])
    assert {date(2026, 10, d) for d in (1, 2, 3)} <= holidays
    assert {date(2026, 2, d) for d in (16, 17, 18, 19)} <= holidays  # Spring Festival, eve
    assert all(day.year == 2026 for day in holidays)
    # The State Council's 2026 arrangement as the package gives it: each worked weekend day
    # works like the weekday of the day off it pays for.
    assert workdays == {
        date(2026, 1, 4): "fri",  # for Fri 2 Jan
        date(2026, 2, 14): "fri",  # for Fri 20 Feb
        date(2026, 2, 28): "mon",  # for Mon 23 Feb
        date(2026, 5, 9): "tue",  # for Tue 5 May
        date(2026, 9, 20): "tue",  # for Tue 6 Oct
        date(2026, 10, 10): "wed",  # for Wed 7 Oct
    }
    assert not holidays & set(workdays)


def test_china_only_reports_the_years_asked_for():
    holidays, workdays = china_holidays([2025, 2026])
    assert date(2025, 10, 1) in holidays and date(2026, 10, 1) in holidays
    assert {day.year for day in holidays} == {2025, 2026}
    assert {day.year for day in workdays} == {2025, 2026}


def test_ical_all_day_events_expand_to_every_date():
    dates = ical_holidays((DATA / "holidays.ics").read_text(encoding="utf-8"))
    # One one-day event, one three-day event (DTEND is exclusive); the timed meeting is skipped.
    assert dates == {date(2026, 5, 1), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)}


def test_ical_that_is_not_ical_is_a_value_error():
    with pytest.raises(ValueError, match="not a valid iCal file"):
        ical_holidays("these are not the holidays you are looking for")


def test_merge_into_adds_to_one_calendar_and_the_result_validates():
    holidays = ical_holidays((DATA / "holidays.ics").read_text(encoding="utf-8"))
    merged = merge_into(STANDARD, "office", holidays, {date(2026, 10, 10): "wed"})
    office = merged.calendars["office"]
    assert set(office.holidays) == set(STANDARD.calendars["office"].holidays) | holidays
    assert office.holidays == sorted(office.holidays)
    assert office.extra_workdays == {date(2026, 9, 27): "mon", date(2026, 10, 10): "wed"}
    assert merged.calendars["24x7"] == STANDARD.calendars["24x7"]
    assert SlaProfile.model_validate(merged.model_dump(mode="json")) == merged
    assert STANDARD.calendars["office"].holidays == [date(2026, 10, 1), date(2026, 10, 2)]


def test_merged_dates_win_over_what_the_calendar_had():
    merged = merge_into(STANDARD, "office", {date(2026, 9, 27)}, {date(2026, 10, 2): "fri"})
    office = merged.calendars["office"]
    assert date(2026, 9, 27) in office.holidays and date(2026, 9, 27) not in office.extra_workdays
    assert date(2026, 10, 2) not in office.holidays and office.extra_workdays[date(2026, 10, 2)]


def test_merge_into_an_unknown_calendar_names_it():
    with pytest.raises(ValueError, match="no calendar 'night'"):
        merge_into(STANDARD, "night", {date(2026, 10, 1)}, {})


def test_merge_of_a_make_up_day_without_hours_does_not_validate():
    with pytest.raises(ValidationError, match="which has no windows"):
        merge_into(STANDARD, "office", set(), {date(2026, 10, 10): "sat"})

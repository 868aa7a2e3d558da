"""Holidays and make-up working days (调休) for a profile's calendars, from the `holidays`
package's China calendar or from an iCal file. Pure functions: nothing here touches storage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from holidays import PUBLIC, country_holidays
from holidays.countries.china import ChinaStaticHolidays
from icalendar import Calendar, Event

from models.common import WEEKDAYS, Weekday
from models.profile import SlaProfile

#: Used when the package names a make-up day without saying which day off it pays for.
DEFAULT_MAKE_UP_WEEKDAY: Weekday = "mon"


def china_holidays(years: Iterable[int]) -> tuple[set[date], dict[date, Weekday]]:
    """China's public holidays of `years` and its make-up working days (调休).

    Holidays are the package's `public` category: the statutory days, their observed days
    and the weekdays given off in exchange for a worked weekend. The `half_day` category
    (Women's Day, Youth Day, …) is left out: those are off only for some people, not for an
    office.

    The package lists make-up working days as `weekend_workdays` and, in its table of
    substituted days, pairs each with the day off it pays for (2026-09-20, a Sunday, is worked
    so that Tuesday 2026-10-06 is off). A make-up day works like the weekday of that day off:
    the State Council's notice moves a working day from one date to another, so the worked
    weekend date takes over that day's hours, which matters for calendars whose weekdays
    differ (a short Friday). Should a make-up day have no such pair, it works like Monday,
    an ordinary full working day.
    """
    wanted = set(years)
    calendar = country_holidays("CN", years=sorted(wanted), categories=PUBLIC)
    days_off = _substituted_days_off()
    extra_workdays: dict[date, Weekday] = {}
    # The package also reports make-up days of years nobody asked for (those it pairs with a
    # day off across New Year): keep the days of the years asked for and their pairs.
    for day in sorted(calendar.weekend_workdays):
        day_off = days_off.get(day)
        if day.year in wanted or (day_off is not None and day_off.year in wanted):
            extra_workdays[day] = _weekday(day_off) if day_off else DEFAULT_MAKE_UP_WEEKDAY
    return {day for day in calendar if day.year in wanted}, extra_workdays


def _substituted_days_off() -> dict[date, date]:
    """Worked date → the date given off for it, from the package's table of substitutions.

    Entries are `(to_month, to_day, from_month, from_day[, from_year])` under the year of the
    day off; shorter entries are single special holidays without a worked day.
    """
    table = cast(
        dict[int, tuple[tuple[Any, ...], ...]], ChinaStaticHolidays.special_public_holidays
    )
    pairs: dict[date, date] = {}
    for year, entries in table.items():
        for entry in entries:
            if len(entry) < 4:
                continue
            to_month, to_day, from_month, from_day, *from_year = entry
            worked = date(from_year[0] if from_year else year, from_month, from_day)
            pairs[worked] = date(year, to_month, to_day)
    return pairs


def _weekday(day: date) -> Weekday:
    return WEEKDAYS[day.weekday()]


def ical_holidays(text: str) -> set[date]:
    """Every date covered by an all-day event of an iCal (`.ics`) document.

    A multi-day event covers each date from its start up to, not including, its end (iCal
    ends are exclusive); an event without an end covers its start date. Timed events are
    meetings, not days off, and are skipped. ValueError when the document is not iCal.
    """
    try:
        calendar = Calendar.from_ical(text)
        events = cast(list[Event], calendar.walk("VEVENT"))
        return {day for event in events for day in _event_dates(event)}
    except ValueError as exc:
        raise ValueError(f"not a valid iCal file: {exc}") from None


def _event_dates(event: Event) -> list[date]:
    start = event.start
    if isinstance(start, datetime):
        return []
    end = event.end
    days = max((end - start).days, 1)
    return [start + timedelta(days=offset) for offset in range(days)]


def merge_into(
    profile: SlaProfile,
    calendar_name: str,
    holidays: Iterable[date],
    extra_workdays: Mapping[date, Weekday],
) -> SlaProfile:
    """A new profile whose calendar `calendar_name` also has these holidays and make-up days.

    What is merged in wins over what was there: a date that becomes a holiday stops being a
    make-up day and the other way round. The result is validated like any profile, so a
    make-up day that works like a weekday without windows raises ValidationError.
    """
    spec = profile.calendars.get(calendar_name)
    if spec is None:
        known = ", ".join(sorted(profile.calendars))
        raise ValueError(
            f"profile {profile.name!r} has no calendar {calendar_name!r} (calendars: {known})"
        )
    new_holidays = set(holidays)
    merged_holidays = (set(spec.holidays) - set(extra_workdays)) | new_holidays
    merged_workdays = {
        day: weekday for day, weekday in spec.extra_workdays.items() if day not in new_holidays
    } | dict(extra_workdays)
    data = profile.model_dump(mode="json")
    data["calendars"][calendar_name] |= {
        "holidays": [day.isoformat() for day in sorted(merged_holidays)],
        "extra_workdays": {
            day.isoformat(): merged_workdays[day] for day in sorted(merged_workdays)
        },
    }
    return SlaProfile.model_validate(data)

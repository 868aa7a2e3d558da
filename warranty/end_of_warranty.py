"""The end-of-warranty inspection (保修期满前巡检, P9, P17): each asset in service is inspected
once before its warranty ends, on the working date the profile's `working_days_before` working
days before that end, or on the first day after it that the daily run sees (a run missed on a
holiday or an outage is made up the next day, never after the end)."""

from __future__ import annotations

from datetime import date, timedelta

from sla.calendar import BusinessCalendar

#: How far back a search for working dates goes before it gives up (a calendar without any).
SEARCH_DAYS = 3660


def inspection_day(calendar: BusinessCalendar, warranty_end: date, working_days: int) -> date:
    """The `working_days`-th working date before `warranty_end` (the end itself not counted).
    A calendar with no working date in ten years gives the end itself."""
    day, found = warranty_end, 0
    for _ in range(SEARCH_DAYS):
        day -= timedelta(days=1)
        if calendar.is_working_date(day):
            found += 1
            if found == working_days:
                return day
    return warranty_end


def is_due(today: date, calendar: BusinessCalendar, warranty_end: date, working_days: int) -> bool:
    """Whether the inspection falls due by `today` while the warranty still runs."""
    return inspection_day(calendar, warranty_end, working_days) <= today <= warranty_end

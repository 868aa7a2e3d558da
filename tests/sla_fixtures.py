"""Calendars for the SLA tests, built from the same data shapes a profile uses."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from models.profile import CalendarSpec, SlaProfile
from sla.calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE_DAY = [["09:00", "12:00"], ["13:30", "17:30"]]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

STANDARD = SlaProfile.model_validate(
    json.loads((Path(__file__).parent.parent / "profiles" / "standard.json").read_text())
)


def calendar(tz: str = "Asia/Shanghai", days=WEEKDAYS, windows=None, **extra) -> BusinessCalendar:
    windows = OFFICE_DAY if windows is None else windows
    spec = CalendarSpec.model_validate(
        {"timezone": tz, "weekly": {d: windows for d in days}} | extra
    )
    return BusinessCalendar.from_spec(spec)


OFFICE = BusinessCalendar.from_spec(STANDARD.calendars["office"])
H24 = BusinessCalendar.from_spec(STANDARD.calendars["24x7"])
SEVEN_BY_EIGHT = calendar(days=ALL_DAYS, windows=[["09:00", "17:00"]])
#: National Day week off, made up on the Sunday before and the Saturday after (调休).
NATIONAL_DAY = calendar(
    holidays=[f"2026-10-0{d}" for d in range(1, 8)],
    extra_workdays={"2026-09-27": "mon", "2026-10-10": "fri"},
)
BERLIN_24X7 = calendar("Europe/Berlin", ALL_DAYS, [["00:00", "24:00"]])
BERLIN_OFFICE = calendar("Europe/Berlin", WEEKDAYS, [["09:00", "17:00"]])


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    """`2026-11-20 18:30` as an aware local instant."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)

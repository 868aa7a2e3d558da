"""A contract's planned services (定期回访 and 巡检): what a profile promises besides deadlines,
e.g. "monthly call, quarterly visit, at least 2 inspections a year" (SPEC §2)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from models.actions import NOT_BOOL
from models.common import WEEKDAYS, Weekday

#: The business calendar of the customer's profile that decides working dates.
OFFICE_CALENDAR = "office"
#: A phone revisit (电话回访), an on-site revisit (上门回访), a preventive inspection (巡检).
ScheduleKind = Literal["revisit_call", "revisit_visit", "inspection"]
SCHEDULE_KINDS: tuple[ScheduleKind, ...] = ("revisit_call", "revisit_visit", "inspection")
Every = Literal["weekly", "monthly", "quarterly", "four_monthly", "half_yearly", "yearly"]

#: The months a schedule fires in, by period (quarterly: Jan, Apr, Jul, Oct …).
MONTHS: dict[Every, tuple[int, ...]] = {
    "weekly": tuple(range(1, 13)),
    "monthly": tuple(range(1, 13)),
    "quarterly": (1, 4, 7, 10),
    "four_monthly": (1, 5, 9),
    "half_yearly": (1, 7),
    "yearly": (1,),
}
#: Up to 28 so every month has the day.
DayOfMonth = Annotated[int, Field(ge=1, le=28), NOT_BOOL]
#: Local hour in the service time zone.
Hour = Annotated[int, Field(ge=0, le=23), NOT_BOOL]


class Timing(BaseModel):
    """When a periodic service falls: `weekly` on its `weekday` (003: peripherals inspected
    once a week), or on `day_of_month` of the period's months; at `hour`, local time."""

    every: Every
    day_of_month: DayOfMonth = 1
    weekday: Weekday | None = None
    hour: Hour = 9

    @model_serializer(mode="wrap")
    def _without_an_unset_weekday(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Documents written before weekly schedules stay as they were (a profile stored again
        # unchanged is no new version).
        data = handler(self)
        if isinstance(data, dict) and data.get("weekday") is None:
            data.pop("weekday", None)
        return data

    @model_validator(mode="after")
    def _weekday_for_weekly(self) -> Self:
        if self.every == "weekly" and self.weekday is None:
            raise ValueError(f"weekday: a weekly schedule names its day ({', '.join(WEEKDAYS)})")
        if self.every != "weekly" and self.weekday is not None:
            raise ValueError(f"weekday: only for a weekly schedule ({self.every}: day_of_month)")
        return self

    def falls_on(self, day: date) -> bool:
        """Whether the period's slot is on `day` (a local date)."""
        if self.every == "weekly":
            return WEEKDAYS[day.weekday()] == self.weekday
        return day.month in MONTHS[self.every] and day.day == self.day_of_month

    @property
    def when(self) -> str:
        """Its slot, for people: `every mon at 09:00`, `day 15 at 09:00`."""
        day = f"every {self.weekday}" if self.every == "weekly" else f"day {self.day_of_month}"
        return f"{day} at {self.hour:02d}:00"


class PlannedService(Timing):
    """One line of a profile's service plan; applied to a customer it becomes one contract
    schedule of that kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ScheduleKind

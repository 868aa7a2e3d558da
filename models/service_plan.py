"""A contract's planned services (定期回访 and 巡检): what a profile promises besides deadlines,
e.g. "monthly call, quarterly visit, at least 2 inspections a year" (SPEC §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.actions import NOT_BOOL

#: The business calendar of the customer's profile that decides working dates.
OFFICE_CALENDAR = "office"
#: A phone revisit (电话回访), an on-site revisit (上门回访), a preventive inspection (巡检).
ScheduleKind = Literal["revisit_call", "revisit_visit", "inspection"]
SCHEDULE_KINDS: tuple[ScheduleKind, ...] = ("revisit_call", "revisit_visit", "inspection")
Every = Literal["monthly", "quarterly", "four_monthly", "half_yearly", "yearly"]

#: The months a schedule fires in, by period (quarterly: Jan, Apr, Jul, Oct …).
MONTHS: dict[Every, tuple[int, ...]] = {
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


class PlannedService(BaseModel):
    """One line of a profile's service plan; applied to a customer it becomes one contract
    schedule of that kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ScheduleKind
    every: Every
    day_of_month: DayOfMonth = 1
    hour: Hour = 9

"""Periodic revisits and preventive inspections (巡检) as Temporal Schedules (SPEC §2).

The definitions live only in Temporal: the schedule's memo holds the definition and its action
carries it as the scheduled workflow's input, so there is no table to keep in step.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from models.intake import Identifier

ScheduleKind = Literal["revisit_call", "inspection"]
Every = Literal["monthly", "quarterly", "half_yearly", "yearly"]

#: The months a schedule fires in, by period (quarterly: Jan, Apr, Jul, Oct …).
MONTHS: dict[Every, tuple[int, ...]] = {
    "monthly": tuple(range(1, 13)),
    "quarterly": (1, 4, 7, 10),
    "half_yearly": (1, 7),
    "yearly": (1,),
}
#: The business calendar of the customer's profile that decides working dates.
OFFICE_CALENDAR = "office"
#: The memo key holding the definition (the Web UI shows memos on the schedule page).
MEMO_KEY = "definition"
WORKFLOW_TYPE = "ScheduledServiceWorkflow"


class ScheduledActivity(StrEnum):
    NEXT_WORKING_DATE = "scheduled_next_working_date"
    REGISTER_INSPECTION = "scheduled_register_inspection"


class ScheduleBody(BaseModel):
    """What an admin posts (and puts, in full) for a schedule."""

    model_config = ConfigDict(extra="forbid")

    kind: ScheduleKind
    customer_id: Identifier
    asset_serial: Identifier
    every: Every
    #: Up to 28 so every month has the day.
    day_of_month: Annotated[int, Field(ge=1, le=28)] = 1
    #: Local hour in the service time zone.
    hour: Annotated[int, Field(ge=0, le=23)] = 9
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class ScheduleUpdateBody(BaseModel):
    """A `PUT`: the timing and the note; kind, customer and asset make the ID and stay."""

    model_config = ConfigDict(extra="forbid")

    every: Every
    day_of_month: Annotated[int, Field(ge=1, le=28)] = 1
    hour: Annotated[int, Field(ge=0, le=23)] = 9
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


def schedule_id(kind: str, customer_id: str, asset_serial: str) -> str:
    """Deterministic: one schedule of each kind per customer's asset."""
    return f"{kind}-{customer_id}-{asset_serial}"


class ScheduledRun(BaseModel):
    """The scheduled workflow's input: the definition, its ID and the schedule's time zone."""

    schedule_id: str
    definition: ScheduleBody
    time_zone: str


class WorkingDateRequest(BaseModel):
    run: ScheduledRun
    #: The scheduled instant Temporal reports (for a manual trigger: the trigger's instant).
    at: AwareDatetime


class RunDue(BaseModel):
    """When the run acts and its local date (the idempotency part of what it registers)."""

    at: AwareDatetime
    local_date: date


class InspectionRequest(BaseModel):
    schedule_id: str
    definition: ScheduleBody
    #: The local date of the run; with the schedule ID it makes the intake's external_ref.
    due: date


class InspectionRegistered(BaseModel):
    number: str
    duplicate: bool


class ScheduleView(BaseModel):
    id: str
    definition: ScheduleBody
    paused: bool
    note: str | None = None
    next_runs: list[datetime] = []
    recent_runs: list[datetime] = []


def is_calendar_slot(definition: ScheduleBody, instant: datetime, time_zone: str) -> bool:
    """Whether `instant` is one of the schedule's own firing times rather than a manual trigger
    (which Temporal also reports as the scheduled time): a trigger is acted on at once."""
    local = instant.astimezone(ZoneInfo(time_zone))
    return (
        local.month in MONTHS[definition.every]
        and local.day == definition.day_of_month
        and (local.hour, local.minute, local.second, local.microsecond)
        == (definition.hour, 0, 0, 0)
    )


def inspection_ref(schedule: str, due: date) -> str:
    """The intake's external_ref: a retried or replayed run finds the request it registered."""
    return f"schedule:{schedule}:{due.isoformat()}"

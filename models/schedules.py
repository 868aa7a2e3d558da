"""Periodic revisits and preventive inspections (巡检) as Temporal Schedules (SPEC §2).

Temporal runs them: the schedule's action carries the definition as the scheduled workflow's
input and its memo names it for the Web UI; `contract_schedules` keeps a copy so the setup
command can re-create them on a new cluster.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from models.common import Identifier
from models.service_plan import PlannedService, ScheduleKind, Timing

#: The memo key holding the definition (the Web UI shows memos on the schedule page).
MEMO_KEY = "definition"
WORKFLOW_TYPE = "ScheduledServiceWorkflow"
END_OF_WARRANTY_WORKFLOW = "EndOfWarrantyInspectionsWorkflow"
#: The daily schedule of the end-of-warranty inspections (when a profile asks for them).
END_OF_WARRANTY_SCHEDULE = "end-of-warranty-inspections"


class ScheduledActivity(StrEnum):
    NEXT_WORKING_DATE = "scheduled_next_working_date"
    REGISTER_INSPECTION = "scheduled_register_inspection"
    CONTRACT_ASSETS = "scheduled_contract_assets"
    PREPARE_REVISIT_CALL = "scheduled_prepare_revisit_call"
    END_OF_WARRANTY = "scheduled_end_of_warranty_inspections"


class ScheduleTiming(Timing):
    """What a `PUT` changes: the timing and the note (kind, customer and asset make the ID)."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class ScheduleDefinition(ScheduleTiming):
    """A schedule as Temporal runs it: for one asset, or (without one) for the customer's whole
    contract, as the profile's service plan makes it."""

    kind: ScheduleKind
    customer_id: Identifier
    asset_serial: Identifier | None = None


class ScheduleBody(ScheduleDefinition):
    """What an admin posts: a schedule for one asset (contract-wide ones come from the
    profile's `service_plan`)."""

    asset_serial: Identifier


def schedule_id(kind: str, customer_id: str, asset_serial: str | None = None) -> str:
    """Deterministic: one schedule of each kind per customer's asset, or per contract."""
    return f"{kind}-{customer_id}" + (f"-{asset_serial}" if asset_serial else "")


def plan_definition(customer_id: str, planned: PlannedService) -> ScheduleDefinition:
    return ScheduleDefinition(
        kind=planned.kind,
        customer_id=customer_id,
        every=planned.every,
        day_of_month=planned.day_of_month,
        weekday=planned.weekday,
        hour=planned.hour,
        note="service plan of the customer's profile",
    )


class ScheduledRun(BaseModel):
    """The scheduled workflow's input: the definition, its ID and the schedule's time zone."""

    schedule_id: str
    definition: ScheduleDefinition
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
    definition: ScheduleDefinition
    #: The local date of the run; with the schedule ID it makes the intake's external_ref.
    due: date
    #: The asset of a contract-wide inspection (a schedule for one asset names it already).
    asset_serial: str | None = None

    @property
    def serial(self) -> str:
        serial = self.asset_serial or self.definition.asset_serial
        assert serial is not None  # a contract-wide run lists the assets first
        return serial


class RevisitCallRequest(BaseModel):
    """A periodic call to make: the run, and when it is due."""

    run: ScheduledRun
    due: RunDue


class InspectionRegistered(BaseModel):
    number: str
    duplicate: bool


class ScheduleView(BaseModel):
    id: str
    definition: ScheduleDefinition
    paused: bool
    note: str | None = None
    next_runs: list[datetime] = []
    recent_runs: list[datetime] = []


def is_calendar_slot(definition: ScheduleTiming, instant: datetime, time_zone: str) -> bool:
    """Whether `instant` is one of the schedule's own firing times rather than a manual trigger
    (which Temporal also reports as the scheduled time): a trigger is acted on at once."""
    local = instant.astimezone(ZoneInfo(time_zone))
    return definition.falls_on(local.date()) and (
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
    ) == (definition.hour, 0, 0, 0)


def inspection_ref(schedule: str, due: date, asset_serial: str | None = None) -> str:
    """The intake's external_ref: a retried or replayed run finds the request it registered."""
    return f"schedule:{schedule}:{due.isoformat()}" + (f":{asset_serial}" if asset_serial else "")


_ROUND_REF = re.compile(r"^schedule:(?P<schedule>.+?):(?P<due>\d{4}-\d{2}-\d{2})(?::.*)?$")


def round_of(external_ref: str | None) -> tuple[str, date] | None:
    """The schedule and day of the run that registered a request (`inspection_ref` read back),
    or None for a request no schedule registered."""
    found = _ROUND_REF.match(external_ref or "")
    if found is None:
        return None
    try:
        return found["schedule"], date.fromisoformat(found["due"])
    except ValueError:  # not a calendar day: not a run's reference
        return None


def revisit_call_id(schedule: str, due: date) -> str:
    """One periodic call per schedule and local date."""
    return f"{schedule}-{due.isoformat()}"

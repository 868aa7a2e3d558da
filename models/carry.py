"""A service request's workflow input: a new request's start, or — when a run's history has
grown long — the next run's carry-over (continue-as-new, SPEC §7's bounded histories)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, model_validator

from models.activity_io import NotificationRequest
from models.common import ClockName
from models.intake import ServiceRequestStart
from models.plan import Checkpoint, EscalationPoint
from models.state import ServiceRequestState


class HeldNotice(BaseModel):
    """A notification held until its instant (`workflows/service_request/held_notices.py`)."""

    at: datetime
    request: NotificationRequest
    #: `at` already respects the calendar (escalation levels are planned that way, and
    #: severity 1 is told at any hour).
    quiet_checked: bool = False
    #: The calendar whose opening releases it (None: the profile's quiet calendar).
    calendar: str | None = None


class ServiceRequestCarry(BaseModel):
    """Everything a run knows that its history would otherwise have to replay."""

    state: ServiceRequestState
    #: The escalation instants and clock checkpoints of the latest plans.
    points: dict[ClockName, list[EscalationPoint]]
    checkpoints: dict[ClockName, Checkpoint]
    notices: list[HeldNotice]
    #: The timeline's last sequence number: the next run goes on from it.
    seq: int
    loaner_requested: bool
    #: The IDs of the latest updates applied: a retry of one after the continue-as-new is
    #: answered without being applied again (Temporal deduplicates within a run only).
    updates: list[str]
    #: How many runs came before this one.
    runs: int


class RequestInput(BaseModel):
    """What `ServiceRequestWorkflow` starts with. A bare `ServiceRequestStart` (what intake and
    every recorded history sends) is read as a new request."""

    start: ServiceRequestStart
    carried: ServiceRequestCarry | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_start(cls, data: Any) -> Any:
        if isinstance(data, dict) and "start" not in data:
            return {"start": data}
        return data

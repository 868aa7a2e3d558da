"""A clock plan: the due instants and escalation instants the SLA engine computed."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from models.common import ClockName


class EscalationPoint(BaseModel):
    """When one escalation level of the profile falls due for one clock."""

    #: 1-based position of the rule in the profile's `escalations` list.
    level: int
    #: None while a pause is open (or, after a breach, while the due instant is unknown).
    at: datetime | None
    notify: list[str]
    at_percent: int | None = None
    #: When its notifications may go out: `at`, or for severities other than 1 the next
    #: opening of the profile's quiet calendar (no escalation mail at midnight).
    notify_at: datetime | None = None


class Checkpoint(BaseModel):
    """How far a clock has got by `at`, so that later plans need only the pauses after it
    (the history of a request paused a thousand times stays small) and stay exact.

    For each calendar the clock's targets may use: the business time outside pauses from the
    clock's start to `at`, and the instant at which each amount the profile could ask of the
    clock (any severity's or region's target, and each escalation percentage of it) was
    reached before `at`.
    """

    start: datetime
    at: datetime
    consumed: dict[str, timedelta]
    #: calendar → amount in microseconds → the instant it was reached.
    reached: dict[str, dict[int, datetime]] = {}


class ClockPlan(BaseModel):
    #: None while a pause is open: the due instant is unknown until it ends.
    due: dict[ClockName, datetime | None]
    escalations: dict[ClockName, list[EscalationPoint]] = {}
    #: Each planned clock's progress at the request's `as_of` (none when not asked for).
    checkpoints: dict[ClockName, Checkpoint] = {}

"""A clock plan: the due instants and escalation instants the SLA engine computed."""

from __future__ import annotations

from datetime import datetime

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


class ClockPlan(BaseModel):
    #: None while a pause is open: the due instant is unknown until it ends.
    due: dict[ClockName, datetime | None]
    escalations: dict[ClockName, list[EscalationPoint]] = {}

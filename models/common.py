"""Small shared value types."""

from __future__ import annotations

from enum import StrEnum


class ClockName(StrEnum):
    RESPONSE = "response"
    DIAGNOSIS = "diagnosis"
    ARRIVAL = "arrival"
    RESOLUTION = "resolution"
    SIGNATURE = "signature"


class ClockStatus(StrEnum):
    #: Not armed yet (arrival before the first assign, signature before the report).
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    #: The request ended (quote declined, cancelled) before the clock's goal was reached.
    CANCELLED = "cancelled"


class SlaStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"

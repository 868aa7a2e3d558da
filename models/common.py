"""Small shared value types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field


class ClockName(StrEnum):
    RESPONSE = "response"
    DIAGNOSIS = "diagnosis"
    ARRIVAL = "arrival"
    RESOLUTION = "resolution"
    SIGNATURE = "signature"
    #: The spare part ships (备件发出): the same working day if the need is confirmed before
    #: the cut-off, else the next working morning (002).
    PARTS_SHIP = "parts_ship"
    #: The faulty part is back (故障件寄回) within N working days of the spare's arrival.
    PARTS_RETURN = "parts_return"


#: Clocks of a repair that waits for parts: they run only when a profile gives them targets
#: (a profile may leave them out), and a request holds them only once they start.
PARTS_CLOCKS = frozenset({ClockName.PARTS_SHIP, ClockName.PARTS_RETURN})
#: Every request's clocks, held from registration.
STANDARD_CLOCKS = tuple(c for c in ClockName if c not in PARTS_CLOCKS)
#: The customer's part comes back after the repair is signed: this clock outlives the close,
#: and the request is not completed while it runs.
AFTER_CLOSE_CLOCKS = frozenset({ClockName.PARTS_RETURN})


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


#: What the archive keys by: a serial, a customer's or an engineer's id.
Identifier = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]
FaultCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9_]*$")]
#: A part of a unit with a warranty term of its own (e.g. `bulb`); a fault code names it.
ComponentName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_]+$")]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: Monday first, as `date.weekday()` counts.
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

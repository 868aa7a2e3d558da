"""`POST /v1/sla/what-if` and `/v1/sla/replay-check`: the contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.common import ClockName
from models.intake import RequestType
from models.profile import SlaProfile

#: A clock's outcome, recorded or replayed (`sla.replay`).
Outcome = Literal["met", "breached", "running", "cancelled"]


class PeriodFilters(BaseModel):
    """Requests reported in the period (days in the service time zone, both included),
    narrowed by the list's filters."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    severity: int | None = Field(default=None, ge=1, le=4)
    region: str | None = Field(default=None, max_length=64)
    customer: str | None = Field(default=None, max_length=64)
    type: RequestType | None = None


class WhatIfRequest(PeriodFilters):
    """The proposal: a whole profile, or a stored one by name (its latest version unless
    `version` says which)."""

    profile: SlaProfile | None = None
    profile_name: str | None = Field(default=None, max_length=64)
    version: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_proposal(self) -> Self:
        if (self.profile is None) == (self.profile_name is None):
            raise ValueError("give either 'profile' (a whole profile) or 'profile_name'")
        if self.version is not None and self.profile_name is None:
            raise ValueError("'version' goes with 'profile_name'")
        return self


class Tally(BaseModel):
    met: int = 0
    breached: int = 0
    #: Running or cancelled: no outcome yet, or never one.
    undecided: int = 0
    compliance: float | None = None


class Comparison(BaseModel):
    clock: ClockName
    severity: int
    recorded: Tally
    proposed: Tally


class ChangedClock(BaseModel):
    number: str
    clock: ClockName
    severity: int
    recorded: Outcome
    proposed: Outcome
    started_at: datetime
    met_at: datetime | None
    recorded_due: datetime | None
    proposed_due: datetime | None


class WhatIfResult(BaseModel):
    first: date
    last: date
    #: What the period was replayed under: "<name> v<version>", "proposed profile <name>",
    #: or "recorded versions" for the replay check.
    proposal: str
    requests: int
    clocks: int
    comparisons: list[Comparison]
    changed: list[ChangedClock]

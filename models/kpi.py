"""The KPI report's contract (`GET /v1/kpis`): figures of a period, per group and in total.

Rates are percentages with one decimal, None where nothing was counted; durations are minutes.
What each figure counts is defined once, in the `kpi` package (and the README).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from models.common import ClockName

Grouping = Literal["engineer", "region", "severity", "customer", "type", "day", "week", "month"]
TIME_GROUPINGS: frozenset[str] = frozenset({"day", "week", "month"})


class Spread(BaseModel):
    mean: float | None = None
    p90: float | None = None


class ClockFigures(BaseModel):
    ended: int = 0
    met: int = 0
    breached: int = 0
    compliance: float | None = None
    business_minutes: Spread = Spread()
    wall_minutes: Spread = Spread()
    breached_running: int = 0


class RequestFigures(BaseModel):
    closed: int = 0
    cancelled: int = 0
    resolved: int = 0
    resolved_remotely: int = 0
    remote_resolution_rate: float | None = None
    fixed_on_site: int = 0
    first_time_fixes: int = 0
    first_time_fix_rate: float | None = None
    repeat_repairs: int = 0


class LoanerFigures(BaseModel):
    issued: int = 0
    loaner_days: float = 0.0


class RevisitFigures(BaseModel):
    due: int = 0
    done: int = 0
    unreachable: int = 0
    unreachable_rate: float | None = None
    satisfaction_mean: float | None = None
    attitude_mean: float | None = None
    satisfied_share: float | None = None
    not_solved_rate: float | None = None


class ComplaintFigures(BaseModel):
    opened: int = 0
    per_100_closed: float | None = None
    answered_in_time: int = 0
    answered_late: int = 0
    still_open: int = 0


class KpiGroup(BaseModel):
    #: The group's value (an engineer's id, a region, a severity, a day, …; "all" in total).
    key: str
    label: str
    clocks: dict[ClockName, ClockFigures] = Field(
        default_factory=lambda: {name: ClockFigures() for name in ClockName}
    )
    requests: RequestFigures = RequestFigures()
    loaners: LoanerFigures = LoanerFigures()
    #: Escalations raised in the period by level of the profile ("1", "2", …) or by the
    #: workflow's own kind ("no_engineer", "complaint", …).
    escalations: dict[str, int] = {}
    revisits: RevisitFigures = RevisitFigures()
    complaints: ComplaintFigures = ComplaintFigures()


class BacklogEntry(BaseModel):
    key: str
    stage: str
    sla_status: str
    open: int
    mean_age_hours: float
    oldest_age_hours: float


class EngineerLoad(BaseModel):
    engineer_id: str
    name: str
    open_assignments: int
    closed_in_period: int


class KpiReport(BaseModel):
    first: date
    last: date
    timezone: str
    group_by: Grouping | None
    generated_at: datetime
    groups: list[KpiGroup]
    total: KpiGroup
    #: Open requests now, by the grouping (not by a time bucket), stage and SLA status.
    backlog: list[BacklogEntry]
    engineers: list[EngineerLoad]

"""Periodic analysis reports (周报、月报、半年报): the contracts of their Temporal Schedules,
workflow and activity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

AnalysisKind = Literal["weekly", "monthly", "half_yearly"]
ANALYSIS_KINDS: tuple[AnalysisKind, ...] = ("weekly", "monthly", "half_yearly")
WORKFLOW_TYPE = "AnalysisReportWorkflow"
MAKE_REPORT = "make_analysis_report"
#: How each kind's KPIs are cut in its report.
GROUPED_BY: dict[AnalysisKind, Literal["day", "week", "month"]] = {
    "weekly": "day",
    "monthly": "week",
    "half_yearly": "month",
}


def schedule_id(kind: AnalysisKind) -> str:
    return f"analysis-report-{kind}"


def report_id(kind: AnalysisKind, first: date) -> str:
    """One report per kind and period: `monthly-2026-11-01`."""
    return f"{kind}-{first.isoformat()}"


class AnalysisRun(BaseModel):
    """A schedule's input: which report, in which time zone."""

    kind: AnalysisKind
    timezone: str


class ReportRequest(BaseModel):
    """The report of the period of `kind` that ended before `at`."""

    kind: AnalysisKind
    timezone: str
    at: datetime


class AnalysisReportView(BaseModel):
    id: str
    kind: AnalysisKind
    first: date
    last: date
    created_at: datetime
    pdf: str

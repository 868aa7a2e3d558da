"""Deadline planning as an activity: its result is recorded in history, so a later change of
the engine's code or calendar data cannot change what a running workflow replays."""

from __future__ import annotations

from datetime import datetime

from temporalio import activity

from models.activity_io import (
    ActivityName,
    BusinessInstantRequest,
    ClockPlanRequest,
    QuietReleaseRequest,
    RevisitPlan,
    RevisitPlanRequest,
)
from models.complaints import ComplaintPlanRequest
from models.plan import ClockPlan
from sla.deadlines import calendars, complaint_due, plan, plan_revisits, quiet_release


@activity.defn(name=ActivityName.PLAN_CLOCKS)
def plan_clocks(request: ClockPlanRequest) -> ClockPlan:
    return plan(request)


@activity.defn(name=ActivityName.PLAN_REVISITS)
def plan_revisit_calls(request: RevisitPlanRequest) -> RevisitPlan:
    return plan_revisits(request)


@activity.defn(name=ActivityName.QUIET_RELEASE)
def quiet_calendar_release(request: QuietReleaseRequest) -> datetime:
    return quiet_release(request)


@activity.defn(name=ActivityName.BUSINESS_INSTANT)
def business_instant(request: BusinessInstantRequest) -> datetime:
    calendar = calendars(request.profile)[request.calendar]
    return calendar.working_days_end(request.start, request.working_days)


@activity.defn(name=ActivityName.PLAN_COMPLAINT)
def plan_complaint(request: ComplaintPlanRequest) -> datetime:
    return complaint_due(request)

"""Deadline planning as an activity: its result is recorded in history, so a later change of
the engine's code or calendar data cannot change what a running workflow replays."""

from __future__ import annotations

from temporalio import activity

from models.activity_io import ActivityName, ClockPlanRequest, RevisitPlan, RevisitPlanRequest
from models.plan import ClockPlan
from sla.deadlines import plan, plan_revisits


@activity.defn(name=ActivityName.PLAN_CLOCKS)
def plan_clocks(request: ClockPlanRequest) -> ClockPlan:
    return plan(request)


@activity.defn(name=ActivityName.PLAN_REVISITS)
def plan_revisit_calls(request: RevisitPlanRequest) -> RevisitPlan:
    return plan_revisits(request)

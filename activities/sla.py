"""Deadline planning as (local) activities: their results are recorded in history, so a later
change of the engine's code or calendar data cannot change what a running workflow replays.

A workflow names its profile by name and version (`ProfileRef`); a version never changes, so
each process loads it, and builds its calendars, once (`db.profiles.ProfileVersions`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from temporalio import activity

from db.profiles import ProfileVersions
from db.session import SessionFactory
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
from models.profile import ProfileRef
from sla.deadlines import (
    Calendars,
    calendars,
    complaint_due,
    plan,
    plan_revisits,
    quiet_release,
)

#: The inputs that name a profile.
R = TypeVar(
    "R",
    ClockPlanRequest,
    RevisitPlanRequest,
    QuietReleaseRequest,
    BusinessInstantRequest,
    ComplaintPlanRequest,
)


class SlaActivities:
    def __init__(self, sessions: SessionFactory, versions: ProfileVersions | None = None) -> None:
        self._versions = versions or ProfileVersions(sessions)

    def _with_profile(self, request: R) -> tuple[R, Calendars]:
        """`request` with its profile loaded when it names one, and the profile's calendars."""
        if isinstance(request.profile, ProfileRef):
            profile, built = self._versions.get(request.profile)
            return request.model_copy(update={"profile": profile}), built
        return request, calendars(request.profile)

    @activity.defn(name=ActivityName.PLAN_CLOCKS)
    def plan_clocks(self, request: ClockPlanRequest) -> ClockPlan:
        return plan(*self._with_profile(request))

    @activity.defn(name=ActivityName.PLAN_REVISITS)
    def plan_revisit_calls(self, request: RevisitPlanRequest) -> RevisitPlan:
        return plan_revisits(*self._with_profile(request))

    @activity.defn(name=ActivityName.QUIET_RELEASE)
    def quiet_calendar_release(self, request: QuietReleaseRequest) -> datetime:
        return quiet_release(*self._with_profile(request))

    @activity.defn(name=ActivityName.BUSINESS_INSTANT)
    def business_instant(self, request: BusinessInstantRequest) -> datetime:
        _, built = self._with_profile(request)
        return built[request.calendar].working_days_end(request.start, request.working_days)

    @activity.defn(name=ActivityName.PLAN_COMPLAINT)
    def plan_complaint(self, request: ComplaintPlanRequest) -> datetime:
        return complaint_due(*self._with_profile(request))

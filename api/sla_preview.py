"""`POST /v1/sla/preview`: the deadlines a hypothetical request would get (SPEC §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from api.context import Ctx, Staff
from api.problems import Problem
from db.profiles import latest_profile
from models.actions import Severity
from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.profile import SlaProfile
from sla.calendar import NoWorkingTime
from sla.deadlines import plan

router = APIRouter(prefix="/v1/sla", tags=["SLA"])
#: Every pause is replayed for every clock; a real request has a handful.
MAX_PAUSES = 500


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: SlaProfile | None = None
    profile_name: str | None = None
    severity: Severity
    region: str | None = None
    #: Preview a key account's request (the profile's `by_key_account` targets).
    key_account: bool = False
    reported_at: AwareDatetime
    assigned_at: AwareDatetime | None = None
    pauses: Annotated[list[Interval], Field(max_length=MAX_PAUSES)] = []

    @model_validator(mode="after")
    def _one_profile(self) -> Self:
        if (self.profile is None) == (self.profile_name is None):
            raise ValueError("give exactly one of profile (inline) or profile_name")
        return self


class PreviewEscalation(BaseModel):
    clock: ClockName
    level: int
    at: datetime | None


class PreviewResponse(BaseModel):
    response_due: datetime | None
    diagnosis_due: datetime | None
    arrival_due: datetime | None
    resolution_due: datetime | None
    escalations: list[PreviewEscalation]


@router.post("/preview", response_model=PreviewResponse)
async def preview(body: PreviewRequest, ctx: Ctx, _: Staff) -> PreviewResponse:
    """Response, diagnosis, arrival (with `assigned_at`) and resolution deadlines and the
    escalation instants, computed by the same engine the workflows use."""
    profile = body.profile or await ctx.db(lambda: _named(ctx, body.profile_name or ""))
    starts = {
        ClockName.RESPONSE: body.reported_at,
        ClockName.DIAGNOSIS: body.reported_at,
        ClockName.RESOLUTION: body.reported_at,
    }
    if body.assigned_at is not None:
        starts[ClockName.ARRIVAL] = body.assigned_at
    request = ClockPlanRequest(
        profile=profile,
        severity=body.severity,
        region=body.region or "",
        key_account=body.key_account,
        starts=starts,
        pauses=body.pauses,
    )
    try:
        result = plan(request)
    except NoWorkingTime as exc:
        raise Problem(422, str(exc)) from None
    except OverflowError:
        raise Problem(422, "the deadlines fall beyond the year 9999: check reported_at") from None
    return PreviewResponse(
        response_due=result.due[ClockName.RESPONSE],
        diagnosis_due=result.due[ClockName.DIAGNOSIS],
        arrival_due=result.due.get(ClockName.ARRIVAL),
        resolution_due=result.due[ClockName.RESOLUTION],
        escalations=[
            PreviewEscalation(clock=clock, level=point.level, at=point.at)
            for clock in ClockName
            for point in result.escalations.get(clock, [])
        ],
    )


def _named(ctx: Ctx, name: str) -> SlaProfile:
    with ctx.sessions() as session:
        found = latest_profile(session, name)
    if found is None:
        raise Problem(
            422,
            f"profile_name: there is no SLA profile {name!r}",
            errors=[{"field": "profile_name", "reason": f"there is no SLA profile {name!r}"}],
        )
    return found[0]

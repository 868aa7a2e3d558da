"""Revisit calls (回访) on the revisit agents' call list: the post-close revisits of a request and
the periodic calls and visits a contract schedule starts (SPEC §2)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from models.actions import Actor, RecordRevisitBody
from models.profile import SlaProfile
from models.service_plan import OFFICE_CALENDAR, ScheduleKind
from models.state import ComplaintRecord, RevisitRecord, ServiceRequestState

RevisitKind = Literal["after_close", "periodic"]
#: A periodic call is about the contract (or one asset): phone call or on-site visit.
CHANNELS: dict[ScheduleKind, str] = {"revisit_call": "phone", "revisit_visit": "visit"}
WORKFLOW_PREFIX = "revisit-"


def revisit_workflow_id(call_id: str) -> str:
    return f"{WORKFLOW_PREFIX}{call_id}"


def retry_calendar(profile: SlaProfile, planned_on: str | None = None) -> str:
    """The calendar an unreachable customer is called again on: the one the call was planned
    on (a revisit after close), else the office calendar the schedules follow, else the quiet
    calendar, else the profile's first."""
    for name in (planned_on, OFFICE_CALENDAR, profile.quiet_calendar):
        if name in profile.calendars:
            return name
    return next(iter(profile.calendars))


def after_close_call_id(number: str, index: int) -> str:
    return f"{number}-R{index + 1}"


class RevisitCallStart(BaseModel):
    """A periodic call, as the contract schedule's run starts it."""

    id: str
    schedule_id: str
    customer_id: str
    asset_serial: str | None
    channel: str
    due: AwareDatetime
    #: The customer's profile now: retries and a complaint follow its rules.
    profile: SlaProfile


class RevisitCallState(BaseModel):
    id: str
    schedule_id: str
    customer_id: str
    asset_serial: str | None
    revisit: RevisitRecord
    complaints: list[ComplaintRecord] = []
    version: int = 0

    @classmethod
    def planned(cls, start: RevisitCallStart) -> RevisitCallState:
        return cls(
            id=start.id,
            schedule_id=start.schedule_id,
            customer_id=start.customer_id,
            asset_serial=start.asset_serial,
            revisit=RevisitRecord(due=start.due, channel=start.channel),
        )


class RevisitCallEntry(BaseModel):
    """One call as the call list keeps it (the `revisit_calls` projection)."""

    id: str
    kind: RevisitKind
    workflow_id: str
    #: The service request a post-close revisit follows up.
    number: str | None
    schedule_id: str | None
    customer_id: str
    asset_serial: str | None
    fault_code: str | None
    work_done: str | None
    engineer: str | None
    contact: str | None
    closed_at: datetime | None
    due: datetime
    channel: str
    attempts: int
    status: str
    answered_at: datetime | None
    satisfaction: int | None
    solved: bool | None
    attitude: int | None
    suggestions: str | None
    answered_by: Actor | None = None
    #: What the call is about, for the agent to say (a repair, a remote fix, a declined quote).
    about: str | None = None

    @classmethod
    def of_request(cls, state: ServiceRequestState, workflow_id: str) -> list[RevisitCallEntry]:
        work, about = _what_was_done(state)
        contact = f"{state.contact.name} {state.contact.phone}" if state.contact else None
        return [
            cls._of(
                revisit,
                id=after_close_call_id(state.number, index),
                kind="after_close",
                workflow_id=workflow_id,
                number=state.number,
                schedule_id=None,
                customer_id=state.customer_id,
                asset_serial=state.asset_serial,
                fault_code=state.fault_code,
                work_done=work,
                about=about,
                engineer=state.engineer,
                contact=contact,
                closed_at=state.closed_at,
            )
            for index, revisit in enumerate(state.revisits)
        ]

    @classmethod
    def of_call(cls, state: RevisitCallState) -> RevisitCallEntry:
        return cls._of(
            state.revisit,
            id=state.id,
            kind="periodic",
            workflow_id=revisit_workflow_id(state.id),
            number=None,
            schedule_id=state.schedule_id,
            customer_id=state.customer_id,
            asset_serial=state.asset_serial,
            fault_code=None,
            work_done=None,
            about=f"定期回访 periodic {state.revisit.channel} call",
            engineer=None,
            contact=None,
            closed_at=None,
        )

    @classmethod
    def _of(cls, revisit: RevisitRecord, **about: object) -> RevisitCallEntry:
        return cls.model_validate(
            about
            | revisit.model_dump(
                include={
                    "due",
                    "channel",
                    "attempts",
                    "status",
                    "answered_at",
                    "satisfaction",
                    "solved",
                    "attitude",
                    "suggestions",
                    "answered_by",
                }
            )
        )


def _what_was_done(state: ServiceRequestState) -> tuple[str | None, str]:
    """The work done (None when none was: a declined quote, a cancellation) and what the call
    is about, so the agent never reads a diagnosis as work done."""
    diagnosis = state.diagnosis.notes if state.diagnosis else None
    if state.repair is not None:
        return state.repair.work_done, "维修回访 follow-up of the repair"
    if state.diagnosis is not None and state.diagnosis.outcome == "resolved_remotely":
        return diagnosis, "远程解决回访 follow-up of the remote fix"
    if state.outcome == "declined":
        reason = state.quote.decline_reason if state.quote else None
        about = "报价未获同意回访 the customer declined the quote"
        return None, about + (f" ({reason})" if reason else "") + (
            f"; diagnosis: {diagnosis}" if diagnosis else ""
        )
    return None, f"服务回访 follow-up of the request ({state.outcome or 'closed'})"


def next_attempt(planned: datetime, retry: datetime) -> datetime:
    """When an unreachable customer is called again: after the retry interval, and never
    earlier than this call was planned (an early attempt does not bring the next one forward)."""
    return max(planned, retry)


#: What one attempt at a call comes to: call again later, given up, or answered.
AttemptOutcome = Literal["retry", "unreachable", "answered"]


def record_attempt(
    revisit: RevisitRecord,
    body: RecordRevisitBody,
    max_attempts: int,
    now: datetime,
    by: Actor | None,
) -> AttemptOutcome:
    """One attempt at a revisit call (回访), after close or periodic: an unreachable customer
    is called again until `max_attempts`, then given up; an answer is kept with who took it.
    On "retry" the caller moves `revisit.due` (`next_attempt`)."""
    revisit.attempts += 1
    if body.unreachable and revisit.attempts < max_attempts:
        return "retry"
    if body.unreachable:
        revisit.status, revisit.answered_at = "unreachable", now
    else:
        revisit.status, revisit.answered_at = "answered", now
        revisit.satisfaction, revisit.solved = body.satisfaction, body.solved
        revisit.attitude, revisit.suggestions = body.attitude, body.suggestions
    revisit.answered_by = by
    return revisit.status

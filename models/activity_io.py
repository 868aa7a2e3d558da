"""Names and payloads of the activities, so workflows can call them without importing their
implementations (which hold SQLAlchemy sessions and must stay out of the workflow sandbox)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, model_validator

from models.common import ClockName
from models.plan import Checkpoint
from models.profile import ProfileRef, SlaProfile
from models.state import PauseInterval, ServiceRequestState, TimelineEvent


class ActivityName(StrEnum):
    PLAN_CLOCKS = "plan_clocks"
    RECORD_EVENTS = "record_events"
    FIND_ENGINEER = "find_engineer"
    AUTO_ASSIGN = "auto_assign_engineer"
    PLAN_REVISITS = "plan_revisits"
    ISSUE_LOANER = "issue_loaner"
    CREATE_SIGNING_LINK = "create_signing_link"
    QUIET_RELEASE = "quiet_release"
    BUSINESS_INSTANT = "business_instant"
    OPEN_REWORK = "open_rework_request"
    RETURN_LOANER = "return_loaner"
    QUEUE_NOTIFICATION = "queue_notification"
    PLAN_COMPLAINT = "plan_complaint"
    RECORD_COMPLAINT = "record_complaint"
    RECORD_REVISIT_CALL = "record_revisit_call"


class Interval(BaseModel):
    """A pause; open while `end` is None."""

    start: AwareDatetime
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("a pause cannot end before it starts")
        return self


class ClockPlanRequest(BaseModel):
    profile: SlaProfile | ProfileRef
    severity: int
    region: str
    key_account: bool = False
    #: When each ticking clock started; clocks not listed are not planned.
    starts: dict[ClockName, datetime]
    #: The pauses since the clocks' checkpoints (all of them for a clock without one).
    pauses: list[Interval] = []
    #: Each clock's progress at an earlier instant (`sla.deadlines`: exact, with fewer pauses).
    checkpoints: dict[ClockName, Checkpoint] = {}
    #: Return every planned clock's checkpoint at this instant (no pause may start before it
    #: that is not in `pauses`).
    as_of: AwareDatetime | None = None


def plan_request(
    state: ServiceRequestState,
    profile: SlaProfile | ProfileRef,
    checkpoints: dict[ClockName, Checkpoint] | None = None,
    as_of: datetime | None = None,
    pauses: list[PauseInterval] | None = None,
) -> ClockPlanRequest:
    """What to plan for `state`: every ticking clock from its start (or from its checkpoint),
    with `pauses` (by default the state's): nothing is lost when severity, engineer or profile
    change, as the pauses before the checkpoints are accounted for in them."""
    starts = {
        name: clock.started_at
        for name, clock in state.clocks.items()
        if clock.ticking and clock.started_at is not None
    }
    return ClockPlanRequest(
        profile=profile,
        severity=state.severity,
        region=state.region,
        key_account=state.key_account,
        starts=starts,
        pauses=[
            Interval(start=p.start, end=p.end)
            for p in (state.pauses if pauses is None else pauses)
        ],
        checkpoints={
            name: point
            for name, point in (checkpoints or {}).items()
            if name in starts and point.start == starts[name]
        },
        as_of=as_of,
    )


class EngineerLookup(BaseModel):
    engineer_id: str


class AutoAssignRequest(BaseModel):
    region: str
    category: str
    #: Leave out the current engineer on a reassignment.
    exclude: list[str] = []
    #: A key account is served even when every engineer has the most open jobs allowed.
    key_account: bool = False


class EngineerInfo(BaseModel):
    id: str
    name: str
    on_duty: bool
    skills: list[str] = []
    regions: list[str] = []
    phone: str | None = None


class LoanerRequest(BaseModel):
    number: str
    customer_id: str
    category: str


class LoanerIssue(BaseModel):
    #: None when no unit of the category (and of at least the asset's rank) is free.
    unit_serial: str | None
    model: str | None = None
    #: Why none was lent, for the supervisor (None in results recorded before it existed).
    reason: str | None = None


#: The outbox's `number` column is a request number's width: other subjects are cut to it.
NOTICE_NUMBER_WIDTH = 32


class NotificationRequest(BaseModel):
    """One message to queue in the outbox; `key` makes queuing it twice a no-op."""

    key: str
    number: str
    kind: str
    recipients: list[str]
    data: dict[str, str] = {}
    #: The message's language; None: the deployment's `NOTIFY_LOCALE`.
    locale: Literal["zh", "en"] | None = None


class RecordRequest(BaseModel):
    events: list[TimelineEvent]
    state: ServiceRequestState
    #: Notices for the outbox, written in the same transaction (the relay delivers them).
    notices: list[NotificationRequest] = []


class RevisitPlanRequest(BaseModel):
    profile: SlaProfile | ProfileRef
    closed_at: AwareDatetime


class RevisitDue(BaseModel):
    due: datetime
    channel: str


class RevisitPlan(BaseModel):
    due: list[RevisitDue]


#: What a customer's link is for: signing the report, or deciding on a quote.
LinkPurpose = Literal["sign", "quote"]


class SigningLinkRequest(BaseModel):
    """The nonce and expiry come from the workflow, so a retried activity issues the same link."""

    number: str
    nonce: str
    expires_at: AwareDatetime
    purpose: LinkPurpose = "sign"


class QuietReleaseRequest(BaseModel):
    """When a notice held at `at` may go out: the next opening of `calendar`, by default the
    profile's quiet calendar."""

    profile: SlaProfile | ProfileRef
    at: AwareDatetime
    calendar: str | None = None


class BusinessInstantRequest(BaseModel):
    """`working_days` after `start` on one of the profile's calendars (for a revisit retry)."""

    profile: SlaProfile | ProfileRef
    calendar: str
    start: AwareDatetime
    working_days: int


class ReworkRequest(BaseModel):
    """A request linked to `original`: a rework after a revisit's complaint (the same asset
    and fault, worked on again), or the repair of a hidden fault a revisit visit found."""

    original: str
    customer_id: str
    asset_serial: str
    fault_code: str
    severity: int
    reason: str
    kind: Literal["rework", "hidden_fault"] = "rework"

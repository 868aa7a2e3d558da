"""Complaints (客诉): a record for the supervisor with its own response clock (SPEC §2)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from models.actions import Actor, Blankable, Text
from models.common import ClockStatus
from models.intake import ClockView, Contact
from models.profile import ProfileRef, SlaProfile
from models.search_attributes import ASSET_SERIAL, CUSTOMER_ID

#: Where a complaint came from: an unhappy post-close revisit, the hotline (intake type
#: `complaint`), or an unhappy periodic revisit call.
ComplaintSource = Literal["revisit", "intake", "periodic_revisit"]
ComplaintStatus = Literal["open", "responded"]
WORKFLOW_PREFIX = "complaint-"


def complaint_workflow_id(number: str) -> str:
    return f"{WORKFLOW_PREFIX}{number}"


def complaint_number(about: str, ordinal: int) -> str:
    """Deterministic: the request (or periodic call) it is about and its position there."""
    return f"{about}-C{ordinal}"


class ComplaintPlanRequest(BaseModel):
    profile: SlaProfile | ProfileRef
    opened_at: AwareDatetime


class ComplaintStart(BaseModel):
    """The complaint workflow's input, made by the workflow the complaint arose in or, for
    one the hotline takes, by the intake."""

    number: str
    source: ComplaintSource
    customer_id: str
    asset_serial: str | None
    #: The service request (or periodic call) it is about, and the rework opened for it; a
    #: hotline complaint is about a request only when the caller names one.
    about: str | None
    rework: str | None = None
    reason: str
    opened_at: datetime
    opened_by: str
    respond_by: datetime
    notify: list[str]
    escalate_to: list[str]
    #: How a hotline complaint came in, and who to answer.
    channel: str | None = None
    contact: Contact | None = None

    def summary(self) -> str:
        """The Web UI's one line for the complaint's workflow."""
        return f"complaint {self.number} · {self.customer_id} · {self.reason[:80]}"

    def details(self) -> str:
        if self.about is None:
            return f"Hotline complaint ({self.channel}): {self.reason}"
        return (
            f"About {self.about}"
            + (f", rework {self.rework}" if self.rework else "")
            + (f": {self.reason}")
        )

    def search_attributes(self) -> TypedSearchAttributes:
        pairs = [SearchAttributePair(CUSTOMER_ID, self.customer_id)]
        if self.asset_serial:
            pairs.append(SearchAttributePair(ASSET_SERIAL, self.asset_serial))
        return TypedSearchAttributes(pairs)


class RespondBody(BaseModel):
    """The supervisor's answer to the customer (投诉答复) and what was done about it."""

    model_config = ConfigDict(extra="forbid")

    response: Text
    remedy: Blankable[Text] = None


class RespondCommand(BaseModel):
    actor: Actor
    body: RespondBody


class ComplaintState(BaseModel):
    number: str
    source: ComplaintSource
    customer_id: str
    asset_serial: str | None
    about: str | None
    rework: str | None
    reason: str
    opened_at: datetime
    opened_by: str
    respond_by: datetime
    channel: str | None = None
    contact: Contact | None = None
    status: ComplaintStatus = "open"
    #: When `respond_by` passed without an answer (the escalation instant).
    breached_at: datetime | None = None
    responded_at: datetime | None = None
    responded_by: str | None = None
    #: The answering person (key id, role, name).
    responder: Actor | None = None
    response: str | None = None
    remedy: str | None = None
    version: int = 0

    @classmethod
    def opened(cls, start: ComplaintStart) -> ComplaintState:
        return cls.model_validate(start.model_dump(exclude={"notify", "escalate_to"}))

    @property
    def workflow_id(self) -> str:
        return complaint_workflow_id(self.number)

    def clock(self) -> ClockView:
        """The answer's clock as a request's clocks are shown."""
        status = ClockStatus.BREACHED if self.breached_at is not None else ClockStatus.RUNNING
        if self.status == "responded" and self.breached_at is None:
            status = ClockStatus.MET
        return ClockView(due=self.respond_by, status=status, met_at=self.responded_at)

"""Complaints (客诉): a record for the supervisor with its own response clock (SPEC §2)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from models.actions import Actor, Blankable, Text
from models.profile import SlaProfile

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
    profile: SlaProfile
    opened_at: AwareDatetime


class ComplaintStart(BaseModel):
    """The complaint workflow's input, made by the workflow the complaint arose in."""

    number: str
    source: ComplaintSource
    customer_id: str
    asset_serial: str | None
    #: The service request (or periodic call) it is about, and the rework opened for it.
    about: str
    rework: str | None = None
    reason: str
    opened_at: datetime
    opened_by: str
    respond_by: datetime
    notify: list[str]
    escalate_to: list[str]


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
    about: str
    rework: str | None
    reason: str
    opened_at: datetime
    opened_by: str
    respond_by: datetime
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

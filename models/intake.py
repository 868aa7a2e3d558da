"""The intake body and response of SPEC §6, and the input a service-request workflow starts with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from models.actions import Actor, Blankable, Severity, Text
from models.common import ClockName, FaultCode, Identifier
from models.entitlement import Entitlement
from models.plan import ClockPlan
from models.profile import SlaProfile

Channel = Literal["phone", "web", "email", "wechat", "fax", "letter", "visit"]
#: The service time zone when none is configured (SERVICE_TIMEZONE).
SERVICE_TIMEZONE = "Asia/Shanghai"
RequestType = Literal["repair", "return_exchange", "complaint", "inspection", "revisit_visit"]
RequestNumber = Annotated[str, Field(pattern=r"^SR-\d{8}-\d{6,}$", max_length=32)]
#: What every request but a complaint must carry. A complaint (投诉) needs only a customer and a
#: description; its asset is optional and it runs only the complaint clock.
REPAIR_FIELDS = ("asset_serial", "fault_code", "severity")


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    phone: Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+()\- ]+$")]


class IntakeRequest(BaseModel):
    """What the hotline posts; optional fields default from the customer."""

    model_config = ConfigDict(extra="forbid")

    external_ref: Blankable[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    ] = None
    channel: Channel
    customer_id: Identifier
    #: Required but for a complaint (`REPAIR_FIELDS`).
    asset_serial: Identifier | None = None
    region: Identifier | None = None
    severity: Severity | None = None
    fault_code: FaultCode | None = None
    description: Text
    contact: Contact | None = None
    reported_at: AwareDatetime | None = None
    sla_profile: Identifier | None = None
    type: RequestType = "repair"
    #: A complaint about an earlier request of the same customer (its number).
    about: RequestNumber | None = None
    #: Register a new request even when the asset has an open one for the same fault.
    force_new: bool = False
    #: A customer new to the archive, created with the request when `customer_id` is unknown:
    #: its record as `/v1/customers` takes it (SPEC §4), without `id`; `name` is required and
    #: its `contact` defaults to the caller's, its `region` to the intake's.
    customer: dict[str, Any] | None = None
    #: A new asset, created with the request when `asset_serial` is unknown: its record as
    #: `/v1/assets` takes it, without `serial` and `customer_id`.
    asset: dict[str, Any] | None = None

    def problems(self) -> list[dict[str, str]]:
        """What this type of request lacks or may not carry, field by field."""
        if self.type == "complaint":
            return []
        found = [
            {"field": name, "reason": "is required (only a complaint may leave it out)"}
            for name in REPAIR_FIELDS
            if getattr(self, name) is None
        ]
        if self.about is not None:
            found.append({"field": "about", "reason": "only a complaint is about another request"})
        return found


class ServiceRequestStart(BaseModel):
    """The workflow's input: the intake with every default resolved, recorded once in history.

    The profile travels in full so a request keeps the version it started with even when the
    profile is edited later.
    """

    number: str
    type: RequestType
    channel: Channel
    external_ref: str | None
    customer_id: str
    customer_name: str
    #: The customer was a key account (重点客户) when the request was registered: its targets
    #: are the profile's `by_key_account` ones, and auto-assign serves it when others wait.
    key_account: bool = False
    asset_serial: str
    asset_category: str
    region: str
    severity: int
    fault_code: str
    description: str
    contact: Contact | None
    reported_at: datetime
    registered_at: datetime
    #: The intake agent (API key name) who took the call, for the timeline.
    registered_by: str
    #: The intake agent as a person (key id, role, name); None for requests the system opens.
    registrar: Actor | None = None
    #: Where the engineer goes (the asset's site, else the customer's address), and the
    #: archive's contact there: what an assignment notice tells the engineer.
    site_address: str | None = None
    site_contact: str | None = None
    #: The service's time zone, in which people read instants (the Web UI's details).
    timezone: str = SERVICE_TIMEZONE
    profile: SlaProfile
    profile_version: int
    entitlement: Entitlement
    #: The plan of the clocks that start at `reported_at`, made at intake so the intake
    #: response and the first search attributes already carry the deadlines.
    initial_plan: ClockPlan = ClockPlan(due={})
    #: The request this one reworks (a complaint after a revisit), shown in both timelines.
    linked_to: str | None = None
    #: For an inspection: the checklist items the engineer's report must cover.
    checklist: list[str] = []


class ClockView(BaseModel):
    due: datetime | None
    status: str
    met_at: datetime | None


class IntakeResponse(BaseModel):
    """A service request's number, stage, entitlement and clocks; for a complaint its number,
    status (`stage`), no entitlement and the one `complaint` clock."""

    number: str
    workflow_id: str
    stage: str
    entitlement: Entitlement | None
    clocks: dict[ClockName | Literal["complaint"], ClockView]
    #: True when this is the request already registered for the same idempotency key or
    #: external_ref, or the open request for the same asset and fault (一事多投).
    duplicate: bool = False

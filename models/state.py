"""The state of one service request: what the workflow holds and what `GET …/{number}` returns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from models.actions import Actor, ChecklistItem, HiddenFault, PartUsed, QuoteLine, SignBody
from models.common import STANDARD_CLOCKS, ClockName, ClockStatus, SlaStatus
from models.entitlement import Entitlement
from models.intake import Channel, Contact, RequestType, ServiceRequestStart
from models.lifecycle import OPEN_STAGES, Stage


class ClockState(BaseModel):
    started_at: datetime | None = None
    due: datetime | None = None
    status: ClockStatus = ClockStatus.NOT_STARTED
    met_at: datetime | None = None
    #: met_at − due in minutes: negative when early, positive when late.
    variance_minutes: float | None = None

    @property
    def ticking(self) -> bool:
        return self.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)


class PauseInterval(BaseModel):
    reason: str
    start: datetime
    end: datetime | None = None
    by: str


class Diagnosis(BaseModel):
    outcome: str
    notes: str
    exclusion: str | None
    by: str
    at: datetime


class QuoteRecord(BaseModel):
    lines: list[QuoteLine]
    currency: str
    total: Decimal
    status: Literal["proposed", "approved", "declined"]
    proposed_by: str
    proposed_at: datetime
    #: Where approval leads: a quote made on site sends the engineer back to work.
    return_to: Stage
    decided_at: datetime | None = None
    decline_reason: str | None = None


class RepairRecord(BaseModel):
    result: str
    work_done: str
    parts: list[PartUsed]
    checklist: list[ChecklistItem] = []
    test_result: str
    replacement_serial: str | None
    replacement_model: str | None = None
    engineer: str | None
    at: datetime
    #: Found on site: human damage, misuse, … (the work became chargeable).
    exclusion: str | None = None


class PartsOrder(BaseModel):
    """One wait for spare parts (备件): what the engineer found was needed, its shipment and
    arrival, and the faulty part's return for appraisal (P4) or its write-off."""

    parts: list[PartUsed]
    confirmed_at: datetime
    confirmed_by: str | None
    shipped_at: datetime | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    arrived_at: datetime | None = None
    returned_at: datetime | None = None
    returned_serials: list[str] = []
    appraisal: str | None = None
    written_off: bool = False
    write_off_reason: str | None = None


class SignatureRecord(BaseModel):
    signer: str
    method: Literal["drawn", "typed"]
    typed_name: str | None
    quality: int
    attitude: int
    comment: str | None
    signed_at: datetime
    #: Who the signature came through: the customer's key or their signing link.
    by: Actor | None = None
    #: SHA-256 of the decoded PNG, so the stored image can be checked later.
    image_sha256: str | None = None
    #: SHA-256 of the report as signed: the workflow's history is the independent witness
    #: against which a stored report is verified.
    report_sha256: str | None = None


def signature_of(body: SignBody, at: datetime, by: Actor | None) -> SignatureRecord:
    """The record of a `sign`: what the workflow keeps and what the signed report shows."""
    return SignatureRecord(
        signer=body.signer,
        method="drawn" if body.drawn else "typed",
        typed_name=body.typed_name,
        quality=body.quality,
        attitude=body.attitude,
        comment=body.comment,
        signed_at=at,
        by=by,
        image_sha256=body.image_sha256,
        report_sha256=body.report_sha256,
    )


#: Escalations the workflow raises itself, not from a rule of the profile.
OwnEscalation = Literal["no_engineer", "no_loaner", "signature_refused", "complaint", "customer"]


class EscalationRecord(BaseModel):
    clock: str
    #: 1-based position of the rule in the profile (SPEC §6); None for the workflow's own.
    #: Escalations recorded before `kind` existed say 0 for the workflow's own.
    level: int | None
    #: `level` (a rule of the profile) or what the workflow escalated by itself.
    kind: Literal["level"] | OwnEscalation = "level"
    at: datetime
    notified: list[str]
    at_percent: int | None = None


class CustomerEscalation(BaseModel):
    """The customer (or intake on their behalf) escalated the request to `level`."""

    level: int
    reason: str
    by: str
    at: datetime
    notified: list[str]


class RevisitRecord(BaseModel):
    due: datetime
    channel: str
    attempts: int = 0
    status: Literal["due", "answered", "unreachable"] = "due"
    answered_at: datetime | None = None
    satisfaction: int | None = None
    solved: bool | None = None
    attitude: int | None = None
    suggestions: str | None = None
    #: The revisit agent who recorded the answer.
    answered_by: Actor | None = None


class RemedyChoice(BaseModel):
    """What the customer chose on a return / exchange request (三包)."""

    remedy: str
    at: datetime
    by: str
    replacement_serial: str | None = None
    replacement_model: str | None = None
    note: str | None = None


class VisitRecord(BaseModel):
    """A revisit visit (上门回访) as the engineer recorded it on site."""

    at: datetime
    by: Actor | None
    satisfaction: int | None
    solved: bool | None
    attitude: int | None
    suggestions: str | None = None
    hidden_fault: HiddenFault | None = None
    #: The repair request opened for the hidden fault, linked to this visit.
    repair: str | None = None


class ComplaintRecord(BaseModel):
    """A customer's complaint (客诉), for the supervisor to answer (its own workflow)."""

    #: The complaint's number (None for complaints recorded before they had a workflow).
    number: str | None = None
    opened_at: datetime
    reason: str
    respond_by: datetime
    rework: str | None = None


def workflow_id_for(number: str) -> str:
    """The workflow ID of service request `number`."""
    return f"service-request-{number}"


class ServiceRequestState(BaseModel):
    number: str
    type: RequestType
    channel: Channel
    external_ref: str | None
    stage: Stage
    severity: int
    region: str
    #: As registered (`ServiceRequestStart.key_account`).
    key_account: bool = False
    customer_id: str
    asset_serial: str
    fault_code: str
    description: str
    contact: Contact | None
    reported_at: datetime
    registered_at: datetime
    sla_profile: str
    sla_profile_version: int
    entitlement: Entitlement
    engineer: str | None = None
    #: The assigned engineer's name, as the archive had it at the assignment.
    engineer_name: str | None = None
    appointment_at: datetime | None = None
    paused: bool = False
    pauses: list[PauseInterval] = []
    clocks: dict[ClockName, ClockState]
    escalations: list[EscalationRecord] = []
    #: Serial of the loaner unit (备用机) the customer has, until it is returned at close.
    loaner: str | None = None
    loaner_returned_at: datetime | None = None
    #: The customer's current signing link while the request awaits the signature.
    signing_url: str | None = None
    #: The customer's link to approve or decline the proposed quote (awaiting_approval).
    quote_url: str | None = None
    #: The request this one reworks, and the rework requests opened from this one.
    linked_to: str | None = None
    reworks: list[str] = []
    complaints: list[ComplaintRecord] = []
    quote: QuoteRecord | None = None
    diagnosis: Diagnosis | None = None
    repair: RepairRecord | None = None
    #: Every wait for spare parts, the latest last.
    parts_orders: list[PartsOrder] = []
    customer_escalations: list[CustomerEscalation] = []
    signature: SignatureRecord | None = None
    signature_refusals: list[dict[str, Any]] = []
    revisits: list[RevisitRecord] = []
    #: A revisit visit's record (type `revisit_visit`): the visit replaces the revisits.
    visit: VisitRecord | None = None
    #: A return / exchange request's remedy, once the customer chose it.
    remedy: RemedyChoice | None = None
    outcome: str | None = None
    #: Clocks that ever breached: a reassignment or rework restarts a clock, not the record.
    breaches: list[str] = []
    #: The engineer has been on site at least once (intake may no longer cancel).
    visited: bool = False
    closed_at: datetime | None = None
    cancel_reason: str | None = None
    #: Bumped on every recorded change; the read model keeps the newest version only.
    version: int = 0

    @classmethod
    def registered(cls, start: ServiceRequestStart) -> ServiceRequestState:
        """The state right after intake: response, diagnosis and resolution run from
        `reported_at`; arrival and signature wait for their starting events."""
        clocks = {name: ClockState() for name in STANDARD_CLOCKS}
        for name in (ClockName.RESPONSE, ClockName.DIAGNOSIS, ClockName.RESOLUTION):
            clocks[name] = ClockState(
                started_at=start.reported_at,
                status=ClockStatus.RUNNING,
                due=start.initial_plan.due.get(name),
            )
        return cls(
            number=start.number,
            type=start.type,
            channel=start.channel,
            external_ref=start.external_ref,
            stage=Stage.REGISTERED,
            severity=start.severity,
            region=start.region,
            key_account=start.key_account,
            customer_id=start.customer_id,
            asset_serial=start.asset_serial,
            fault_code=start.fault_code,
            description=start.description,
            contact=start.contact,
            reported_at=start.reported_at,
            registered_at=start.registered_at,
            sla_profile=start.profile.name,
            sla_profile_version=start.profile_version,
            entitlement=start.entitlement,
            clocks=clocks,
            linked_to=start.linked_to,
        )

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def sla_status(self) -> SlaStatus:
        if self.breaches:
            return SlaStatus.BREACHED
        if self.paused:
            return SlaStatus.PAUSED
        if any(self._at_risk(name, clock) for name, clock in self.clocks.items()):
            return SlaStatus.AT_RISK
        return SlaStatus.ON_TRACK

    def _at_risk(self, name: str, clock: ClockState) -> bool:
        """A ticking clock that has passed one of its percentage levels since it started."""
        return clock.ticking and any(
            e.clock == name
            and e.at_percent is not None
            and clock.started_at is not None
            and e.at >= clock.started_at
            for e in self.escalations
        )

    @property
    def next_deadline(self) -> datetime | None:
        if not self.is_open:
            return None
        dues = [c.due for c in self.clocks.values() if c.status == ClockStatus.RUNNING and c.due]
        return min(dues, default=None)


#: Timeline entries the asset archive follows (`db.replacements`): a new unit fitted in the
#: request's asset's place (`old_serial`, `new_serial`, `model`, `exchange` for a 三包
#: exchange), and `components` fitted.
UNIT_REPLACED, COMPONENTS_REPLACED = "unit_replaced", "components_replaced"


class TimelineEvent(BaseModel):
    """One entry of the append-only timeline; `seq` is per request and makes writes idempotent."""

    seq: int
    kind: str
    at: datetime
    #: The acting person's name (or `system`), for display.
    actor: str
    #: The acting person: key id, role, name and bound id; None for the workflow itself.
    by: Actor | None = None
    stage: Stage
    data: dict[str, Any] = {}

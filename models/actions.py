"""Action bodies of SPEC §2 (field names fixed) and the envelope the API sends to the workflow."""

from __future__ import annotations

import base64
import binascii
import hashlib
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from models.common import ComponentName, FaultCode, Identifier

T = TypeVar("T")


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


#: An optional text (`Blankable[Text] = None`): empty or only spaces, as an empty form field
#: sends it, is the same as none.
Blankable = Annotated[T | None, BeforeValidator(_blank_is_none)]
#: After a number's constraints (`Annotated[int, Field(ge=1), NOT_BOOL]`): `true` is not 1, as
#: pydantic would otherwise take it. (Not StrictInt: the archive import reads the same models
#: from CSV cells, which are text.)
NOT_BOOL = BeforeValidator(_not_bool)
#: Required texts: at least one character that is not a space (surrounding spaces dropped).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Rating = Annotated[int, Field(ge=1, le=5), NOT_BOOL]
#: 1 (most urgent) to 4, as the profile's targets are keyed.
Severity = Annotated[int, Field(ge=1, le=4), NOT_BOOL]
Exclusion = Literal["human_damage", "unauthorised_disassembly", "misuse", "force_majeure"]


class Body(BaseModel):
    """Unknown fields are refused so that a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class QuoteLine(Body):
    kind: Literal["part", "labour", "travel"]
    description: ShortText
    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class QuoteBody(Body):
    lines: Annotated[list[QuoteLine], Field(min_length=1, max_length=100)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


class QuoteActionBody(QuoteBody):
    """The `quote` action: while diagnosing, the quote is the proposed solution, so it carries
    the diagnosis notes (the report prints them)."""

    notes: Blankable[Text] = None


class AcknowledgeBody(Body):
    note: Blankable[Text] = None


class DiagnoseBody(Body):
    outcome: Literal["resolved_remotely", "needs_onsite"]
    notes: Text
    exclusion: Exclusion | None = None
    #: A chargeable on-site visit needs the customer's approval of a cost estimate first.
    quote: QuoteBody | None = None


class ApproveQuoteBody(Body):
    pass


class DeclineQuoteBody(Body):
    reason: Blankable[Text] = None


class AssignBody(Body):
    engineer_id: ShortText | None = None
    #: Send an engineer who lacks the asset's skill or region anyway (the reason is recorded).
    override: bool = False
    reason: Blankable[Text] = None

    @model_validator(mode="after")
    def _override_needs_reason(self) -> Self:
        if self.override and not (self.engineer_id and self.reason):
            raise ValueError("override needs engineer_id and a reason (recorded in the timeline)")
        return self


class ScheduleVisitBody(Body):
    appointment_at: AwareDatetime


class CheckInBody(Body):
    pass


class PartUsed(Body):
    part_no: ShortText
    qty: Annotated[int, Field(ge=1, le=10_000), NOT_BOOL]
    #: The units' serials, where known (a part of `qty` 3 has at most 3).
    serials: Annotated[list[ShortText], Field(max_length=200)] = []
    #: The component of the unit's warranty this part replaces (e.g. `bulb`): fitted, the
    #: component's own term restarts (P9). None: a part under the unit's warranty.
    component: ComponentName | None = None

    @model_validator(mode="after")
    def _serials_fit_qty(self) -> Self:
        if len(self.serials) > self.qty:
            raise ValueError(f"{len(self.serials)} serials for a quantity of {self.qty}")
        if len(set(self.serials)) != len(self.serials):
            raise ValueError("a serial is given twice")
        return self


class ChecklistItem(Body):
    item: ShortText
    ok: bool
    note: Blankable[Text] = None


class ReportRepairBody(Body):
    result: Literal["fixed", "needs_parts", "needs_factory_repair", "replace"]
    work_done: Text
    parts: Annotated[list[PartUsed], Field(max_length=200)] = []
    test_result: Annotated[str, Field(max_length=4000)] = ""
    #: The new unit of a `replace` (it enters the archive in the old one's place) and its model
    #: when it is not the old one's.
    replacement_serial: Identifier | None = None
    replacement_model: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    #: An inspection's report: every item of the asset category's checklist, checked.
    checklist: Annotated[list[ChecklistItem], Field(max_length=200)] = []
    #: Found on site (SPEC §4): the work becomes chargeable and needs the customer's approval
    #: of `quote` before it goes on.
    exclusion: Exclusion | None = None
    quote: QuoteBody | None = None

    @model_validator(mode="after")
    def _replacement_needs_serial(self) -> Self:
        if self.result == "replace" and not self.replacement_serial:
            raise ValueError("result 'replace' needs replacement_serial (the new unit's serial)")
        if self.result != "replace" and (self.replacement_serial or self.replacement_model):
            raise ValueError("the replacement's serial and model are only for result 'replace'")
        return self


class PartsShippedBody(Body):
    """The spare part is on its way (备件发出): stops the ship clock."""

    carrier: Blankable[ShortText] = None
    tracking_no: Blankable[ShortText] = None
    note: Blankable[Text] = None


class PartsArrivedBody(Body):
    pass


class FaultyPartReturnedBody(Body):
    """The faulty part is back (故障件寄回) for appraisal (P4), or written off with a reason
    (it will not come back): either stops the return clock."""

    serials: Annotated[list[ShortText], Field(max_length=200)] = []
    #: What the appraisal of the returned part found (鉴定结果).
    appraisal: Blankable[Text] = None
    written_off: bool = False
    reason: Blankable[Text] = None

    @model_validator(mode="after")
    def _written_off_needs_reason(self) -> Self:
        if self.written_off and not self.reason:
            raise ValueError("written_off needs a reason (why the part will not come back)")
        if self.written_off and (self.serials or self.appraisal):
            raise ValueError("a part written off was not returned: no serials or appraisal")
        return self


#: A drawn signature (or an uploaded stamp) as a base64 PNG, data URL or bare: at most this
#: many characters.
SIGNATURE_PNG_MAX = 400_000
SignaturePng = Annotated[str, Field(min_length=16, max_length=SIGNATURE_PNG_MAX)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class SignBody(Body):
    signer: ShortText
    signature_png: SignaturePng | None = None
    #: The drawn image's SHA-256 in its place: the API stores the image with the signed
    #: report and sends the workflow only this, so no image enters the request's history.
    signature_sha256: Sha256Hex | None = None
    typed_name: Blankable[ShortText] = None
    quality: Rating
    attitude: Rating
    comment: Blankable[Text] = None
    #: SHA-256 of the service report the customer saw and signed (the signing page sets it).
    report_sha256: Sha256Hex | None = None

    @model_validator(mode="after")
    def _one_signature(self) -> Self:
        drawn = self.signature_png is not None or self.signature_sha256 is not None
        if drawn == (self.typed_name is not None) or (
            self.signature_png is not None and self.signature_sha256 is not None
        ):
            raise ValueError("give exactly one of signature_png (drawn) or typed_name")
        if self.signature_png is not None:
            png_bytes(self.signature_png)  # raises with a clear message
        return self

    @property
    def drawn(self) -> bool:
        return self.signature_png is not None or self.signature_sha256 is not None

    @property
    def image_sha256(self) -> str | None:
        if self.signature_png is None:
            return self.signature_sha256
        return hashlib.sha256(png_bytes(self.signature_png)).hexdigest()


def png_bytes(data: str, field: str = "signature_png") -> bytes:
    """The PNG inside a data URL (`data:image/png;base64,…`) or bare base64."""
    encoded = data
    if data.startswith("data:"):  # another type's data URL (a JPEG chosen) is no PNG either
        header, _, encoded = data.partition(",")
        if header != "data:image/png;base64":
            raise ValueError(f"{field}: is not a PNG image")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field}: is not valid base64") from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError(f"{field}: is not a PNG image")
    return raw


class RefuseSignatureBody(Body):
    reason: Text


class OverrideCloseBody(Body):
    reason: Text


class ReworkBody(Body):
    reason: Text


class PauseBody(Body):
    reason: ShortText


class ResumeBody(Body):
    pass


class RecordRevisitBody(Body):
    """Either the customer's answers or `{"unreachable": true}`."""

    unreachable: bool = False
    satisfaction: Rating | None = None
    solved: bool | None = None
    attitude: Rating | None = None
    suggestions: Blankable[Text] = None

    @model_validator(mode="after")
    def _answers_or_unreachable(self) -> Self:
        answers = (self.satisfaction, self.solved, self.attitude)
        if self.unreachable:
            if any(v is not None for v in (*answers, self.suggestions)):
                raise ValueError("an unreachable customer gives no answers")
        elif any(v is None for v in answers):
            raise ValueError(
                "satisfaction, solved and attitude are required (or unreachable: true)"
            )
        return self

    @property
    def complaint(self) -> str | None:
        """What the customer complains of, when the answer is one (satisfaction ≤ 2 or the
        fault not solved): their words, else what the answer says."""
        if self.unreachable or ((self.satisfaction or 5) > 2 and self.solved is not False):
            return None
        return self.suggestions or (
            "not solved" if self.solved is False else f"satisfaction {self.satisfaction}"
        )


class ChooseRemedyBody(Body):
    """The customer's choice on a return / exchange request (三包): return, exchange (the new
    unit handed over names its serial) or repair."""

    remedy: Literal["return", "exchange", "repair"]
    replacement_serial: Identifier | None = None
    replacement_model: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    note: Blankable[Text] = None

    @model_validator(mode="after")
    def _exchange_names_the_new_unit(self) -> Self:
        if self.remedy == "exchange" and not self.replacement_serial:
            raise ValueError("an exchange needs replacement_serial (the new unit's serial)")
        if self.remedy != "exchange" and (self.replacement_serial or self.replacement_model):
            raise ValueError("the new unit's serial and model are only for an exchange")
        return self


class HiddenFault(Body):
    """A fault the engineer found on a revisit visit (隐患) that nobody had reported."""

    fault_code: FaultCode
    description: Text
    severity: Severity = 3


class RecordVisitBody(RecordRevisitBody):
    """An on-site revisit (上门回访): the customer's answers, as on a call, and a hidden fault
    found (which opens a repair request linked to the visit)."""

    hidden_fault: HiddenFault | None = None

    @model_validator(mode="after")
    def _on_site_means_reached(self) -> Self:
        if self.unreachable:
            raise ValueError(
                "an engineer on site has reached the customer: record the answers (a customer "
                "who is not there is a pause or a cancel)"
            )
        return self


class EscalateBody(Body):
    """The customer asks for more attention (002: "C-1 may be escalated by the user")."""

    reason: Text


class CancelBody(Body):
    reason: Text


class ChangeSeverityBody(Body):
    severity: Severity
    reason: Text


class Actor(BaseModel):
    """Who acts: the person behind the API key (or the customer behind a signed link).

    `engineer_id` / `customer_id` are the ids the key is bound to; the workflow holds every
    action to them, so a client that bypasses the API is held too."""

    role: str
    name: str
    key_id: int | None = None
    engineer_id: str | None = None
    customer_id: str | None = None
    #: The customer's contact person a customer key is issued to.
    contact: str | None = None
    #: How the person was identified: `api_key`, `signing_link`, `quote_link` or `status_link`.
    via: str | None = None

    @property
    def label(self) -> str:
        """The person as the timeline and the report show them: name, role and bound id."""
        bound = self.engineer_id or self.customer_id
        return f"{self.name} ({self.role}, {bound})" if bound else f"{self.name} ({self.role})"

    @property
    def person(self) -> Actor | None:
        """The record of who acted, or None for the workflow itself."""
        return self if self.via else None


class ActionCommand(BaseModel):
    """What the API sends as the argument of an action update."""

    actor: Actor
    body: dict[str, Any] = {}

"""The customer archive's documents (SPEC §4): customers with their sites and contacts, assets
with their warranty and legacy repairs, engineers; and the service history of either.

The API's bodies and responses and the rows of `manage.py import-archive` are validated by
these same models, so a row the import accepts is one the API would accept too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from models.actions import NOT_BOOL, Blankable
from models.common import ComponentName, FaultCode, Identifier
from models.intake import Contact

T = TypeVar("T")

Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortName = Annotated[str, Field(min_length=1, max_length=100)]
#: An asset's class, 1 (the plainest) to 10, and the class of a loaner unit lent for it.
CapabilityRank = Annotated[int, Field(ge=1, le=10), NOT_BOOL]
Address = Annotated[str, Field(min_length=1, max_length=400)]
Email = Annotated[
    str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["it@example.com"])
]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+()\- ]+$")]
#: The dates an asset's warranty is counted from, and its repairs: beyond these the arithmetic
#: would run off the calendar (year 9999) and mean nothing anyway.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
MAX_MONTHS = 600
Months = Annotated[int, Field(gt=0, le=MAX_MONTHS), NOT_BOOL]


def sane_date(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DAY} .. {LAST_DAY}")
    return value


AssetDate = Annotated[date, AfterValidator(sane_date)]


def legacy_instant(value: str) -> str:
    """A date `YYYY-MM-DD`, or an instant with its offset, written the ISO way.

    Legacy systems export either; the text is kept (normalised) rather than converted, so the
    local date the old system recorded stays the date warranty arithmetic counts.
    """
    unreadable = "is not a date (YYYY-MM-DD) or an ISO 8601 instant with an offset"
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
        instant = None if day else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(unreadable) from None
    if instant is not None:
        if instant.tzinfo is None:
            raise ValueError(unreadable)
        sane_date(instant.date())
        return instant.isoformat()
    assert day is not None
    return sane_date(day).isoformat()


LegacyInstant = Annotated[
    str,
    AfterValidator(legacy_instant),
    Field(examples=["2025-03-02", "2025-03-02T09:30:00+08:00"]),
]


class _Document(BaseModel):
    # Unknown fields are mistakes (a misspelt column loses data silently otherwise).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SiteRecord(_Document):
    id: Identifier
    name: Name
    address: Blankable[Address] = None
    #: Defaults to the customer's region.
    region: Identifier | None = None


class CustomerRecord(_Document):
    id: Identifier
    name: Name
    #: The primary contact.
    contact: Contact | None = None
    #: Further contacts, in order.
    contacts: Annotated[list[Contact], Field(max_length=50)] = []
    email: Blankable[Email] = None
    address: Blankable[Address] = None
    region: Identifier
    key_account: bool = False
    sla_profile: Identifier = "standard"
    #: The archive keeps no order of sites: they are read back by id.
    sites: Annotated[list[SiteRecord], Field(max_length=1000)] = []

    @model_validator(mode="after")
    def _site_defaults(self) -> Self:
        first: dict[str, int] = {}
        for index, site in enumerate(self.sites):
            if site.id in first:
                raise ValueError(f"sites.{index}.id: {site.id!r} is also sites.{first[site.id]}")
            first[site.id] = index
        self.sites = [
            site.model_copy(update={"region": site.region or self.region}) for site in self.sites
        ]
        return self


class FittedComponent(_Document):
    """A component replaced on a repair: fitted that day, its own term ends `ends_on`."""

    fitted_on: AssetDate
    ends_on: AssetDate

    @model_validator(mode="after")
    def _ends_after_fitting(self) -> Self:
        if self.ends_on < self.fitted_on:
            raise ValueError("ends_on: is before fitted_on")
        return self


class Warranty(_Document):
    start_basis: Literal["invoice", "acceptance_next_day"] = "invoice"
    months: Months = 12
    #: Components with their own term in months, e.g. `{"bulb": 6}`.
    components: dict[ComponentName, Months] = {}
    #: How long a repair is itself guaranteed: a re-failure within it is free rework.
    repair_warranty_months: Annotated[int, Field(ge=0, le=120), NOT_BOOL] = 3
    #: A unit that replaced one under the `inherit` policy: its term ends when the old one's
    #: would have (the profile's extension included), not `months` after its start.
    inherited_end: AssetDate | None = None
    #: Replaced components (P9): each one's own term runs from the day the new part was fitted.
    fitted_components: dict[ComponentName, FittedComponent] = {}

    @model_validator(mode="after")
    def _fitted_components_have_terms(self) -> Self:
        unknown = sorted(set(self.fitted_components) - set(self.components))
        if unknown:
            raise ValueError(f"fitted_components: {', '.join(unknown)} has no term in components")
        return self


class LegacyRepair(_Document):
    """One repair from the records of the system before this one."""

    fault_code: FaultCode
    registered_at: LegacyInstant
    resolved_at: LegacyInstant | None = None
    outcome: ShortName = "fixed"

    @property
    def key(self) -> tuple[str, str]:
        """What makes two records the same repair (a re-import must not add it twice)."""
        return self.fault_code, self.registered_at

    @model_validator(mode="after")
    def _resolved_after_registered(self) -> Self:
        # Compare the dates as written: the legacy system's local dates.
        if self.resolved_at is not None and self.resolved_at[:10] < self.registered_at[:10]:
            raise ValueError("resolved_at: is before registered_at")
        return self


class AssetRecord(_Document):
    serial: Identifier
    model: ShortName
    category: Identifier
    customer_id: Identifier
    site_id: Identifier | None = None
    invoice_date: AssetDate | None = None
    acceptance_date: AssetDate | None = None
    main_equipment: bool = True
    warranty: Warranty = Field(default_factory=Warranty)
    repairs: Annotated[list[LegacyRepair], Field(max_length=1000)] = []
    #: 出厂日期, 用途 (what the unit is used for) and 保养周期: the archive of seed 001.
    manufacture_date: AssetDate | None = None
    purpose: Blankable[Annotated[str, Field(min_length=1, max_length=200)]] = None
    #: Months between maintenances; the next is due this long after the last inspection or
    #: repair (`warranty.maintenance`). None: no periodic maintenance.
    maintenance_interval_months: Annotated[int, Field(ge=1, le=120), NOT_BOOL] | None = None
    #: Its class, 1 (the plainest) to 10: a loaner lent for it is at least this rank. None:
    #: any unit of its category will do.
    capability_rank: CapabilityRank | None = None

    @model_validator(mode="before")
    @classmethod
    def _links_are_read_only(cls, data: Any) -> Any:
        """An asset read back (`AssetView`) is written as it was read: its replacement links
        are the system's, so they are left out rather than refused."""
        if isinstance(data, dict) and cls is AssetRecord:
            return {k: v for k, v in data.items() if k not in READ_ONLY}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (
            self.manufacture_date is not None
            and self.invoice_date is not None
            and self.manufacture_date > self.invoice_date
        ):
            raise ValueError("manufacture_date: is after the invoice date")
        basis = self.warranty.start_basis
        if basis == "invoice" and self.invoice_date is None:
            raise ValueError("invoice_date: is needed: the warranty starts at the invoice date")
        if basis == "acceptance_next_day" and self.acceptance_date is None:
            raise ValueError("acceptance_date: is needed: the warranty starts the day after it")
        first: dict[tuple[str, str], int] = {}
        for index, repair in enumerate(self.repairs):
            if repair.key in first:
                raise ValueError(
                    f"repairs.{index}: the same fault_code and registered_at as "
                    f"repairs.{first[repair.key]}"
                )
            first[repair.key] = index
        return self


#: What `AssetView` adds to the record: shown, never written through the record.
READ_ONLY = frozenset({"replaced", "replaces", "returned"})


class Replacement(BaseModel):
    """整机更换: a unit replaced by another on a request."""

    old_serial: str
    new_serial: str
    on: date
    request: str | None


class Returned(BaseModel):
    """退货: a unit the customer returned under 三包 on a request; no longer theirs."""

    on: date
    request: str | None


class AssetView(AssetRecord):
    """An asset as the archive shows it: its record, the replacements it is part of and its
    return (written by the system when a request reports one; an edit of the record keeps
    them)."""

    #: The unit that took its place, when it was replaced.
    replaced: Replacement | None = None
    #: The unit whose place it took, when it came as a replacement.
    replaces: Replacement | None = None
    #: When the customer returned it (退货).
    returned: Returned | None = None


class MaintenanceDue(BaseModel):
    """When an asset's next maintenance (保养) is due, and what that date rests on."""

    serial: str
    model: str
    interval_months: int
    #: The day the last inspection or repair ended (local date), if any.
    last_service: date | None
    #: What the interval counts from: `last_service`, else the day the asset went into
    #: service (acceptance, else invoice).
    counted_from: date | None
    next_due: date | None
    overdue: bool


class RepairRow(LegacyRepair):
    """A legacy repair on its own, as a row of a repairs file: it names its asset."""

    serial: Identifier

    def repair(self) -> LegacyRepair:
        return LegacyRepair.model_validate(self.model_dump(exclude={"serial"}))


class EngineerRecord(_Document):
    id: Identifier
    name: ShortName
    phone: Blankable[Phone] = None
    #: Asset categories the engineer repairs.
    skills: Annotated[list[Identifier], Field(max_length=100)] = []
    regions: Annotated[list[Identifier], Field(max_length=100)] = []
    on_duty: bool = True


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, everything: list[T], page: int, page_size: int) -> Page[T]:
        """One page of a list already filtered and ordered in full."""
        start = (page - 1) * page_size
        window = everything[start : start + page_size]
        return cls(items=window, total=len(everything), page=page, page_size=page_size)


# ------------------------------------------------------------------ history
class RevisitAnswers(BaseModel):
    """A revisit call of a request, with the customer's answers once answered."""

    status: str
    due: datetime | None = None
    answered_at: datetime | None = None
    satisfaction: int | None = None
    solved: bool | None = None
    attitude: int | None = None
    suggestions: str | None = None


class SignatureRatings(BaseModel):
    """Who signed the service report and the two ratings given with the signature."""

    signer: str
    signed_at: datetime
    quality: int
    attitude: int
    comment: str | None = None


class RequestHistory(BaseModel):
    """A service request handled by this system (from the read model)."""

    source: Literal["service_request"] = "service_request"
    number: str
    customer_id: str
    asset_serial: str
    type: str
    stage: str
    severity: int
    fault_code: str | None
    reported_at: datetime
    closed_at: datetime | None
    outcome: str | None
    engineer: str | None
    revisits: list[RevisitAnswers]
    signature: SignatureRatings | None


class LegacyRepairHistory(BaseModel):
    """A repair imported from the system before this one (`Asset.repairs`)."""

    source: Literal["legacy_repair"] = "legacy_repair"
    customer_id: str
    asset_serial: str
    fault_code: str
    registered_at: str
    resolved_at: str | None
    outcome: str


class PeriodicRevisitHistory(RevisitAnswers):
    """A periodic revisit call or visit of the contract (定期回访), with its answers."""

    source: Literal["periodic_revisit"] = "periodic_revisit"
    id: str
    customer_id: str
    asset_serial: str | None
    channel: str
    due: datetime


HistoryEntry = Annotated[
    RequestHistory | LegacyRepairHistory | PeriodicRevisitHistory, Field(discriminator="source")
]


class History(BaseModel):
    """Newest first: requests by `reported_at`, legacy repairs by `registered_at`, periodic
    revisits by when they fell due."""

    entries: list[HistoryEntry]

"""The SLA profile of SPEC §3: data, validated with errors that name the bad field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal, Self, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from models.actions import NOT_BOOL, Severity
from models.common import STANDARD_CLOCKS, ClockName, Weekday
from models.errors import HasErrors, field_errors
from models.service_plan import PlannedService

SeverityKey = Literal["1", "2", "3", "4"]
SEVERITY_KEYS: tuple[SeverityKey, ...] = ("1", "2", "3", "4")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def minutes_of_day(hhmm: str) -> int:
    """`HH:MM` as minutes after local midnight (`24:00` = 1440)."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarSpec(Strict):
    timezone: str
    weekly: dict[Weekday, list[tuple[str, str]]]
    holidays: list[date] = []
    extra_workdays: dict[date, Weekday] = {}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("weekly")
    @classmethod
    def _valid_windows(
        cls, weekly: dict[Weekday, list[tuple[str, str]]]
    ) -> dict[Weekday, list[tuple[str, str]]]:
        for day, windows in weekly.items():
            previous_end = -1
            for start, end in windows:
                for value in (start, end):
                    if not _HHMM.match(value):
                        raise ValueError(f"{day}: {value!r} is not a time HH:MM (00:00–24:00)")
                if minutes_of_day(end) <= minutes_of_day(start):
                    raise ValueError(f"{day}: window {start}–{end} ends before it starts")
                if minutes_of_day(start) < previous_end:
                    raise ValueError(f"{day}: window {start}–{end} overlaps the previous one")
                previous_end = minutes_of_day(end)
        return weekly

    @model_validator(mode="after")
    def _make_up_days_have_hours(self) -> Self:
        if not any(self.weekly.values()):
            raise ValueError("weekly: the calendar has no working windows at all")
        for day, weekday in self.extra_workdays.items():
            if not self.weekly.get(weekday):
                raise ValueError(
                    f"extra_workdays: {day} works like {weekday!r}, which has no windows"
                )
        return self


#: Ten years of minutes: a target beyond is a typo, and would overflow date arithmetic.
MAX_MINUTES = 10 * 366 * 24 * 60


HourMinute = Annotated[str, Field(pattern=_HHMM.pattern)]


class Target(Strict):
    """A deadline on one of the profile's calendars: business minutes, working days (the end
    of the Nth working day after the start's date), or a cut-off (`same_day_before`: started
    on a working day before that time, due at the day's close; otherwise due at `next_day_by`
    of the next working day — 002's "ships the same day if confirmed before 14:00, else the
    next working morning")."""

    calendar: str
    minutes: Annotated[int, Field(ge=0, le=MAX_MINUTES), NOT_BOOL] | None = None
    working_days: Annotated[int, Field(ge=0, le=3650), NOT_BOOL] | None = None
    same_day_before: HourMinute | None = None
    #: With `same_day_before`: when on the next working day (default 12:00, its morning).
    next_day_by: HourMinute | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> Self:
        measures = (self.minutes, self.working_days, self.same_day_before)
        if sum(m is not None for m in measures) != 1:
            raise ValueError(
                "a target gives exactly one of minutes, working_days or same_day_before"
            )
        if self.next_day_by is not None and self.same_day_before is None:
            raise ValueError("next_day_by goes with same_day_before")
        return self

    @property
    def cut_off(self) -> tuple[int, int] | None:
        """`same_day_before` and `next_day_by` as minutes after local midnight."""
        if self.same_day_before is None:
            return None
        return minutes_of_day(self.same_day_before), minutes_of_day(self.next_day_by or "12:00")


class ClockTargets(Strict):
    """Targets of one clock keyed by severity, with optional per-region overrides and the
    key accounts' own (重点客户, P1, 003): a key account's target wins over its region's."""

    by_severity: dict[SeverityKey, Target]
    by_region: dict[str, dict[SeverityKey, Target]] = {}
    by_key_account: dict[SeverityKey, Target] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_flat(cls, data: Any) -> Any:
        if isinstance(data, dict) and "calendar" in data:
            # One target for every severity (the parts clocks do not depend on it).
            return {"by_severity": dict.fromkeys(SEVERITY_KEYS, data)}
        if isinstance(data, dict) and "by_severity" not in data:
            flat = dict(data)
            regions = flat.pop("by_region", {})
            key_accounts = flat.pop("by_key_account", {})
            return {"by_severity": flat, "by_region": regions, "by_key_account": key_accounts}
        return data

    @model_validator(mode="after")
    def _every_severity(self) -> Self:
        missing = [s for s in SEVERITY_KEYS if s not in self.by_severity]
        if missing:
            raise ValueError(f"missing severity {', '.join(missing)}")
        return self

    @model_serializer
    def _to_flat(self) -> dict[str, Any]:
        flat: dict[str, Any] = {
            k: v.model_dump(exclude_none=True) for k, v in self.by_severity.items()
        }
        if self.by_region:
            flat["by_region"] = {
                region: {k: v.model_dump(exclude_none=True) for k, v in targets.items()}
                for region, targets in self.by_region.items()
            }
        if self.by_key_account:
            flat["by_key_account"] = {
                k: v.model_dump(exclude_none=True) for k, v in self.by_key_account.items()
            }
        return flat

    def for_request(self, severity: int, region: str | None, key_account: bool = False) -> Target:
        key = cast(SeverityKey, str(severity))
        if key_account and key in self.by_key_account:
            return self.by_key_account[key]
        regional = self.by_region.get(region or "", {})
        return regional.get(key) or self.by_severity[key]


class EscalationRule(Strict):
    clock: ClockName | Literal["*"]
    at_percent: Annotated[int, Field(gt=0, le=1000), NOT_BOOL] | None = None
    after_breach_minutes: Annotated[int, Field(ge=0), NOT_BOOL] | None = None
    notify: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        if (self.at_percent is None) == (self.after_breach_minutes is None):
            raise ValueError(
                "an escalation gives exactly one of at_percent or after_breach_minutes"
            )
        return self


class LoanerPolicy(Strict):
    severities: list[Severity] = []


class RevisitPlan(Strict):
    calendar: str
    working_days: Annotated[int, Field(ge=0), NOT_BOOL] | None = None
    minutes: Annotated[int, Field(ge=0), NOT_BOOL] | None = None
    channel: Literal["phone", "visit", "sms", "email", "wechat"] = "phone"

    @model_validator(mode="after")
    def _one_delay(self) -> Self:
        if (self.minutes is None) == (self.working_days is None):
            raise ValueError("a revisit gives exactly one of minutes or working_days")
        return self


#: A complaint's answer is due this long after it is opened when the profile sets no target.
DEFAULT_COMPLAINT_RESPONSE = timedelta(hours=24)
LEGACY_COMPLAINT_KEY = "complaint_response_minutes"


class RevisitPolicy(Strict):
    after_close: list[RevisitPlan] = []
    max_attempts: Annotated[int, Field(ge=1, le=20), NOT_BOOL] = 3
    retry_working_days: Annotated[int, Field(ge=0), NOT_BOOL] = 1

    @model_validator(mode="before")
    @classmethod
    def _moved_to_complaints(cls, data: Any) -> Any:
        """Profiles stored (and requests started) before `complaints` existed may carry the
        complaint deadline here: the 24-hour default is what `complaints` keeps; any other
        value must be restated there (on a calendar), never silently dropped."""
        if not isinstance(data, dict) or LEGACY_COMPLAINT_KEY not in data:
            return data
        minutes = data[LEGACY_COMPLAINT_KEY]
        if minutes != DEFAULT_COMPLAINT_RESPONSE.total_seconds() / 60:
            raise ValueError(
                f"{LEGACY_COMPLAINT_KEY} moved to complaints.response (a target on one of the "
                f'profile\'s calendars, e.g. {{"calendar": "24x7", "minutes": {minutes}}})'
            )
        return {k: v for k, v in data.items() if k != LEGACY_COMPLAINT_KEY}


class ComplaintPolicy(Strict):
    """A complaint (客诉) is told to `notify` at once and must be answered by `response` (on a
    calendar of the profile; without one, 24 hours round the clock); past it, `escalate_to`
    is told."""

    response: Target | None = None
    notify: Annotated[list[str], Field(min_length=1)] = ["supervisor"]
    escalate_to: Annotated[list[str], Field(min_length=1)] = ["manager"]


class EndOfWarrantyPolicy(Strict):
    """An inspection of each asset before its warranty ends (P9, P17), this many working days
    of the office calendar before the end; None: no such inspection."""

    working_days_before: Annotated[int, Field(ge=1, le=120), NOT_BOOL] | None = None


class CustomerEscalationPolicy(Strict):
    """Who hears a customer's escalation (客户升级), at once: the first one goes to
    `levels[0]`, the next to `levels[1]`, …; one escalation per level, none past the last."""

    levels: Annotated[
        list[Annotated[list[str], Field(min_length=1)]], Field(min_length=1, max_length=10)
    ] = [["supervisor"], ["manager"]]


class ReplacementPolicy(Strict):
    """The warranty of what replaces a unit or a component (P9, 003, 004).

    `unit_warranty`: a new unit `inherit`s what was left of the old one's warranty (004:
    "享受原产品剩余的质保期") or `restart`s a full term from the day it is fitted (三包: the term
    of an exchanged product counts anew). A replaced component's own term always restarts.
    `extension_months` is added to either (003: the replaced part's warranty is extended).
    """

    unit_warranty: Literal["inherit", "restart"] = "inherit"
    extension_months: Annotated[int, Field(ge=0, le=120), NOT_BOOL] = 0


def told_at_any_hour(severity: int) -> bool:
    """Severity 1 (the most urgent) is told at once, whatever the quiet calendar says."""
    return severity == 1


class SlaProfile(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    calendars: Annotated[dict[str, CalendarSpec], Field(min_length=1)]
    targets: dict[ClockName, ClockTargets]
    escalations: list[EscalationRule] = []
    loaner: LoanerPolicy = LoanerPolicy()
    pause_reasons: list[str] = []
    revisits: RevisitPolicy = RevisitPolicy()
    complaints: ComplaintPolicy = ComplaintPolicy()
    customer_escalation: CustomerEscalationPolicy = CustomerEscalationPolicy()
    replacement: ReplacementPolicy = ReplacementPolicy()
    end_of_warranty: EndOfWarrantyPolicy = EndOfWarrantyPolicy()
    #: Contract services besides repairs: "monthly call, quarterly visit, 2 inspections a year".
    service_plan: list[PlannedService] = []
    quiet_calendar: str | None = None

    def quiet_calendar_for(self, severity: int) -> str | None:
        """The calendar whose closed hours hold a notice back: none for severity 1, which is
        told at any hour."""
        return None if told_at_any_hour(severity) else self.quiet_calendar

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        missing_clocks = [c.value for c in STANDARD_CLOCKS if c not in self.targets]
        if missing_clocks:
            raise ValueError(f"targets: missing clock {', '.join(missing_clocks)}")
        known = set(self.calendars)
        used: list[tuple[str, str]] = []
        for clock, targets in self.targets.items():
            for sev, target in targets.by_severity.items():
                used.append((f"targets.{clock}.{sev}", target.calendar))
            for region, regional in targets.by_region.items():
                for sev, target in regional.items():
                    used.append((f"targets.{clock}.by_region.{region}.{sev}", target.calendar))
            for sev, target in targets.by_key_account.items():
                used.append((f"targets.{clock}.by_key_account.{sev}", target.calendar))
        for i, plan in enumerate(self.revisits.after_close):
            used.append((f"revisits.after_close.{i}", plan.calendar))
        if self.complaints.response is not None:
            used.append(("complaints.response", self.complaints.response.calendar))
        if self.quiet_calendar is not None:
            used.append(("quiet_calendar", self.quiet_calendar))
        kinds = [planned.kind for planned in self.service_plan]
        for kind in set(kinds):
            if kinds.count(kind) > 1:
                raise ValueError(f"service_plan: {kind} is planned twice (one schedule per kind)")
        for where, name in used:
            if name not in known:
                raise ValueError(
                    f"{where}: unknown calendar {name!r} (known: {', '.join(sorted(known))})"
                )
        return self


def profile_errors(exc: HasErrors) -> list[dict[str, str]]:
    """One `{"field", "reason"}` per problem, `field` being the dotted path in the document.

    A clock's targets are written flat by severity and read into `by_severity`: the path is
    reported as the document writes it.
    """
    return field_errors(exc, skip=("by_severity",), default="profile")


class ProfileRef(Strict):
    """A stored version of a profile, by name: what a workflow sends its activities instead
    of the whole profile (a version never changes: an edit is a new version)."""

    name: str
    version: int


def loaded(profile: SlaProfile | ProfileRef) -> SlaProfile:
    """The profile itself; a reference must have been loaded first (by the activity)."""
    if isinstance(profile, ProfileRef):
        raise LookupError(f"SLA profile {profile.name} v{profile.version} was not loaded")
    return profile

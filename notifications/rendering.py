"""Notification texts: one Jinja2 template per kind and locale, and a short SMS text for the
kinds in `SMS_KINDS`.

`templates/notifications/KIND.LOCALE.txt` (locales `zh`, the default, and `en`) extends the
locale's `_layout.LOCALE.txt` (files starting with `_` are shared parts, not kinds) and fills
two blocks: `subject` (one line: whitespace in it is collapsed, so no data value can break the
header) and `body` (plain text; the layout adds the signature). The context is the request's
`data` plus `number` and `kind`. A variable the template uses but the data lacks is an error
(`StrictUndefined`), never an empty string.

`KIND.LOCALE.sms.txt` is the SMS of a kind in `SMS_KINDS`, in both locales: plain text on one
line (whitespace is collapsed), no subject, no layout — short, as an SMS is 70 Chinese (160
Latin) characters a segment and the provider adds the 短信签名. It may use fewer of the kind's
data keys than the email. A kind without one has no SMS.

Data keys each kind uses (the workflow's `_hold_notice` also adds `severity` and `engineer` to
every notice):

==============  ==========================================  =========================
kind            data keys                                   usual recipients
==============  ==========================================  =========================
registered      response_due, resolution_due, status_url    customer
                (the delivery adds the customer's status link)
assigned        engineer_name, customer, address, contact,     assigned
                fault, arrival_due
unassigned      successor (`engineer` is the one who lost it)  assigned
appointment     appointment_at                              customer
escalation      clock, level, reason (may be ""), severity  the level's roles
customer_       level, reason, by (who asked), severity     customer_escalation
escalated                                                   level's roles
loaner_issued   unit, model (may be "")                     customer
signing_link    url                                         customer
quote_link      url, total                                  customer
revisit_due     due                                         revisit
complaint_      complaint, reason, customer_id, respond_by, the profile's complaints
opened          rework (may be "")                          notify (supervisor)
complaint_      complaint, reason, customer_id, respond_by  complaints escalate_to
overdue                                                     (manager)
periodic_       due, customer_id, asset_serial (may be ""), revisit
revisit_due     channel
==============  ==========================================  =========================

For complaints `number` is what the complaint is about (a request, or a periodic call's ID), for
a periodic revisit the call's ID.

`engineer` is the engineer's id as the workflow gives it (also what `assigned` is mailed by).
`level` "" is an escalation the workflow raises itself (no loaner free): no rank, a reason.
Instants (`response_due`, `resolution_due`, `appointment_at`, `due`) are best given as ISO 8601
with an offset: the `local_time` filter shows them in the service time zone
(`2026-11-23 09:30`); any other text is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from config import ROOT, Locale

TEMPLATES = ROOT / "templates" / "notifications"

#: The data keys each kind's templates use (the table above); tests hold the templates to it.
DATA_KEYS: dict[str, tuple[str, ...]] = {
    "registered": ("response_due", "resolution_due", "status_url"),
    "assigned": ("engineer_name", "customer", "address", "contact", "fault", "arrival_due"),
    "unassigned": ("successor",),
    "appointment": ("appointment_at",),
    "escalation": ("clock", "level", "reason", "severity"),
    "loaner_issued": ("unit", "model"),
    "signing_link": ("url",),
    "quote_link": ("url", "total"),
    "revisit_due": ("due",),
    "complaint_opened": ("complaint", "reason", "customer_id", "respond_by", "rework"),
    "complaint_overdue": ("complaint", "reason", "customer_id", "respond_by"),
    "periodic_revisit_due": ("due", "customer_id", "asset_serial", "channel"),
    "analysis_report": ("title", "first", "last", "url"),
    "customer_escalated": ("level", "reason", "by", "severity"),
}
KINDS = tuple(DATA_KEYS)
#: The kinds that carry the customer's status link (`status_url`, added by the delivery).
STATUS_LINK_KINDS = frozenset({"registered"})
#: The kinds that also go by SMS: what the customer needs to know at once (the number and
#: deadlines, the visit, the links to sign or approve, the loaner), the engineer's assignment
#: and its withdrawal, and escalations (to the desks with a `NOTIFY_SMS_<DESK>` mobile).
SMS_KINDS = frozenset(
    {
        "registered",
        "assigned",
        "unassigned",
        "appointment",
        "signing_link",
        "quote_link",
        "loaner_issued",
        "escalation",
    }
)


class TemplateProblem(Exception):
    """A notice that cannot be rendered: an unknown kind or a data key missing. Retrying does
    not help; the outbox row records it as failed."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def template_name(kind: str, locale: Locale) -> str:
    return f"{kind}.{locale}.txt"


def sms_template_name(kind: str, locale: Locale) -> str:
    return f"{kind}.{locale}.sms.txt"


class Renderer:
    def __init__(self, timezone: str, directory: Path = TEMPLATES) -> None:
        self._zone = ZoneInfo(timezone)
        self.environment = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,
            autoescape=False,  # plain text: an email body or an SMS, never HTML
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.filters["local_time"] = self._local_time

    def render(self, kind: str, locale: Locale, number: str, data: Mapping[str, str]) -> Rendered:
        if kind not in DATA_KEYS:
            raise TemplateProblem(f"no template for the kind {kind!r}")
        name = template_name(kind, locale)
        try:
            template = self.environment.get_template(name)
            values = _context(kind, number, data)
            body = template.render(values)  # the layout: the body block and the signature
            subject = self.environment.concat(
                template.blocks["subject"](template.new_context(values))
            )
        except TemplateError as error:
            raise TemplateProblem(f"{name}: {error}") from error
        return Rendered(subject=" ".join(subject.split()), body=body.strip("\n") + "\n")

    def render_sms(self, kind: str, locale: Locale, number: str, data: Mapping[str, str]) -> str:
        """The SMS text of a kind in `SMS_KINDS`, on one line."""
        if kind not in SMS_KINDS:
            raise TemplateProblem(f"no SMS for the kind {kind!r}")
        name = sms_template_name(kind, locale)
        try:
            text = self.environment.get_template(name).render(_context(kind, number, data))
        except TemplateError as error:
            raise TemplateProblem(f"{name}: {error}") from error
        return " ".join(text.split())

    def _local_time(self, value: object) -> str:
        text = str(value)  # a missing key (StrictUndefined) raises here
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            return text
        if instant.tzinfo is None:
            return text  # a local time of unknown zone: shown as given
        return instant.astimezone(self._zone).strftime("%Y-%m-%d %H:%M")


def _context(kind: str, number: str, data: Mapping[str, str]) -> dict[str, str]:
    return {**data, "number": number, "kind": kind}

"""The service report: rendered with Jinja2 to HTML, and from that HTML to PDF (WeasyPrint).

The HTML is the document of record: its SHA-256 is what a signature binds to, and the PDF is
printed from exactly that HTML, so both show the same thing. Codes are shown to the customer
as the bilingual labels of `documents.labels`, never raw.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from config import ROOT
from documents.labels import label
from models.actions import png_bytes
from models.state import ServiceRequestState

TEMPLATES = ROOT / "templates" / "report"
#: The Debian package fonts-noto-cjk provides it; without it Chinese would print as boxes.
CJK_FONT = "Noto Sans CJK SC"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["label"] = lambda code, kind: label(kind, code)


def report_environment() -> Environment:
    """The documents' environment (templates/report/): the service report and the round report."""
    return _environment


@dataclass(frozen=True)
class Refusal:
    """The customer refused to sign (`refuse_signature`)."""

    reason: str
    at: datetime | None
    by: str


@dataclass(frozen=True)
class ClosedWithoutSignature:
    """A supervisor closed the request without the customer's signature (`override_close`)."""

    by: str
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class Party:
    """What the report names beyond the workflow's state, from the database: the customer and
    the engineer from the archive, the drawn signature image, and who closed the request
    without a signature. Images stay out of the workflow's state; they live in the database."""

    customer_name: str
    customer_address: str | None
    contact: str | None
    asset_model: str
    asset_category: str
    engineer_name: str | None
    #: The warranty end of the unit that replaced the request's, as on the day it was fitted.
    new_unit_warranty_end: date | None = None
    #: The drawn signature as a `data:image/png;base64,…` URL (see `signature_data_url`).
    signature_png: str | None = None
    #: Set when the request was closed by `override_close`.
    closed_without_signature: ClosedWithoutSignature | None = None


def signature_data_url(png: str | None) -> str | None:
    """A drawn signature (data URL or bare base64 PNG) as a clean PNG data URL for `<img>`;
    None for anything that is not a PNG."""
    if not png:
        return None
    try:
        raw = png_bytes(png)
    except ValueError:
        return None
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def refusals(state: ServiceRequestState) -> list[Refusal]:
    """The customer's refusals to sign, oldest first, from `state.signature_refusals`."""
    found = []
    for entry in state.signature_refusals:
        at = entry.get("at")
        try:
            when = datetime.fromisoformat(at) if isinstance(at, str) else None
        except ValueError:
            when = None
        found.append(
            Refusal(reason=str(entry.get("reason") or ""), at=when, by=str(entry.get("by") or ""))
        )
    return found


def render_html(state: ServiceRequestState, party: Party, timezone: str) -> str:
    zone = ZoneInfo(timezone)

    def local(instant: datetime | None) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else "—"

    offset = state.registered_at.astimezone(zone).strftime("%z")  # e.g. +0800
    template = _environment.get_template("service_report.html")
    context: dict[str, Any] = {
        "s": state,
        "party": party,
        "local": local,
        "refusals": refusals(state),
        "font": CJK_FONT,
        "timezone": timezone,
        "utc_offset": f"UTC{offset[:3]}:{offset[3:]}",
    }
    return template.render(**context)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which the API rarely needs

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()

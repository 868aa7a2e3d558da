"""The service report: rendered with Jinja2 to HTML, and from that HTML to PDF (WeasyPrint).

The HTML is the document of record: its SHA-256 is what a signature binds to, and the PDF is
printed from exactly that HTML, so both show the same thing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from config import ROOT
from models.state import ServiceRequestState

TEMPLATES = ROOT / "templates" / "report"
#: The Debian package fonts-noto-cjk provides it; without it Chinese would print as boxes.
CJK_FONT = "Noto Sans CJK SC"
CLOCK_LABELS = {
    "response": "响应 Response",
    "diagnosis": "方案 Diagnosis",
    "arrival": "到场 Arrival",
    "resolution": "修复 Resolution",
    "signature": "签字 Signature",
}
#: How the customer's signature reached us (the acting person's `via`).
SIGNED_THROUGH = {
    "signing_link": "签字链接 signing link",
    "api_key": "客户密钥 customer key",
    "starter": "演示 demo",
}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Party:
    """Who the report names: the customer and the engineer, from the archive."""

    customer_name: str
    customer_address: str | None
    contact: str | None
    asset_model: str
    asset_category: str
    engineer_name: str | None


def render_html(state: ServiceRequestState, party: Party, timezone: str) -> str:
    zone = ZoneInfo(timezone)

    def local(instant: datetime | None) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else "—"

    template = _environment.get_template("service_report.html")
    return template.render(
        s=state,
        party=party,
        local=local,
        clock_labels=CLOCK_LABELS,
        signed_through=SIGNED_THROUGH,
        font=CJK_FONT,
        timezone=timezone,
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which the API rarely needs

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()

"""The Jinja2 environments of the HTML pages: the customer's (`templates/signing/`) and the
staff's reports (`templates/reports/`), with the filters they share. No web framework here:
the worker renders the periodic reports with them too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from config import ROOT
from documents.labels import label


def _environment(folder: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(ROOT / "templates" / folder), autoescape=select_autoescape(["html"])
    )
    environment.filters["label"] = lambda code, kind: label(kind, code)
    environment.filters["local"] = local_time
    return environment


def local_time(instant: datetime | None, timezone: str) -> str:
    """An instant as people of the service read it: `2026-03-03 10:20` in its time zone."""
    return (
        "—"
        if instant is None
        else instant.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    )


#: The customer's pages, and the staff's report pages (`templates/reports/`).
pages, report_pages = _environment("signing"), _environment("reports")

"""The customer's pages (signing, quote, and the notices a browser gets instead of JSON):
Jinja2 templates in `templates/signing/`, laid out for a phone, in Chinese and English."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
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


@dataclass(frozen=True)
class Link:
    """A button on a notice page: where it goes (relative to the page) and what it says."""

    href: str
    text: str
    #: Offer the target as a file to save (`<a download>`).
    download: bool = False


def message_page(
    status: int,
    title: str,
    lines: Sequence[str],
    links: Sequence[Link] = (),
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A short notice: a title, a few lines, and maybe a button or two."""
    html = pages.get_template("message.html").render(title=title, lines=lines, links=links)
    return HTMLResponse(html, status_code=status, headers=headers)

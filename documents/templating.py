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
    environment.filters["shown"] = shown
    return environment


def local_time(instant: datetime | None, timezone: str) -> str:
    """An instant as people of the service read it: `2026-03-03 10:20` in its time zone."""
    if instant is None:
        return "—"
    try:
        return instant.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    except OverflowError:  # 9999-12-31 late in the day, written somewhere as text
        return instant.isoformat()


def shown(value: object, timezone: str) -> str:
    """A value of a timeline entry's data for people: instants in the service zone, lists
    joined."""
    if isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local_time(instant, timezone) if instant.tzinfo and "T" in value else value
    if isinstance(value, list):
        return ", ".join(shown(item, timezone) for item in value)
    return str(value)


def time_left(due: datetime | None, now: datetime) -> str:
    """How long until `due`, or how long past it: `2 h 05 min`, `超时 Overdue 35 min`."""
    if due is None:
        return "—"
    minutes = int((due - now).total_seconds() // 60)
    span = abs(minutes)
    text = (
        f"{span // 1440} d {span % 1440 // 60} h"
        if span >= 1440
        else (f"{span // 60} h {span % 60:02d} min" if span >= 60 else f"{span} min")
    )
    return f"超时 Overdue {text}" if minutes < 0 else text


#: The customer's pages, the staff's report pages (`templates/reports/`) and the staff's web
#: app (`templates/app/`).
pages, report_pages, app_pages = (
    _environment("signing"),
    _environment("reports"),
    _environment("app"),
)

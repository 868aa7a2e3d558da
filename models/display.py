"""How instants read to people: in the service's time zone, to the minute (no microseconds,
no UTC). Shared by the Web UI's workflow details and anything else that shows an instant."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_minute(instant: datetime | None, timezone: str) -> str:
    """`2026-12-02 09:30`, or `—` for no instant."""
    return f"{instant.astimezone(_zone(timezone)):%Y-%m-%d %H:%M}" if instant else "—"

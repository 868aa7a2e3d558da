"""`Timeline`: the request's timeline entries made since the last commit (pure).

Each entry gets the next sequence number of the request; the recording activity writes them
with that number as its key, so a retried write never doubles an entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.actions import Actor
from models.lifecycle import Stage
from models.state import TimelineEvent

#: Who acts when the workflow itself does something (a breach, a notice, the follow-up).
SYSTEM = "system"


class Timeline:
    def __init__(self, seq: int = 0) -> None:
        #: The sequence number of the last entry made.
        self.seq = seq
        self._pending: list[TimelineEvent] = []

    def emit(
        self, kind: str, at: datetime, actor: Actor | str, stage: Stage, data: dict[str, Any]
    ) -> TimelineEvent:
        """An entry by `actor`: the acting person, or a name for the system."""
        self.seq += 1
        event = TimelineEvent(
            seq=self.seq,
            kind=kind,
            at=at,
            actor=actor.name if isinstance(actor, Actor) else actor,
            by=actor.person if isinstance(actor, Actor) else None,
            stage=stage,
            data=data,
        )
        self._pending.append(event)
        return event

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def take(self) -> list[TimelineEvent]:
        """The entries not yet recorded, oldest first; the buffer is empty afterwards."""
        events, self._pending = self._pending, []
        return events

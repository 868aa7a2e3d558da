"""`HeldNotices`: notifications a request holds until their instant (pure).

A notice is held until its instant (an escalation level's, a revisit's due time) and, unless
it is for severity 1, until its calendar is open: the profile's quiet calendar, or for a notice
that asks someone to act on a running clock, that clock's own calendar. When it is released it
may no longer hold (a signing link for a request already closed): then it is dropped.
"""

from __future__ import annotations

from datetime import datetime

from models.activity_io import NotificationRequest
from models.carry import HeldNotice
from models.common import ClockName
from models.intake import ServiceRequestStart
from models.lifecycle import Stage
from models.profile import told_at_any_hour
from models.state import ServiceRequestState

#: The notices that ask someone to act on a clock, released on that clock's calendar.
ACTION_NOTICES = {
    "assigned": ClockName.ARRIVAL,
    "unassigned": ClockName.ARRIVAL,
    "signing_link": ClockName.SIGNATURE,
}


def iso(instant: datetime | None) -> str:
    """An instant as notice data carries it ("" for none)."""
    return instant.isoformat() if instant else ""


class HeldNotices:
    """The notices of one request (its state as it is when each is held)."""

    def __init__(
        self,
        state: ServiceRequestState,
        start: ServiceRequestStart,
        held: list[HeldNotice] | None = None,
    ) -> None:
        self._state, self._start = state, start
        self._held: list[HeldNotice] = held or []

    def hold(
        self,
        at: datetime,
        *,
        kind: str,
        key: str,
        recipients: list[str],
        data: dict[str, str],
        quiet_checked: bool = False,
    ) -> None:
        """Hold a notice of `kind` for `at`; its data carries the request's context."""
        state = self._state
        context = {
            "severity": str(state.severity),
            "engineer": state.engineer or "",
            "customer_id": state.customer_id,
        }
        request = NotificationRequest(
            key=f"{state.number}/{key}",
            number=state.number,
            kind=kind,
            recipients=recipients,
            data=context | data,
        )
        clock = ACTION_NOTICES.get(kind)
        calendar = None
        if clock is not None:
            calendar = (
                self._start.profile.targets[clock]
                .for_request(state.severity, state.region, state.key_account)
                .calendar
            )
        checked = quiet_checked or told_at_any_hour(state.severity)
        self._held.append(
            HeldNotice(at=at, request=request, quiet_checked=checked, calendar=calendar)
        )

    def take_due(self, now: datetime | None) -> list[HeldNotice]:
        """Release the notices due by `now` (every one when `now` is None)."""
        due = [n for n in self._held if now is None or n.at <= now]
        self._held = [n for n in self._held if n not in due]
        return due

    def hold_again(self, notice: HeldNotice, at: datetime) -> None:
        """A released notice whose calendar is closed waits for its opening."""
        notice.at = at
        self._held.append(notice)

    def discard(self, kind: str) -> None:
        self._held = [n for n in self._held if n.request.kind != kind]

    def held(self) -> list[HeldNotice]:
        return list(self._held)

    def instants(self) -> list[tuple[datetime, str]]:
        return [(n.at, f"notify {', '.join(n.request.recipients)}") for n in self._held]


def obsolete(notice: HeldNotice, s: ServiceRequestState) -> str | None:
    """Why a released notice no longer holds, or None when it still does: a signing link for
    a request that is closed, a job taken away, a visit moved."""
    kind, data = notice.request.kind, notice.request.data
    if kind == "assigned" and (not s.is_open or s.engineer != data.get("engineer")):
        return "the assignment was taken away"
    if kind == "signing_link" and (
        s.stage != Stage.AWAITING_SIGNATURE or s.signing_url != data.get("url")
    ):
        return "the report no longer awaits this signature"
    if kind == "quote_link" and (
        s.stage != Stage.AWAITING_APPROVAL or s.quote_url != data.get("url")
    ):
        return "the quote no longer awaits this answer"
    if kind == "appointment" and (
        not s.is_open or iso(s.appointment_at) != data.get("appointment_at")
    ):
        return "the visit was moved or is no longer needed"
    if kind == "registered" and not s.is_open:
        return "the request is already finished"
    return None

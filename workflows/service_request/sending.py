"""Releasing held notices to the outbox: dropped when they no longer hold, held again while
their calendar is closed, queued otherwise."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

from workflows.service_request.patches import LEAN_TASKS, NOTICE_RULES, QUIET_FOR_ALL
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models.activity_io import ActivityName, QuietReleaseRequest
    from workflows.service_request.held_notices import obsolete
    from workflows.service_request.timeline import SYSTEM


async def send_due_notices(r: Request, now: datetime | None) -> None:
    """Queue the held notices due by `now` (every one when `now` is None)."""
    for notice in r.notices.take_due(now):
        rules = r.patched(NOTICE_RULES)
        if rules and (reason := obsolete(notice, r.state)):
            r.emit(
                "notification_dropped",
                SYSTEM,
                {"kind": notice.request.kind, "key": notice.request.key, "reason": reason},
            )
            continue
        if now is not None and not notice.quiet_checked and r.patched(QUIET_FOR_ALL):
            # Not severity 1: wait for the calendar to open (no mail at midnight); a notice
            # asking to act on a clock waits for that clock's calendar only.
            release: datetime = await r.activity(
                ActivityName.QUIET_RELEASE,
                QuietReleaseRequest(
                    profile=r.profile_ref, at=now, calendar=notice.calendar if rules else None
                ),
                datetime,
                "quiet calendar",
            )
            notice.quiet_checked = True
            if release > now:
                r.notices.hold_again(notice, release)
                continue
        if r.patched(LEAN_TASKS):
            r.send(notice.request)
        else:
            await r.activity(
                ActivityName.QUEUE_NOTIFICATION,
                notice.request,
                type(None),
                f"notify {', '.join(notice.request.recipients)}",
            )
        r.emit(
            "notification_queued",
            SYSTEM,
            {"kind": notice.request.kind, "recipients": notice.request.recipients},
        )

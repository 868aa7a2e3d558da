"""One notice from request to sent: written to the outbox once per key, then claimed, sent and
marked, so that a retried activity, a second worker or a worker that died mid-send never sends
it twice (and the one that died does not keep it from being sent).

What "exactly once" rests on: the claim is taken in the database before any byte goes to the
server, and a claim older than the lease is presumed dead — which is why the lease (60 s) is
several times what a send takes even against a slow server (`senders.SMTP_TIMEOUT` bounds
each exchange). What it cannot cover is SMTP's own window: a server that accepted the message
just as the worker died is sent it again after the lease; the repeated Message-ID lets the
receiving side drop it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from config import Settings
from db.session import SessionFactory
from db.tables import Notification
from models.activity_io import NotificationRequest
from notifications import outbox
from notifications.message import OutgoingMessage
from notifications.outbox import Status
from notifications.recipients import resolve
from notifications.rendering import Renderer, TemplateProblem
from notifications.senders import PermanentDeliveryError, Sender, make_sender

log = logging.getLogger(__name__)

#: How long a claim holds: after it, the message is presumed orphaned and may be taken over.
LEASE = timedelta(seconds=60)
#: The relay's backoff after a retryable error: doubling from the first, capped (as the
#: activities' retry policy, `workflows.calls.RETRY`).
FIRST_RETRY, LAST_RETRY = timedelta(seconds=1), timedelta(seconds=30)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def retry_delay(attempts: int) -> timedelta:
    """How long the relay waits before the next try of a message tried `attempts` times."""
    doublings: int = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (1 << doublings), LAST_RETRY)


class DeliveryInProgress(Exception):
    """Another attempt holds the message and may still be sending it: try again at `retry_at`
    (its lease's end) — then it has either finished or is presumed dead."""

    def __init__(self, key: str, retry_at: datetime) -> None:
        super().__init__(f"notification {key} is being sent by another attempt")
        self.retry_at = retry_at


class Delivery:
    def __init__(
        self,
        sessions: SessionFactory,
        settings: Settings,
        sender: Sender | None = None,
        *,
        lease: timedelta = LEASE,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._settings = settings.notifications
        self._renderer = Renderer(settings.timezone)
        self._sender = sender or make_sender(settings.notifications)
        self._lease = lease
        self._clock = clock

    def deliver(self, request: NotificationRequest) -> Status:
        """Write the notice (first call per key only), then send it unless it is done.

        Returns the row's final status (sent, skipped or failed). Raises `DeliveryInProgress`
        while another attempt holds it, and the sender's retryable errors (after giving the
        message back).
        """
        self._write_once(request)
        return self.send_written(request.key)

    def send_written(self, key: str) -> Status:
        """Send the notice in the outbox under `key` unless it is done; as `deliver`."""
        owner = _claimant()
        row = outbox.claim(self._sessions, key, owner, self._clock(), self._lease)
        if row is None:
            return self._not_ours(key)
        return self._send(row, owner)

    def compose_for_relay(self, requests: Sequence[NotificationRequest]) -> list[Notification]:
        """The outbox rows of the notices not yet in the outbox, for the relay to deliver (the
        caller adds them to its transaction with `outbox.add_new`). Composed before that
        transaction: rendering holds no write lock (SQLite has one for the whole database)."""
        if not requests:
            return []
        with self._sessions() as session:
            known = outbox.stored(session, [request.key for request in requests])
            rows = [self.compose(session, r) for r in requests if r.key not in known]
        for row in rows:
            row.next_attempt_at = row.created_at
        return rows

    def _write_once(self, request: NotificationRequest) -> None:
        if outbox.status_of(self._sessions, request.key) is None:
            with self._sessions() as session:
                row = self.compose(session, request)
            outbox.insert(self._sessions, row)

    def compose(self, session: Session, request: NotificationRequest) -> Notification:
        """The outbox row of `request`: rendered, its roles resolved (in `session`), `pending`
        unless there is nothing to send."""
        locale = request.locale or self._settings.locale
        row = Notification(
            key=request.key,
            number=request.number,
            kind=request.kind,
            recipients=request.recipients,
            data=request.data,
            locale=locale,
            attempts=0,
            created_at=self._clock(),
        )
        resolution = resolve(session, request, self._settings)
        row.addresses, row.skipped = resolution.addresses, resolution.skipped
        try:
            rendered = self._renderer.render(request.kind, locale, request.number, request.data)
        except TemplateProblem as problem:
            # A bug of the caller's data or of a template: retrying cannot fix it, and the
            # request must not stall on its notice. The failed row is the record.
            log.error("notification %s not rendered: %s", request.key, problem)
            row.status, row.last_error = Status.FAILED, str(problem)
            return row
        row.subject, row.body = rendered.subject, rendered.body
        if resolution.addresses:
            row.status = Status.PENDING
        else:
            log.warning("notification %s has nobody to go to: %s", request.key, row.skipped)
            row.status = Status.SKIPPED
        return row

    def _not_ours(self, key: str) -> Status:
        retry_at = outbox.claimed_until(self._sessions, key, self._lease)
        if retry_at is not None:
            raise DeliveryInProgress(key, retry_at)
        status = outbox.status_of(self._sessions, key)
        assert status is not None, "the row was written above"
        return status

    def _send(self, row: Notification, owner: str) -> Status:
        # ck_notifications_rendered: a claimable row has its texts.
        assert row.subject is not None and row.body is not None
        message = OutgoingMessage(
            key=row.key,
            kind=row.kind,
            number=row.number,
            to=tuple(row.addresses),
            subject=row.subject,
            body=row.body,
        )
        try:
            refused = self._sender.send(message)
        except PermanentDeliveryError as error:
            log.warning("notification %s refused for good: %s", row.key, error)
            self._finish(row.key, owner, Status.FAILED, str(error))
            return Status.FAILED
        except Exception as error:
            retry_at = self._clock() + retry_delay(row.attempts)
            error_text = f"{type(error).__name__}: {error}"
            outbox.release(self._sessions, row.key, owner, error_text, retry_at)
            raise
        note = "; ".join(f"{address} refused: {reply}" for address, reply in refused.items())
        self._finish(row.key, owner, Status.SENT, note or None)
        return Status.SENT

    def _finish(self, key: str, owner: str, status: Status, note: str | None) -> None:
        if not outbox.finish(self._sessions, key, owner, status, self._clock(), note):
            # Our lease ran out while we sent and another attempt took the message over: it
            # may go out twice (the same Message-ID). The lease must outlast any send.
            log.error("notification %s: claim of %s lost during the send", key, owner)


def _claimant() -> str:
    """Who claims: host and process for the operator, a random part per attempt."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"

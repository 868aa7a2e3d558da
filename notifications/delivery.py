"""One notice from request to sent: written to the outbox once per key, then claimed, sent and
marked, so that a retried activity, a second worker or a worker that died mid-send never sends
it twice (and the one that died does not keep it from being sent).

A notice is one row per channel, written together: its email under its key, and its SMS under
`<key>:sms` when its kind has an SMS text (`rendering.SMS_KINDS`). Each row is then claimed,
sent and marked on its own, by the same moves: one channel's failure neither holds nor repeats
the other.

What "exactly once" rests on: the claim is taken in the database before any byte goes to the
server, and a claim older than the lease is presumed dead — which is why the lease (60 s) is
several times what a send takes even against a slow server (`senders.SMTP_TIMEOUT` bounds
each exchange). What it cannot cover is SMTP's own window: a server that accepted the message
just as the worker died is sent it again after the lease; the repeated Message-ID (for an SMS,
the key sent to the provider) lets the receiving side drop it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from config import Locale, Settings
from db.session import SessionFactory, transaction
from db.tables import Notification
from models.activity_io import NotificationRequest
from notifications import outbox
from notifications.message import OutgoingMessage
from notifications.outbox import Channel, Status
from notifications.recipients import resolve
from notifications.rendering import SMS_KINDS, STATUS_LINK_KINDS, Renderer, TemplateProblem
from notifications.senders import PermanentDeliveryError, Refusals, Sender, make_sender
from notifications.sms_senders import SmsMessage, SmsSender, make_sms_sender
from signing.status_links import status_url

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
        sms_sender: SmsSender | None = None,
        lease: timedelta = LEASE,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._settings = settings.notifications
        self._links = (settings.public_base_url, settings.signing_secret)
        self._renderer = Renderer(settings.timezone)
        self._sender = sender or make_sender(settings.notifications)
        self._sms_sender = sms_sender or make_sms_sender(settings.notifications.sms)
        self._lease = lease
        self._clock = clock

    def deliver(self, request: NotificationRequest) -> Status:
        """Write the notice (first call per key only), then send each of its rows unless it is
        done.

        Returns the final status (sent, skipped or failed) of its email. Raises, once every row
        was tried: `DeliveryInProgress` while another attempt holds a row, and the senders'
        retryable errors (after giving the row back).
        """
        statuses: dict[str, Status] = {}
        errors: list[Exception] = []
        for key in self._write_once(request):
            try:
                statuses[key] = self.send_written(key)
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]
        return statuses[request.key]

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
            rows = [row for r in requests if r.key not in known for row in self.compose(session, r)]
        for row in rows:
            row.next_attempt_at = row.created_at
        return rows

    def _write_once(self, request: NotificationRequest) -> list[str]:
        """Write the notice's rows unless some are there (a notice written before it had an
        SMS stays without); the keys of its rows, the email's first."""
        keys = [outbox.key_of(request.key, channel) for channel in Channel]
        with self._sessions() as session:
            written = outbox.stored(session, keys)
            rows = [] if written else self.compose(session, request)
        if rows:
            with transaction(self._sessions) as session:
                outbox.add_new(session, rows)
            with self._sessions() as session:  # another attempt's rows, if it wrote first
                written = outbox.stored(session, keys)
        return [key for key in keys if key in written]

    def compose(self, session: Session, request: NotificationRequest) -> list[Notification]:
        """The outbox rows of `request`, its email's and, if its kind has one, its SMS's:
        rendered, their roles resolved (in `session`), `pending` unless there is nothing to
        send."""
        channels = [Channel.EMAIL, Channel.SMS] if request.kind in SMS_KINDS else [Channel.EMAIL]
        if request.kind in STATUS_LINK_KINDS:
            # Signed here, not in the workflow: its history must never see the secret.
            url = status_url(*self._links, request.number, self._clock())
            request = request.model_copy(update={"data": request.data | {"status_url": url}})
        return [self._compose(session, request, channel) for channel in channels]

    def _compose(
        self, session: Session, request: NotificationRequest, channel: Channel
    ) -> Notification:
        locale = request.locale or self._settings.locale
        row = Notification(
            key=outbox.key_of(request.key, channel),
            number=request.number,
            kind=request.kind,
            channel=channel,
            recipients=request.recipients,
            data=request.data,
            locale=locale,
            attempts=0,
            created_at=self._clock(),
        )
        resolution = resolve(session, request, self._settings, channel)
        row.addresses, row.skipped = resolution.addresses, resolution.skipped
        try:
            row.subject, row.body = self._render(request, locale, channel)
        except TemplateProblem as problem:
            # A bug of the caller's data or of a template: retrying cannot fix it, and the
            # request must not stall on its notice. The failed row is the record.
            log.error("notification %s not rendered: %s", row.key, problem)
            row.status, row.last_error = Status.FAILED, str(problem)
            return row
        if resolution.addresses:
            row.status = Status.PENDING
        else:
            log.warning("notification %s has nobody to go to: %s", row.key, row.skipped)
            row.status = Status.SKIPPED
        return row

    def _render(
        self, request: NotificationRequest, locale: Locale, channel: Channel
    ) -> tuple[str, str]:
        """Subject and body; an SMS has no subject."""
        kind, number, data = request.kind, request.number, request.data
        if channel == Channel.SMS:
            return "", self._renderer.render_sms(kind, locale, number, data)
        rendered = self._renderer.render(kind, locale, number, data)
        return rendered.subject, rendered.body

    def _not_ours(self, key: str) -> Status:
        retry_at = outbox.claimed_until(self._sessions, key, self._lease)
        if retry_at is not None:
            raise DeliveryInProgress(key, retry_at)
        status = outbox.status_of(self._sessions, key)
        assert status is not None, "the row was written above"
        return status

    def _send(self, row: Notification, owner: str) -> Status:
        try:
            refused = self._hand_over(row)
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

    def _hand_over(self, row: Notification) -> Refusals:
        # ck_notifications_rendered: a claimable row has its texts.
        assert row.subject is not None and row.body is not None
        to = tuple(row.addresses)
        if row.channel == Channel.SMS:
            self._sms_sender.send(SmsMessage(row.key, row.kind, row.number, to, row.body))
            return {}
        return self._sender.send(
            OutgoingMessage(row.key, row.kind, row.number, to, row.subject, row.body)
        )

    def _finish(self, key: str, owner: str, status: Status, note: str | None) -> None:
        if not outbox.finish(self._sessions, key, owner, status, self._clock(), note):
            # Our lease ran out while we sent and another attempt took the message over: it
            # may go out twice (the same Message-ID). The lease must outlast any send.
            log.error("notification %s: claim of %s lost during the send", key, owner)


def _claimant() -> str:
    """Who claims: host and process for the operator, a random part per attempt."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"

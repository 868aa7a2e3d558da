"""The notification activity: the outbox write and the delivery, once per idempotency key.

The workflow holds a notice until the quiet calendar lets it go, then calls
`queue_notification` once; Temporal retries it on any error but the permanent ones, which
`notifications.delivery` records on the outbox row instead of raising.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from config import Settings
from db.session import SessionFactory
from models.activity_io import ActivityName, NotificationRequest
from notifications.delivery import LEASE, Clock, Delivery, DeliveryInProgress, utc_now
from notifications.senders import Sender


class NotificationActivities:
    def __init__(
        self,
        sessions: SessionFactory,
        settings: Settings,
        sender: Sender | None = None,
        *,
        lease: timedelta = LEASE,
        clock: Clock = utc_now,
    ) -> None:
        self._clock = clock
        self._delivery = Delivery(sessions, settings, sender, lease=lease, clock=clock)

    @activity.defn(name=ActivityName.QUEUE_NOTIFICATION)
    def queue_notification(self, request: NotificationRequest) -> None:
        """Write the notice to the outbox (once per `request.key`) and send it (once).

        Returns when the notice — its email and, if its kind has one, its SMS — is sent,
        skipped (no recipient has an address) or failed for good (a template error, a 5xx
        SMTP refusal, a 4xx reply of the SMS provider; the row holds the error). Raises, for
        Temporal to retry: the senders' retryable errors (connection refused, a timeout, a 4xx
        SMTP reply, a 5xx reply of the provider) and `DeliveryInProgress` while another
        attempt holds a row (retried at the end of its lease).
        """
        try:
            self._delivery.deliver(request)
        except DeliveryInProgress as busy:
            wait = max(busy.retry_at - self._clock(), timedelta(seconds=1))
            raise ApplicationError(
                str(busy), type="DeliveryInProgress", next_retry_delay=wait
            ) from busy

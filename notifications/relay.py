"""`OutboxRelay`: delivers the notices a request's record wrote to the outbox (the
transactional outbox: the notice exists exactly when the timeline event that queued it does).

It runs beside the worker, on a thread of its own: woken at once by the record that wrote a
notice in this process (`nudge`), and every `POLL` for the rest — notices another worker's
record wrote, retries that came due, a sender that died mid-send (its lease ran out). Each
message goes through `Delivery.send_written`, whose claim makes two relays (or a relay and a
retried activity) never send one message twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from db.session import SessionFactory
from notifications import outbox
from notifications.delivery import LEASE, Clock, Delivery, DeliveryInProgress, utc_now
from notifications.outbox import Channel

log = logging.getLogger(__name__)

#: How often the relay looks for what no nudge announced.
POLL = timedelta(seconds=2)
#: Messages claimed per query; a full batch is followed by the next at once.
BATCH = 50


class OutboxRelay:
    def __init__(
        self,
        sessions: SessionFactory,
        delivery: Delivery,
        *,
        poll: timedelta = POLL,
        lease: timedelta = LEASE,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions, self._delivery = sessions, delivery
        self._poll, self._lease, self._clock = poll, lease, clock
        self._nudged = threading.Event()
        self._stopped = threading.Event()

    def nudge(self) -> None:
        """Something was written: look now rather than at the next poll."""
        self._nudged.set()

    def deliver_due(self) -> int:
        """One pass: try the messages that are due; how many were tried."""
        tried = 0
        while True:
            batch = outbox.due(self._sessions, self._clock(), self._lease, BATCH)
            # After a failure the rest of its channel waits for the next poll: its sender may
            # be down. The other channel's messages still go.
            down: set[Channel] = set()
            for key, channel in batch:
                if channel in down:
                    continue
                tried += 1
                try:
                    self._delivery.send_written(key)
                except DeliveryInProgress:
                    pass  # another relay holds it
                except Exception as error:  # released with its next attempt's time
                    log.warning("notification %s not sent, will retry: %s", key, error)
                    down.add(channel)
            if len(batch) < BATCH or down:
                return tried

    @contextmanager
    def running(self) -> Iterator[OutboxRelay]:
        """The relay on its thread while the block runs (stopped, and joined, after)."""
        self._stopped.clear()
        thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stopped.set()
            self._nudged.set()
            thread.join()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._nudged.clear()
            try:
                self.deliver_due()
            except Exception:  # the database is away: the next poll tries again
                log.exception("outbox relay pass failed")
            self._nudged.wait(self._poll.total_seconds())

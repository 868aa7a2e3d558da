"""The transactional outbox: a request's record writes its notices in the same transaction as
its timeline and read model, and the relay delivers them — once, however often the record is
retried or however many relays run, again after a retryable error at its backoff, and taken
over from a sender that died mid-send; notices that an activity delivers are not the relay's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType

from activities.records import RecordActivities
from db.demo import load_demo
from db.session import SessionFactory, create_schema, session_factory, transaction
from db.tables import Notification, TimelineEventRow
from models.activity_io import ActivityName, NotificationRequest, RecordRequest
from notifications import outbox
from notifications.delivery import LEASE, Delivery, retry_delay
from notifications.message import OutgoingMessage
from notifications.outbox import Status
from notifications.relay import OutboxRelay
from notifications.senders import Refusals
from tests.conftest import fresh_database
from tests.test_notifications import DESKS, notice, row, with_notifications
from tests.test_records import event, registered
from tests.test_workflow_sla import notifications, now
from tests.workflow_helpers import act, eventually, start
from workflows.service_request.patches import CURRENT

#: The relays under test run on this clock.
NOW = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
C002_EMAIL = "equipment@mh-hospital.example"  # the demo customer C002 (db/demo.py)


@dataclass
class Outbound:
    """A sender that keeps what it sends; `down` makes it fail as a server that is away."""

    sent: list[OutgoingMessage] = field(default_factory=list)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: OutgoingMessage) -> Refusals:
        if self.down:
            raise ConnectionRefusedError("the mail server is away")
        with self.lock:
            self.sent.append(message)
        return {}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sender() -> Outbound:
    return Outbound()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture(scope="module")
def alone(database_url: str, tmp_path_factory) -> Iterator[SessionFactory]:
    """A database of the relays under test alone: the workers of the test session run their
    own relays on the shared one, on the real clock, and would deliver these rows first."""
    with fresh_database(database_url, tmp_path_factory.mktemp("outbox")) as engine:
        create_schema(engine)
        own = session_factory(engine)
        with transaction(own) as session:
            load_demo(session)
        yield own


@pytest.fixture
def delivery(alone, settings, sender, clock) -> Delivery:
    return Delivery(alone, with_notifications(settings, DESKS), sender, clock=clock)


@pytest.fixture
def relay(alone, delivery, clock) -> OutboxRelay:
    return OutboxRelay(alone, delivery, clock=clock)


def record_with(alone, delivery: Delivery, *notices: NotificationRequest) -> RecordRequest:
    """A request's first record with `notices`, numbered and with its customer in their data
    (as the workflow's notices carry it)."""
    state = registered(alone)
    state.version = 1
    mine = {"number": state.number}
    record = RecordRequest(
        events=[event(1, "registered"), event(2, "notification_queued")],
        state=state,
        notices=[
            n.model_copy(update=mine | {"data": n.data | {"customer_id": state.customer_id}})
            for n in notices
        ],
    )
    RecordActivities(alone, delivery).record_events(record)
    return record


def test_a_record_writes_its_notices_with_its_events_once(alone, delivery):
    request = notice("registered", ("customer", "dispatcher"))
    record = record_with(alone, delivery, request)
    RecordActivities(alone, delivery).record_events(record)  # the retry of the activity
    number = record.state.number
    with alone() as session:
        query = select(Notification).where(Notification.number == number)
        rows = list(session.scalars(query.order_by(Notification.id)))
        kinds = session.scalars(
            select(TimelineEventRow.kind).where(TimelineEventRow.number == number)
        )
        assert list(kinds) == ["registered", "notification_queued"]
    email, sms = rows  # the SMS beside it: nobody has a mobile (C002's phone is a landline)
    assert (email.key, email.channel) == (record.notices[0].key, "email")
    assert email.addresses == [C002_EMAIL, "dispatch@desk.test"]
    assert email.status == Status.PENDING and email.next_attempt_at == NOW
    assert (sms.key, sms.channel, sms.status) == (f"{email.key}:sms", "sms", Status.SKIPPED)


def test_the_relay_sends_each_written_notice_once(alone, delivery, relay, sender):
    request = record_with(alone, delivery, notice("escalation", ("supervisor",))).notices[0]
    assert relay.deliver_due() >= 1
    relay.deliver_due()  # nothing is due any more
    assert [m.key for m in sender.sent if m.key == request.key] == [request.key]
    assert row(alone, request.key).status == Status.SENT


def test_a_notice_that_failed_is_tried_again_at_its_backoff(alone, delivery, relay, sender, clock):
    request = record_with(alone, delivery, notice("escalation", ("supervisor",))).notices[0]
    sender.down = True
    relay.deliver_due()
    failed = row(alone, request.key)
    assert failed.status == Status.PENDING and "away" in (failed.last_error or "")
    assert failed.next_attempt_at == NOW + retry_delay(1)
    sender.down = False
    relay.deliver_due()  # not yet: its time has not come
    assert request.key not in [m.key for m in sender.sent]
    clock.now = NOW + retry_delay(1)
    relay.deliver_due()
    assert [m.key for m in sender.sent if m.key == request.key] == [request.key]
    assert row(alone, request.key).attempts == 2


def test_the_backoff_doubles_to_its_cap():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 7, 500)] == [
        1,
        2,
        4,
        8,
        16,
        30,
        30,
        30,
    ]


def test_a_notice_whose_sender_died_is_taken_over_after_the_lease(
    alone, delivery, relay, sender, clock
):
    request = record_with(alone, delivery, notice("escalation", ("supervisor",))).notices[0]
    assert outbox.claim(alone, request.key, "died", NOW, LEASE) is not None
    relay.deliver_due()
    assert request.key not in [m.key for m in sender.sent]
    clock.now = NOW + LEASE + timedelta(seconds=1)
    relay.deliver_due()
    assert [m.key for m in sender.sent if m.key == request.key] == [request.key]


def test_two_relays_send_a_notice_once(alone, settings, sender, clock):
    delivery = Delivery(alone, with_notifications(settings, DESKS), sender, clock=clock)
    keys = {
        n.key
        for n in record_with(
            alone, delivery, *(notice("escalation", ("supervisor",)) for _ in range(8))
        ).notices
    }
    relays = [OutboxRelay(alone, delivery, clock=clock) for _ in range(2)]
    threads = [threading.Thread(target=r.deliver_due) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.key for m in sender.sent if m.key in keys) == sorted(keys)


def test_a_notice_an_activity_delivers_is_not_the_relays(alone, delivery, relay, sender):
    request = notice("escalation", ("supervisor",))
    with transaction(alone) as session:  # as `queue_notification` writes it, before it sends
        outbox.add_new(session, delivery.compose(session, request))
    relay.deliver_due()
    assert request.key not in [m.key for m in sender.sent]
    assert row(alone, request.key).next_attempt_at is None


def test_the_running_relay_delivers_what_a_record_wrote(alone, settings, sender):
    delivery = Delivery(alone, with_notifications(settings, DESKS), sender)
    relay = OutboxRelay(alone, delivery, poll=timedelta(hours=1))  # only the nudge wakes it
    with relay.running():
        state = record_with(alone, delivery).state.model_copy(update={"version": 2})
        request = notice("escalation", ("supervisor",)).model_copy(update={"number": state.number})
        RecordActivities(alone, delivery, relay).record_events(
            RecordRequest(events=[event(3)], state=state, notices=[request])
        )
        delivered = threading.Event()

        def watch() -> None:
            while row(alone, request.key).status != Status.SENT:
                delivered.wait(0.05)
            delivered.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert delivered.wait(10), "the nudged relay did not deliver the notice"
    assert [m.key for m in sender.sent if m.key == request.key] == [request.key]


# ------------------------------------------------------------------ through a request
async def test_a_requests_notices_go_with_its_record_and_the_relay_sends_them(
    ts_env, ts_client, intake, sessions
):
    handle = await start(ts_client, intake(at=await now(ts_env), severity=1))
    number = handle.id.removeprefix("service-request-")
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    # Each notice the timeline says was queued is in the outbox (one transaction) and sent.
    queued = await eventually(lambda: kinds_queued(sessions, number) >= {"registered", "assigned"})
    assert queued
    rows = await eventually(
        lambda: (
            (found := notifications(sessions, number))
            and all(r.status == Status.SENT for r in found)
            and found
        )
    )
    assert {r.kind for r in rows} == kinds_queued(sessions, number)
    assert all(r.next_attempt_at is not None for r in rows)  # the relay's, no activity's
    history = await handle.fetch_history()
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert ActivityName.QUEUE_NOTIFICATION not in scheduled
    # One patch marker for the whole current shape, not one per change.
    patches = [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_patch"
    ]
    assert len(patches) == 1 and CURRENT.encode() in patches[0].SerializeToString()


def kinds_queued(sessions, number: str) -> set[str]:
    with sessions() as session:
        rows = session.scalars(
            select(TimelineEventRow).where(
                TimelineEventRow.number == number, TimelineEventRow.kind == "notification_queued"
            )
        )
        return {r.data["kind"] for r in rows}

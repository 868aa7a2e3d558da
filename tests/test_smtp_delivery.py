"""SMTP delivery against a real SMTP server (aiosmtpd on a loopback port): each message arrives
once, with its subject, recipients and Message-ID, however often the activity runs; a worker
killed mid-send (a real process, killed while the server holds its DATA) neither loses the
message nor lets a concurrent retry send it twice; permanent refusals fail the row, transient
ones raise for Temporal to retry."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from temporalio.exceptions import ApplicationError

from activities.notifications import NotificationActivities
from config import ROOT, SmtpSettings
from notifications.delivery import LEASE, utc_now
from notifications.message import message_id
from tests.test_notifications import C001_EMAIL, DESKS, notice, row, with_notifications

SENDER = "售后服务 <aftersales@sender.test>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    email: EmailMessage


class Recorder:
    """An aiosmtpd handler that keeps every message it accepts. `refuse` answers chosen
    recipients with a reply; `hold` keeps DATA unanswered until the client goes away (aiosmtpd
    then cancels the handler), and such a message is not kept: the client never heard that it
    was accepted."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.hold = False
        self.holding = threading.Event()
        self.dropped = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold:
            self.holding.set()
            try:
                await asyncio.Event().wait()  # never set: only the client's going ends it
            except asyncio.CancelledError:
                self.dropped.set()
                raise
        email = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(email, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), email))
        return "250 Message accepted"

    def with_id(self, key: str) -> list[Received]:
        return [r for r in self.received if r.email["Message-ID"] == message_id(key)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def smtp_settings(settings, port: int):
    notifications = replace(
        DESKS, sender="smtp", smtp=SmtpSettings(host="127.0.0.1", port=port, sender=SENDER)
    )
    return with_notifications(settings, notifications)


@pytest.fixture
def activities(sessions, settings, server) -> NotificationActivities:
    return NotificationActivities(sessions, smtp_settings(settings, server[1]))


def test_each_message_arrives_once_however_often_the_activity_runs(activities, server, sessions):
    recorder, _ = server
    request = notice("escalation", ("dispatcher", "customer"), customer_id="C001")
    other = notice("signing_link", ("customer",), locale="en", customer_id="C001")
    for _ in range(3):  # the call and two retries of each
        activities.queue_notification(request)
        activities.queue_notification(other)
    (got,) = recorder.with_id(request.key)
    assert got.mail_from == "aftersales@sender.test"
    assert got.rcpt_tos == ["dispatch@desk.test", C001_EMAIL]
    assert got.email["To"] == f"dispatch@desk.test, {C001_EMAIL}"
    assert got.email["Subject"] == f"【升级·第2级】服务单 {request.number} 响应时限"
    assert got.email["From"] == SENDER
    assert got.email["Auto-Submitted"] == "auto-generated"
    assert "原因：nobody acknowledged" in got.email.get_content()
    (link,) = recorder.with_id(other.key)
    assert link.email["Subject"] == f"Please sign the service report of request {other.number}"
    assert "<url>" in link.email.get_content()
    assert len(recorder.received) == 2
    sent = row(sessions, request.key)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)


# Runs the activity in a process of its own: the worker the test kills mid-send.
WORKER = """
import sys
from dataclasses import replace

from activities.notifications import NotificationActivities
from config import Settings, SmtpSettings
from db.session import make_engine, session_factory
from models.activity_io import NotificationRequest

url, port, request = sys.argv[1:]
settings = Settings.from_env()
smtp = SmtpSettings(host="127.0.0.1", port=int(port))
notifications = replace(settings.notifications, sender="smtp", smtp=smtp)
settings = replace(settings, notifications=notifications)
activities = NotificationActivities(session_factory(make_engine(url)), settings)
activities.queue_notification(NotificationRequest.model_validate_json(request))
"""


def test_a_worker_killed_mid_send_neither_loses_nor_doubles_the_message(
    server, sessions, settings, database_url
):
    recorder, port = server
    recorder.hold = True
    request = notice("escalation", ("dispatcher",))
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, database_url, str(port), request.model_dump_json()],
        cwd=ROOT,
    )
    try:
        assert recorder.holding.wait(timeout=60), "the worker never reached DATA"
    finally:
        worker.kill()
        worker.wait()
    assert recorder.dropped.wait(timeout=30), "the server never saw the worker go"
    recorder.hold = False
    orphan = row(sessions, request.key)
    assert orphan.status == "sending" and orphan.attempts == 1
    assert f":{worker.pid}:" in orphan.claimed_by

    # Temporal retries at once (the attempt timed out): within the lease nobody may send it.
    now = utc_now()
    retry = NotificationActivities(sessions, smtp_settings(settings, port), clock=lambda: now)
    with pytest.raises(ApplicationError, match="being sent by another attempt") as raised:
        retry.queue_notification(request)
    assert raised.value.next_retry_delay <= LEASE
    assert recorder.received == []

    # After the lease the claim is presumed dead: the retry sends the message, once.
    later = now + LEASE + timedelta(seconds=1)
    retry = NotificationActivities(sessions, smtp_settings(settings, port), clock=lambda: later)
    retry.queue_notification(request)
    retry.queue_notification(request)
    (got,) = recorder.received
    assert got.email["Message-ID"] == message_id(request.key)
    assert got.rcpt_tos == ["dispatcher@aftersales.local"]  # as the worker resolved it
    sent = row(sessions, request.key)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert f":{worker.pid}:" not in sent.claimed_by


def test_a_permanent_refusal_fails_the_row_without_raising(activities, server, sessions):
    recorder, _ = server
    recorder.refuse["dispatch@desk.test"] = "550 5.1.1 no such mailbox"
    request = notice("escalation", ("dispatcher",))
    activities.queue_notification(request)  # returns: Temporal must not retry it
    activities.queue_notification(request)
    failed = row(sessions, request.key)
    assert failed.status == "failed" and failed.attempts == 1
    assert "550 5.1.1 no such mailbox" in failed.last_error
    assert recorder.received == []


def test_a_partial_refusal_is_noted_on_the_sent_row(activities, server, sessions):
    recorder, _ = server
    recorder.refuse["supervisor@desk.test"] = "550 5.1.1 no such mailbox"
    request = notice("escalation", ("dispatcher", "supervisor"))
    activities.queue_notification(request)
    (got,) = recorder.received
    assert got.rcpt_tos == ["dispatch@desk.test"]
    sent = row(sessions, request.key)
    assert sent.status == "sent"
    assert sent.last_error == "supervisor@desk.test refused: 550 5.1.1 no such mailbox"


def test_a_temporary_refusal_raises_then_the_retry_delivers(activities, server, sessions):
    recorder, _ = server
    recorder.refuse["dispatch@desk.test"] = "451 4.3.0 try again later"
    request = notice("escalation", ("dispatcher",))
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        activities.queue_notification(request)
    waiting = row(sessions, request.key)
    assert waiting.status == "pending" and "451" in waiting.last_error
    del recorder.refuse["dispatch@desk.test"]
    activities.queue_notification(request)  # Temporal's retry: no lease to wait for
    assert len(recorder.with_id(request.key)) == 1
    sent = row(sessions, request.key)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_connection_refused_raises_for_temporal_to_retry(sessions, settings):
    port = free_port()  # nothing listens there yet
    activities = NotificationActivities(sessions, smtp_settings(settings, port))
    request = notice("escalation", ("dispatcher",))
    with pytest.raises(ConnectionRefusedError):
        activities.queue_notification(request)
    assert row(sessions, request.key).status == "pending"
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        activities.queue_notification(request)  # the server is back
    finally:
        controller.stop()
    (got,) = recorder.received
    assert got.email["Message-ID"] == message_id(request.key)
    assert row(sessions, request.key).status == "sent"


def test_any_key_makes_a_valid_message_id(activities, server):
    recorder, _ = server
    request = notice("escalation", ("dispatcher",))
    request = request.model_copy(update={"key": f"{request.key}/重试 #2"})
    activities.queue_notification(request)
    (got,) = recorder.received
    # A long id is folded onto its own line; unfolded, it is the key's.
    assert got.email["Message-ID"].strip() == message_id(request.key)
    assert got.email["Message-ID"].isascii()

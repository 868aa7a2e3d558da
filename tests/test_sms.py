"""SMS beside the email, against a fake provider (a real HTTP server on a loopback port): one SMS
per notice to the archived mobile, with its text and its key, sent once however often the
activity or the relay runs, again after a retryable reply and never after a permanent one;
mobiles of customers, engineers and desks, and who is skipped and why."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, column, insert, select, table, text
from sqlalchemy.types import TypeEngine

from activities.notifications import NotificationActivities
from config import NotificationSettings, SmsSettings
from db.session import alembic_config, create_schema, session_factory, transaction
from db.tables import Customer, CustomerContact, Engineer, Notification, UtcDateTime
from notifications import outbox
from notifications.delivery import Delivery, retry_delay
from notifications.mobiles import mobile
from notifications.relay import OutboxRelay
from notifications.senders import LogSender
from notifications.sms_senders import SmsProviderError
from tests.sms_provider import FakeProvider, running_provider
from tests.test_migrations import downgrade, fresh  # noqa: F401 - a new, empty database
from tests.test_notifications import DESKS, notice, row, with_notifications
from tests.test_outbox_relay import NOW, Clock, alone  # noqa: F401 - the relay's own database
from tests.test_smtp_delivery import free_port

MOBILE = "+8613800138000"


def sms_key(request) -> str:
    return f"{request.key}:sms"


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with running_provider() as provider:
        yield provider


def http_settings(settings, provider: FakeProvider, **desks: str):
    sms = SmsSettings(
        sender="http", provider_url=provider.url, api_key="k-123", sign_name="售后服务", **desks
    )
    return with_notifications(settings, replace(DESKS, sms=sms))


@pytest.fixture
def activities(sessions, settings, provider) -> NotificationActivities:
    return NotificationActivities(sessions, http_settings(settings, provider))


def customer(sessions, phone: str | None, *contacts: str) -> str:
    """A new customer with `phone` as its primary contact's and `contacts` after it."""
    cid = f"SMS-{uuid.uuid4().hex[:8]}"
    with transaction(sessions) as session:
        session.add(
            Customer(
                id=cid,
                name="短信客户",
                contact_phone=phone,
                email=f"{cid}@customer.test",
                region="qingdao",
                sla_profile="standard",
            )
        )
        session.flush()
        for position, other in enumerate(contacts):
            session.add(CustomerContact(customer_id=cid, position=position, name="x", phone=other))
    return cid


def engineer(sessions, phone: str | None) -> str:
    """An engineer off duty, of no skill or region: no test's assignment picks them."""
    eid = f"SMS-E-{uuid.uuid4().hex[:8]}"
    with transaction(sessions) as session:
        session.add(Engineer(id=eid, name="x", phone=phone, skills=[], regions=[], on_duty=False))
    return eid


# ------------------------------------------------------------------ the customer's SMS
def test_a_notice_to_the_customer_is_one_sms_to_the_archived_mobile(activities, provider, sessions):
    cid = customer(sessions, "138 0013 8000")
    request = notice(
        "appointment", ("customer",), customer_id=cid, appointment_at="2026-11-23T01:30:00+00:00"
    )
    for _ in range(3):  # the call and two retries
        activities.queue_notification(request)
    (posted,) = provider.requests
    assert posted.path == "/v1/sms"
    assert posted.body == {
        "id": sms_key(request),
        "to": [MOBILE],
        "text": f"服务单 {request.number} 上门时间已确认：2026-11-23 09:30。"
        "如需改约请致电服务热线。",
        "sign_name": "售后服务",
        "kind": "appointment",
        "number": request.number,
    }
    assert posted.headers["Idempotency-Key"] == quote(sms_key(request), safe="/:")
    assert posted.headers["Authorization"] == "Bearer k-123"
    sms = row(sessions, sms_key(request))
    assert (sms.channel, sms.status, sms.attempts, sms.subject) == ("sms", "sent", 1, "")
    assert sms.addresses == [MOBILE] and sms.body == posted.body["text"]
    email = row(sessions, request.key)  # unchanged beside it
    assert (email.channel, email.status, email.addresses) == (
        "email",
        "sent",
        [f"{cid}@customer.test"],
    )


def test_a_customer_without_a_mobile_is_skipped_and_the_email_still_goes(
    activities, provider, sessions
):
    cid = customer(sessions, "+86 532 8000 1001", "0532-8888 6666")
    request = notice("signing_link", ("customer",), customer_id=cid)
    activities.queue_notification(request)
    assert provider.requests == []
    sms = row(sessions, sms_key(request))
    assert sms.status == "skipped" and sms.attempts == 0
    assert sms.skipped == {
        "customer": f"customer {cid} has no mobile on file "
        "(phones: +86 532 8000 1001, 0532-8888 6666)"
    }
    assert row(sessions, request.key).status == "sent"


def test_the_first_mobile_among_the_customers_contacts_is_used(activities, provider, sessions):
    cid = customer(sessions, "0532 8000 1001", "0532 8000 1002", "+86 139-0000-1234", MOBILE)
    request = notice("registered", ("customer",), customer_id=cid)
    activities.queue_notification(request)
    assert [p.body["to"] for p in provider.with_id(sms_key(request))] == [["+8613900001234"]]


def test_a_kind_without_an_sms_text_has_no_sms_row(activities, provider, sessions):
    request = notice("revisit_due", ("customer",), customer_id=customer(sessions, MOBILE))
    activities.queue_notification(request)
    with sessions() as session:
        keys = session.scalars(
            select(Notification.key).where(Notification.number == request.number)
        )
        assert list(keys) == [request.key]
    assert provider.requests == []


# ------------------------------------------------------------------ the provider's replies
@pytest.mark.parametrize("status", [500, 503, 408, 429, 401])
def test_a_retryable_reply_is_sent_exactly_once_after_the_retry(
    activities, provider, sessions, status
):
    request = notice("registered", ("customer",), customer_id=customer(sessions, MOBILE))
    provider.replies = [status]
    with pytest.raises(SmsProviderError, match=f"HTTP {status}"):
        activities.queue_notification(request)  # Temporal retries it
    given_back = row(sessions, sms_key(request))
    assert given_back.status == "pending" and f"HTTP {status}" in given_back.last_error
    assert row(sessions, request.key).status == "sent"  # the email did not wait for it
    activities.queue_notification(request)
    activities.queue_notification(request)
    assert [p.status for p in provider.requests] == [status, 200]
    sms = row(sessions, sms_key(request))
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert row(sessions, request.key).attempts == 1  # the email went once


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_permanent_refusal_fails_the_sms_and_is_not_retried(
    activities, provider, sessions, status
):
    request = notice("registered", ("customer",), customer_id=customer(sessions, MOBILE))
    provider.replies = [status]
    activities.queue_notification(request)  # returns: Temporal must not retry it
    activities.queue_notification(request)
    assert [p.status for p in provider.requests] == [status]
    failed = row(sessions, sms_key(request))
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error.startswith(f"HTTP {status} ") and "status" in failed.last_error


def test_a_provider_that_is_away_is_retried(sessions, settings, provider):
    away = replace(provider, url=f"http://127.0.0.1:{free_port()}/v1/sms")  # nobody listens
    activities = NotificationActivities(sessions, http_settings(settings, away))
    request = notice("registered", ("customer",), customer_id=customer(sessions, MOBILE))
    with pytest.raises(OSError):
        activities.queue_notification(request)
    assert row(sessions, sms_key(request)).status == "pending"


def test_the_relay_sends_each_sms_once_and_a_provider_down_holds_no_email(
    alone,  # noqa: F811
    settings,
    provider,
):
    clock = Clock(NOW)
    delivery = Delivery(alone, http_settings(settings, provider), LogSender(), clock=clock)
    relay = OutboxRelay(alone, delivery, clock=clock)
    cid = customer(alone, MOBILE)
    first, second = (notice("quote_link", ("customer",), customer_id=cid) for _ in range(2))
    with transaction(alone) as session:  # as a record writes them
        outbox.add_new(session, delivery.compose_for_relay([first, second]))
    provider.replies = [502]
    relay.deliver_due()
    # The first SMS failed: the second waits for the next pass, the emails went.
    assert [row(alone, r.key).status for r in (first, second)] == ["sent", "sent"]
    given_back, waiting = row(alone, sms_key(first)), row(alone, sms_key(second))
    assert given_back.status == "pending" and given_back.next_attempt_at == NOW + retry_delay(1)
    assert waiting.status == "pending" and waiting.attempts == 0
    relay.deliver_due()  # the second goes; the first's time has not come
    clock.now = NOW + retry_delay(1)
    relay.deliver_due()
    relay.deliver_due()
    assert [p.status for p in provider.with_id(sms_key(first))] == [200]
    assert [p.status for p in provider.with_id(sms_key(second))] == [200]
    assert [p.status for p in provider.requests] == [502, 200, 200]
    assert row(alone, sms_key(first)).attempts == 2


# ------------------------------------------------------------------ engineers and desks
def test_the_assigned_engineer_gets_the_sms_at_the_archived_phone(activities, provider, sessions):
    request = notice("assigned", ("assigned",), engineer="E001")  # +86 138 0000 0001
    activities.queue_notification(request)
    (posted,) = provider.with_id(sms_key(request))
    assert posted.body["to"] == ["+8613800000001"]
    assert posted.body["text"].startswith(
        f"派工：服务单 {request.number}，请于 <arrival_due> 前到达。"
    )


def test_an_engineer_without_a_mobile_is_skipped_with_the_reason(activities, sessions):
    none, landline = engineer(sessions, None), engineer(sessions, "0532-8000 1001")
    for eid, reason in [
        (none, f"engineer {none} has no phone on file"),
        (landline, f"engineer {landline}'s phone '0532-8000 1001' is not a mobile number"),
    ]:
        request = notice("unassigned", ("assigned",), engineer=eid)
        activities.queue_notification(request)
        assert row(sessions, sms_key(request)).skipped == {"assigned": reason}


def test_desks_get_the_sms_at_their_configured_mobiles(sessions, settings, provider):
    desks = {"supervisor": "+86 139 1111 2222", "manager": "12345"}
    activities = NotificationActivities(sessions, http_settings(settings, provider, **desks))
    request = notice("escalation", ("dispatcher", "supervisor", "manager", "revisit"))
    activities.queue_notification(request)
    (posted,) = provider.with_id(sms_key(request))
    assert posted.body["to"] == ["+8613911112222"]
    assert posted.body["text"].startswith(f"升级（第2级）：服务单 {request.number}")
    assert row(sessions, sms_key(request)).skipped == {
        "dispatcher": "NOTIFY_SMS_DISPATCHER is empty",
        "manager": "NOTIFY_SMS_MANAGER '12345' is not a mobile number",
        "revisit": "NOTIFY_SMS_REVISIT is empty",
    }


def test_the_log_sender_logs_one_line_per_sms(sessions, settings, caplog):
    activities = NotificationActivities(sessions, with_notifications(settings, DESKS))
    request = notice("registered", ("customer",), customer_id=customer(sessions, MOBILE))
    with caplog.at_level(logging.INFO, logger="notifications.sms_senders"):
        activities.queue_notification(request)
        activities.queue_notification(request)  # Temporal's retry: nothing more
    (line,) = [r.getMessage() for r in caplog.records if r.name == "notifications.sms_senders"]
    assert line.startswith(f"sms registered key={sms_key(request)} to={MOBILE} 您的服务单 ")
    assert row(sessions, sms_key(request)).status == "sent"


# ------------------------------------------------------------------ migration
def test_rows_before_the_migration_are_emails_and_its_downgrade_drops_the_sms(fresh):  # noqa: F811
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0016").down_revision
    create_schema(fresh, before)
    outbox_row = {
        "number": "SR-1",
        "kind": "registered",
        "recipients": ["customer"],
        "data": {},
        "locale": "zh",
        "subject": "s",
        "body": "b",
        "addresses": [],
        "skipped": {},
        "status": "sent",
        "attempts": 1,
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    types: dict[str, TypeEngine[Any]] = {
        name: JSON() for name in ("recipients", "data", "addresses", "skipped")
    }
    types["created_at"] = UtcDateTime()
    at_before = table(
        "notifications", column("key"), *(column(name, types.get(name)) for name in outbox_row)
    )
    with fresh.begin() as connection:
        connection.execute(insert(at_before), [outbox_row | {"key": "old"}])
    create_schema(fresh)
    with fresh.begin() as connection:
        connection.execute(
            insert(Notification.__table__), [outbox_row | {"key": "old:sms", "channel": "sms"}]
        )
    assert row(session_factory(fresh), "old").channel == "email"
    downgrade(fresh, before)
    with fresh.connect() as connection:
        keys = connection.execute(text("SELECT key FROM notifications")).scalars()
        assert list(keys) == ["old"]


# ------------------------------------------------------------------ mobiles, settings
@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13800138000", MOBILE),
        ("+86 138 0013 8000", MOBILE),
        ("0086-138-0013-8000", MOBILE),
        ("86 (138) 0013.8000", MOBILE),
        ("+86 532 8000 1001", None),  # a landline
        ("1380013800", None),  # a digit short
        ("12800138000", None),  # no such network
        ("138 0013 8000 ext 2", None),
        ("", None),
        (None, None),
    ],
)
def test_mobile_numbers_are_found_behind_their_spelling(phone, expected):
    assert mobile(phone) == expected


def test_sms_settings_come_from_the_environment():
    env = {
        "NOTIFY_SMS_SENDER": "http",
        "SMS_PROVIDER_URL": "https://sms.example/v1/send",
        "SMS_API_KEY": "secret-key",
        "SMS_SIGN_NAME": "售后服务",
        "NOTIFY_SMS_DISPATCHER": "+86 139 0000 0001",
        "NOTIFY_SMS_SUPERVISOR": "13900000002",
        "NOTIFY_SMS_MANAGER": "13900000003",
        "NOTIFY_SMS_REVISIT": "13900000004",
    }
    sms = NotificationSettings.from_env(env).sms
    assert (sms.sender, sms.provider_url, sms.api_key, sms.sign_name) == (
        "http",
        "https://sms.example/v1/send",
        "secret-key",
        "售后服务",
    )
    assert (sms.dispatcher, sms.supervisor, sms.manager, sms.revisit) == (
        "+86 139 0000 0001",
        "13900000002",
        "13900000003",
        "13900000004",
    )
    assert "secret-key" not in repr(sms)
    assert NotificationSettings.from_env({}).sms == SmsSettings()  # log, no desk mobiles
    with pytest.raises(ValueError, match="NOTIFY_SMS_SENDER='pigeon': expected one of log, http"):
        NotificationSettings.from_env({"NOTIFY_SMS_SENDER": "pigeon"})
    with pytest.raises(ValueError, match="NOTIFY_SMS_SENDER=http needs SMS_PROVIDER_URL"):
        NotificationSettings.from_env({"NOTIFY_SMS_SENDER": "http"})

"""Notifications without a mail server: the templates (every kind in zh and en, strict about
their data), recipients, the outbox's states on the real database, the log sender, and the
migration of rows queued before delivery existed. SMTP: tests/test_smtp_delivery.py."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import meta
from sqlalchemy import JSON, column, insert, select, table
from temporalio.exceptions import ApplicationError

from activities.notifications import NotificationActivities
from config import LOCALES, NotificationSettings, Settings
from db.session import create_schema, session_factory, transaction
from db.tables import Customer, Notification, ServiceRequestRow, UtcDateTime
from models.activity_io import NotificationRequest
from notifications import outbox
from notifications.delivery import LEASE, Delivery, utc_now
from notifications.message import OutgoingMessage, message_id
from notifications.outbox import Status
from notifications.rendering import (
    DATA_KEYS,
    KINDS,
    SMS_KINDS,
    TEMPLATES,
    Renderer,
    TemplateProblem,
    sms_template_name,
)
from notifications.senders import LogSender
from tests.request_fixtures import state as registered_state
from tests.test_migrations import fresh  # noqa: F401 - the fixture of a new, empty database

CJK = re.compile(r"[\u4e00-\u9fff]")
DESKS = NotificationSettings(
    dispatcher="dispatch@desk.test",
    supervisor="supervisor@desk.test",
    manager="",  # a role nobody reads: its notices are skipped
    revisit="revisit@desk.test",
    engineer="{id}@engineers.test",
)
C001_EMAIL = "it@qd-harbour.example"  # the demo customer C001 (db/demo.py)


# ------------------------------------------------------------------ helpers (also SMTP tests)
def sample_data(kind: str) -> dict[str, str]:
    """Distinct, recognisable values for the documented keys of `kind`."""
    data = {key: f"<{key}>" for key in DATA_KEYS[kind]}
    if kind == "escalation":
        data |= {"clock": "response", "level": "2", "reason": "nobody acknowledged"}
    return data


def notice(
    kind: str = "escalation",
    recipients: tuple[str, ...] = ("dispatcher",),
    locale: str | None = None,
    **data: str,
) -> NotificationRequest:
    """A request with its own number and key (the test database is shared)."""
    number = f"NT-{uuid.uuid4().hex[:12]}"
    return NotificationRequest(
        key=f"{number}/{kind}/1",
        number=number,
        kind=kind,
        recipients=list(recipients),
        data=sample_data(kind) | data,
        locale=locale,
    )


def with_notifications(settings: Settings, notifications: NotificationSettings) -> Settings:
    return replace(settings, notifications=notifications)


def row(sessions, key: str) -> Notification:
    with sessions() as session:
        return session.scalars(select(Notification).where(Notification.key == key)).one()


@pytest.fixture
def renderer(settings) -> Renderer:
    return Renderer(settings.timezone)


@pytest.fixture
def delivery(sessions, settings) -> Delivery:
    return Delivery(sessions, with_notifications(settings, DESKS), LogSender())


# ------------------------------------------------------------------ templates
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(renderer, kind, locale):
    data = sample_data(kind)
    rendered = renderer.render(kind, locale, "SR-20261123-0042", data)
    assert "SR-20261123-0042" in rendered.subject and "\n" not in rendered.subject
    assert "SR-20261123-0042" in rendered.body
    for key, value in data.items():
        if key not in ("clock", "level", "channel"):  # as words ("响应时限", "电话回访")
            assert value in rendered.body, key
    # Chinese is real Chinese, English has none
    assert bool(CJK.search(rendered.subject + rendered.body)) == (locale == "zh")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", ["complaint_opened", "complaint_overdue"])
def test_a_hotline_complaint_is_not_said_to_be_about_itself(renderer, kind, locale):
    number = "CP-20261202-000007"  # about no request: the notice's number is the complaint's
    data = sample_data(kind) | {"complaint": number, "rework": ""}
    rendered = renderer.render(kind, locale, number, data)
    text = rendered.subject + rendered.body
    assert number in rendered.subject and "<reason>" in rendered.body
    assert ("about" if locale == "en" else "关于") not in text
    assert rendered.subject.count(number) == 1


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("kind", "key"), [(kind, key) for kind, keys in DATA_KEYS.items() for key in keys]
)
def test_a_missing_data_key_is_an_error(renderer, kind, key, locale):
    data = sample_data(kind)
    del data[key]
    with pytest.raises(TemplateProblem, match=f"'{key}' is undefined"):
        renderer.render(kind, locale, "SR-1", data)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_templates_use_exactly_the_documented_keys(renderer, kind, locale):
    environment = renderer.environment
    used: set[str] = set()
    for name in (f"{kind}.{locale}.txt", f"_layout.{locale}.txt"):
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        used |= meta.find_undeclared_variables(environment.parse(source))
    assert used - {"number", "kind"} == set(DATA_KEYS[kind])


def test_no_template_without_a_kind():
    names = {path.name for path in TEMPLATES.iterdir() if not path.name.startswith("_")}
    emails = {f"{kind}.{locale}.txt" for kind in KINDS for locale in LOCALES}
    sms = {sms_template_name(kind, locale) for kind in SMS_KINDS for locale in LOCALES}
    assert set(KINDS) >= SMS_KINDS and names == emails | sms


def sms_keys(renderer, kind: str, locale: str) -> set[str]:
    source = (TEMPLATES / sms_template_name(kind, locale)).read_text(encoding="utf-8")
    return meta.find_undeclared_variables(renderer.environment.parse(source)) - {"number"}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(SMS_KINDS))
def test_every_sms_renders_in_both_languages_on_one_line(renderer, kind, locale):
    data = sample_data(kind) | {"reason": "nobody\nacknowledged"}
    text = renderer.render_sms(kind, locale, "SR-20261123-0042", data)
    assert "SR-20261123-0042" in text and "\n" not in text
    assert "nobody acknowledged" in text or "reason" not in DATA_KEYS[kind]
    for key in sms_keys(renderer, kind, locale) - {"clock", "level", "reason"}:
        assert data[key] in text, key
    assert bool(CJK.search(text)) == (locale == "zh")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(SMS_KINDS))
def test_an_sms_uses_only_its_kinds_keys_and_each_is_required(renderer, kind, locale):
    used = sms_keys(renderer, kind, locale)
    assert used <= set(DATA_KEYS[kind])
    for key in used:
        data = sample_data(kind)
        del data[key]
        with pytest.raises(TemplateProblem, match=f"'{key}' is undefined"):
            renderer.render_sms(kind, locale, "SR-1", data)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(SMS_KINDS))
def test_an_sms_is_short(renderer, kind, locale):
    """Its own words and the number leave room, in one segment (70 Chinese characters, 160
    Latin ones), for the 短信签名 and short values; links and addresses take a second."""
    data = {key: "" for key in DATA_KEYS[kind]} | {"clock": "resolution", "level": "2"}
    text = renderer.render_sms(kind, locale, "SR-20261123-000042", data)
    assert len(text) <= (56 if locale == "zh" else 110), text


def test_a_kind_without_an_sms_has_none(renderer):
    assert "revisit_due" not in SMS_KINDS
    with pytest.raises(TemplateProblem, match="no SMS"):
        renderer.render_sms("revisit_due", "zh", "SR-1", sample_data("revisit_due"))


def test_instants_are_shown_in_the_service_time_zone(renderer):
    data = {"response_due": "2026-11-23T01:30:00+00:00", "resolution_due": "tomorrow noon"}
    body = renderer.render("registered", "zh", "SR-1", data | {"status_url": "u"}).body
    assert "响应时限：2026-11-23 09:30" in body  # Asia/Shanghai
    assert "修复时限：tomorrow noon" in body  # not an instant: as given


def test_escalation_wording(renderer):
    ranked = renderer.render("escalation", "zh", "SR-1", sample_data("escalation"))
    assert ranked.subject == "【升级·第2级】服务单 SR-1 响应时限"
    assert "原因：nobody acknowledged" in ranked.body
    raised = renderer.render(
        "escalation", "en", "SR-1", sample_data("escalation") | {"level": "", "reason": ""}
    )
    assert raised.subject == "[Escalation] service request SR-1, response clock"
    assert "Reason" not in raised.body


def test_a_data_value_cannot_break_the_subject_line(renderer):
    data = sample_data("escalation") | {"clock": "response\r\nBcc: someone@evil.test"}
    subject = renderer.render("escalation", "en", "SR-1", data).subject
    assert "\n" not in subject and "\r" not in subject


def test_an_unknown_kind_is_an_error(renderer):
    with pytest.raises(TemplateProblem, match="no template"):
        renderer.render("fireworks", "zh", "SR-1", {})


def test_message_ids_are_valid_and_distinct_per_key():
    assert message_id("SR-1/escalation/response/1/1") == (
        "<SR-1=2Fescalation=2Fresponse=2F1=2F1@aftersales>"
    )
    assert message_id("SR-1 签字") == "<SR-1=20=E7=AD=BE=E5=AD=97@aftersales>"
    assert message_id("a/b") != message_id("a=2Fb")


# ------------------------------------------------------------------ recipients
def test_roles_resolve_to_addresses(sessions, delivery):
    request = notice(
        "assigned",
        ("customer", "assigned", "dispatcher", "supervisor", "customer"),
        customer_id="C001",
        engineer="E001",
    )
    assert delivery.deliver(request) == Status.SENT
    sent = row(sessions, request.key)
    assert sent.addresses == [
        C001_EMAIL,
        "E001@engineers.test",
        "dispatch@desk.test",
        "supervisor@desk.test",
    ]
    assert sent.skipped == {}


def test_the_customer_is_found_through_the_read_model(sessions, delivery):
    request = notice("loaner_issued", ("customer", "assigned"), engineer="")
    with transaction(sessions) as session:
        session.add(read_model_row(request.number, customer_id="C001", engineer_id="E002"))
    delivery.deliver(request)
    assert row(sessions, request.key).addresses == [C001_EMAIL, "E002@engineers.test"]


def test_recipients_without_an_address_are_skipped(sessions, delivery):
    request = notice(
        "escalation", ("manager", "customer", "assigned", "ghost", "revisit"), engineer=""
    )
    assert delivery.deliver(request) == Status.SENT  # the revisit desk still gets it
    sent = row(sessions, request.key)
    assert sent.addresses == ["revisit@desk.test"]
    assert sent.skipped == {
        "manager": "NOTIFY_MANAGER is empty",
        "customer": f"request {request.number} has no known customer",
        "assigned": f"request {request.number} has no engineer assigned",
        "ghost": "no such role 'ghost'",
    }


def test_a_notice_nobody_can_receive_is_skipped_not_retried(sessions, delivery, caplog):
    request = notice("escalation", ("manager",))
    with caplog.at_level(logging.INFO, logger="notifications"):
        assert delivery.deliver(request) == Status.SKIPPED
        assert delivery.deliver(request) == Status.SKIPPED
    skipped = row(sessions, request.key)
    assert skipped.status == "skipped" and skipped.attempts == 0
    assert not [r for r in caplog.records if r.name == "notifications.senders"]


def test_a_customer_without_email_is_skipped(sessions, delivery):
    customer = f"NTC-{uuid.uuid4().hex[:8]}"
    with transaction(sessions) as session:
        session.add(Customer(id=customer, name="x", region="qingdao", sla_profile="standard"))
    request = notice("signing_link", ("customer",), customer_id=customer)
    assert delivery.deliver(request) == Status.SKIPPED
    assert row(sessions, request.key).skipped == {
        "customer": f"customer {customer} has no email on file"
    }


def read_model_row(number: str, **fields: object) -> ServiceRequestRow:
    now = datetime.now(UTC)
    values = {
        "number": number,
        "workflow_id": f"service-request-{number}",
        "type": "repair",
        "stage": "diagnosing",
        "severity": 2,
        "region": "qingdao",
        "customer_id": "C001",
        "asset_serial": "SN-1001",
        "engineer_id": None,
        "sla_status": "on_track",
        "reported_at": now,
        "registered_at": now,
        "closed_at": None,
        "outcome": None,
        "version": 1,
        "updated_at": now,
    } | fields
    # A state the pages can read, as the recording activity writes it.
    state = registered_state(number=number, customer_id=values["customer_id"])
    return ServiceRequestRow(**values, state=state.model_dump(mode="json"))


# ------------------------------------------------------------------ the log sender, the activity
def test_the_log_sender_logs_each_message_once(sessions, settings, caplog):
    activities = NotificationActivities(sessions, with_notifications(settings, DESKS))
    request = notice("revisit_due", ("revisit",), locale="en", due="2026-12-01T02:00:00+00:00")
    with caplog.at_level(logging.INFO, logger="notifications.senders"):
        activities.queue_notification(request)
        activities.queue_notification(request)  # Temporal's retry: nothing more
    (line,) = [r.getMessage() for r in caplog.records if r.name == "notifications.senders"]
    assert line.startswith(
        f"notification revisit_due key={request.key} to=revisit@desk.test "
        f"subject=Revisit call due: service request {request.number}\n    | "
    )
    sent = row(sessions, request.key)
    assert (sent.status, sent.attempts, sent.locale) == ("sent", 1, "en")
    assert sent.sent_at is not None and sent.last_error is None
    assert "2026-12-01 10:00" in sent.body


def test_the_default_locale_is_chinese(sessions, delivery):
    request = notice("appointment", ("customer",), customer_id="C001")
    delivery.deliver(request)
    sent = row(sessions, request.key)
    assert sent.locale == "zh" and sent.subject == f"服务单 {request.number} 上门时间已确认"


def test_a_template_error_fails_the_row_and_does_not_raise(sessions, settings):
    activities = NotificationActivities(sessions, with_notifications(settings, DESKS), LogSender())
    request = notice("signing_link", ("dispatcher",))
    request.data.pop("url")
    activities.queue_notification(request)  # returns: retrying cannot fix the data
    failed = row(sessions, request.key)
    assert failed.status == "failed" and "'url' is undefined" in failed.last_error
    assert failed.subject is None and failed.attempts == 0


def test_the_first_request_under_a_key_wins(sessions, delivery):
    first = notice("escalation", ("dispatcher",))
    again = first.model_copy(update={"recipients": ["supervisor"], "data": {}})
    delivery.deliver(first)
    delivery.deliver(again)
    with sessions() as session:
        rows = list(session.scalars(select(Notification).where(Notification.key == first.key)))
    assert [r.addresses for r in rows] == [["dispatch@desk.test"]]


# ------------------------------------------------------------------ the outbox's claims
def pending(sessions, delivery) -> NotificationRequest:
    """A notice written to the outbox and left pending (as if its worker stopped there)."""
    request = notice("escalation", ("dispatcher",))
    with transaction(sessions) as session:
        outbox.add_new(session, delivery.compose(session, request))
    assert row(sessions, request.key).status == "pending"
    return request


def test_only_one_attempt_can_claim_a_message(sessions, delivery):
    key = pending(sessions, delivery).key
    now = utc_now()
    first = outbox.claim(sessions, key, "first", now, LEASE)
    assert first is not None and first.status == "sending" and first.attempts == 1
    assert outbox.claim(sessions, key, "second", now + LEASE / 2, LEASE) is None
    # the first sender died: after its lease the message is taken over
    taken = outbox.claim(sessions, key, "second", now + LEASE + timedelta(seconds=1), LEASE)
    assert taken is not None and taken.claimed_by == "second" and taken.attempts == 2
    # the first one, late, cannot mark it: its claim is gone
    assert not outbox.finish(sessions, key, "first", Status.SENT, now)
    assert outbox.finish(sessions, key, "second", Status.SENT, now)
    assert outbox.claim(sessions, key, "third", now + 10 * LEASE, LEASE) is None


def test_a_retry_within_the_lease_waits_for_its_end(sessions, settings, delivery):
    request = pending(sessions, delivery)
    claimed_at = utc_now()
    assert outbox.claim(sessions, request.key, "crashed", claimed_at, LEASE) is not None
    activities = NotificationActivities(
        sessions, with_notifications(settings, DESKS), LogSender(), clock=lambda: claimed_at
    )
    with pytest.raises(ApplicationError) as raised:
        activities.queue_notification(request)
    assert raised.value.type == "DeliveryInProgress" and not raised.value.non_retryable
    assert raised.value.next_retry_delay == LEASE
    assert row(sessions, request.key).status == "sending"


# ------------------------------------------------------------------ settings, migration
def test_settings_come_from_the_environment():
    env = {
        "NOTIFY_SENDER": "smtp",
        "NOTIFY_LOCALE": "en",
        "NOTIFY_MANAGER": "",
        "SMTP_HOST": "mail.example",
        "SMTP_PORT": "587",
        "SMTP_STARTTLS": "yes",
        "SMTP_USER": "bot",
        "SMTP_PASSWORD": "secret",
    }
    parsed = NotificationSettings.from_env(env)
    assert (parsed.sender, parsed.locale, parsed.manager) == ("smtp", "en", "")
    assert parsed.dispatcher == "dispatcher@aftersales.local"
    assert (parsed.smtp.host, parsed.smtp.port, parsed.smtp.starttls) == ("mail.example", 587, True)
    assert "secret" not in repr(parsed)
    assert NotificationSettings.from_env({}).sender == "log"
    with pytest.raises(ValueError, match="NOTIFY_SENDER"):
        NotificationSettings.from_env({"NOTIFY_SENDER": "pigeon"})
    with pytest.raises(ValueError, match="SMTP_STARTTLS"):
        NotificationSettings.from_env({"SMTP_STARTTLS": "maybe"})


def test_rows_queued_before_delivery_are_closed_by_the_migration(fresh):  # noqa: F811
    create_schema(fresh, "0001")
    at_0001 = table(
        "notifications",
        *(column(name) for name in ("key", "number", "kind")),
        *(column(name, JSON()) for name in ("recipients", "data")),
        *(column(name, UtcDateTime()) for name in ("created_at", "sent_at")),
    )
    queued = {"number": "SR-1", "kind": "escalation", "recipients": ["manager"], "data": {}}
    at = datetime(2026, 11, 1, tzinfo=UTC)
    with fresh.begin() as connection:
        connection.execute(
            insert(at_0001),
            [
                queued | {"key": "never", "created_at": at, "sent_at": None},
                queued | {"key": "sent", "created_at": at, "sent_at": at},
            ],
        )
    create_schema(fresh)
    migrated = session_factory(fresh)
    never, sent = row(migrated, "never"), row(migrated, "sent")
    assert (never.status, never.addresses, never.skipped, never.attempts) == ("skipped", [], {}, 0)
    assert "not sent" in never.last_error and never.locale == "zh"
    assert sent.status == "sent" and sent.last_error is None


def test_the_log_sender_prints_the_body_with_its_links(caplog):
    """On `make run` the signing link is found in the log, not only in the database."""
    message = OutgoingMessage(
        key="SR-1/signing/x",
        kind="signing_link",
        number="SR-1",
        to=("customer@example.test",),
        subject="请签字",
        body="请打开以下链接：\nhttp://127.0.0.1:8000/sign/abc.def\n",
    )
    with caplog.at_level("INFO", logger="notifications.senders"):
        assert LogSender().send(message) == {}
    assert "http://127.0.0.1:8000/sign/abc.def" in caplog.text and "请签字" in caplog.text

"""The customer's status page (`/status/{token}`): the link in the registration notice shows the
request and escalates it (002: "C-1 may be escalated by the user") without an API key, once
per level, never after close; over real HTTP on the dev server."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from db.tables import Notification
from models.lifecycle import Role
from signing.status_links import VALID_FOR, read_status, status_token
from signing.tokens import ExpiredToken, InvalidToken, SigningClaim, read, token_for
from tests.test_api import problem, register
from tests.test_quote_page import refused
from tests.workflow_helpers import eventually

SECRET = "a-test-secret"
NOW = datetime(2026, 12, 3, 14, 20, tzinfo=UTC)


def test_a_status_token_names_its_request_until_it_expires():
    token = status_token(SECRET, "R-2026-000042", NOW)
    claim = read_status(SECRET, token, NOW)
    assert claim.number == "R-2026-000042"
    assert claim.expires_at == datetime(2026, 12, 3, tzinfo=UTC) + VALID_FOR
    # composed again later that day (a retried notice): the same link
    assert status_token(SECRET, "R-2026-000042", NOW + timedelta(hours=9)) == token
    assert read_status(SECRET, token, claim.expires_at - timedelta(seconds=1)) == claim
    with pytest.raises(ExpiredToken):
        read_status(SECRET, token, claim.expires_at)


def test_status_and_signing_tokens_are_never_taken_for_each_other():
    status = status_token(SECRET, "R-2026-000042", NOW)
    with pytest.raises(InvalidToken):
        read(SECRET, status, NOW)  # what the signing and quote pages check first
    signing = token_for(SECRET, SigningClaim("R-2026-000042", NOW + VALID_FOR, "status"))
    with pytest.raises(InvalidToken):
        read_status(SECRET, signing, NOW)
    with pytest.raises(InvalidToken):
        read_status("another-secret", status, NOW)
    encoded, mac = status.split(".")
    altered = encoded.replace(encoded[3], "A" if encoded[3] != "A" else "B", 1)
    with pytest.raises(InvalidToken):
        read_status(SECRET, f"{altered}.{mac}", NOW)


def registration_notice(sessions, number: str) -> tuple[str, str] | None:
    with sessions() as session:
        rows = session.scalars(
            select(Notification).where(
                Notification.number == number, Notification.kind == "registered"
            )
        ).all()
    by_channel = {row.channel: row.body or "" for row in rows}
    return (by_channel["email"], by_channel["sms"]) if len(by_channel) == 2 else None


async def status_path(as_role, sessions, **fields: object) -> tuple[str, str]:
    """A new request (severity 1: its notice is not held for the quiet calendar), and the path
    of the status link its registration notice gave the customer, by email and by SMS."""
    number = await register(as_role, severity=1, **fields)
    email, sms = await eventually(lambda: registration_notice(sessions, number))
    urls = {re.search(r"https?://\S+/status/\S+", text).group(0) for text in (email, sms)}
    assert len(urls) == 1, urls  # the same link in both
    return number, urlsplit(urls.pop()).path


async def escalate(http, path: str, reason: str, nonce: str | None = None):
    body = {"reason": reason, "nonce": nonce or uuid.uuid4().hex}
    return await http.post(f"{path}/escalate", json=body)


async def test_the_customer_follows_and_escalates_through_the_link(http, as_role, sessions):
    number, path = await status_path(as_role, sessions)
    shown = await http.get(path)  # no key at all
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    for text in (number, "已登记 Registered", "SN-1001", "camera 3 shows a black picture"):
        assert text in shown.text, text
    assert "响应 Response" in shown.text and "要求升级 Escalate" in shown.text
    assert not any(f'{attr}="http' in shown.text for attr in ("src", "href"))

    nonce = uuid.uuid4().hex
    first = await escalate(http, path, "电话打不通 nobody answers the phone", nonce)
    assert first.status_code == 200, first.text
    assert first.json() == {"number": number, "level": 1, "notified": ["supervisor"]}
    # a double tap: the same escalation, once
    again = await escalate(http, path, "电话打不通 nobody answers the phone", nonce)
    assert again.json() == first.json()

    state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert [(e["level"], e["reason"]) for e in state["customer_escalations"]] == [
        (1, "电话打不通 nobody answers the phone")
    ]
    timeline = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    (event,) = [e for e in timeline.json() if e["kind"] == "customer_escalated"]
    assert event["by"]["via"] == "status_link" and event["by"]["customer_id"] == "C001"
    assert event["by"]["name"] == "王强"  # the contact person, not "customer"

    confirmed = await http.get(f"{path}?escalated=1")
    assert "已收到您的升级要求，已通知主管 Supervisor" in confirmed.text
    assert "电话打不通" in confirmed.text

    second = await escalate(http, path, "still nothing")
    assert second.json()["notified"] == ["manager"]
    last = await http.get(path)
    assert "已升级到最高级别" in last.text and "要求升级 Escalate" not in last.text
    beyond = problem(await escalate(http, path, "and again"), 409)
    assert "already escalated to the last level" in beyond["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "   ", "nonce": "0" * 32},
        {"nonce": "0" * 32},
        {"reason": "x", "nonce": "not-a-nonce"},
        {"reason": "x", "nonce": "0" * 32, "level": 3},
    ],
)
async def test_bad_input_is_refused_and_escalates_nothing(http, as_role, sessions, body):
    number, path = await status_path(as_role, sessions)
    problem(await http.post(f"{path}/escalate", json=body), 422)
    state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert state["customer_escalations"] == []


async def test_links_that_are_not_its_own_are_refused(http, as_role, sessions, settings):
    number, path = await status_path(as_role, sessions)
    token = path.rsplit("/", 1)[1]
    refused(await http.get(f"/sign/{token}"), 404, "链接无效")  # not a signing link
    refused(await http.get(f"/quote/{token}"), 404, "链接无效")
    refused(await http.get(f"/status/{token[:-2]}xx"), 404, "链接无效", "not valid")
    problem(await escalate(http, f"/status/{token[:-2]}xx", "x"), 404)
    old = status_token(settings.signing_secret, number, datetime.now(UTC) - VALID_FOR * 2)
    refused(await http.get(f"/status/{old}"), 410, "已过期", "expired")
    problem(await escalate(http, f"/status/{old}", "x"), 410)
    for gone in ("SR-20001231-999999", "R-1"):  # never registered, or not even a number
        token = status_token(settings.signing_secret, gone, datetime.now(UTC))
        refused(await http.get(f"/status/{token}"), 404, "链接无效")


async def test_a_finished_request_shows_and_refuses_escalation(http, as_role, sessions):
    number, path = await status_path(as_role, sessions)
    for role, action, body in (
        (Role.SUPPORT, "acknowledge", {}),
        (Role.SUPPORT, "diagnose", {"outcome": "resolved_remotely", "notes": "重启 restarted"}),
        (Role.CUSTOMER, "sign", {"signer": "王", "typed_name": "王", "quality": 5, "attitude": 5}),
    ):
        r = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=body)
        assert r.status_code == 200, r.text
    shown = await http.get(path)
    assert shown.status_code == 200
    assert "回访中 Following up" in shown.text and "服务单已结束" in shown.text
    assert "要求升级 Escalate" not in shown.text
    late = problem(await escalate(http, path, "too late"), 409)
    assert "cannot escalate while the request is 'following_up'" in late["detail"]

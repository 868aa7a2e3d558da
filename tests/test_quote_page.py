"""The customer's quote-approval page (`/quote/{token}`): one-time, expiring, signed links that
approve or decline a chargeable repair's quote without an API key, over real HTTP on the dev
server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from api.quote_page import QuoteDecision
from db.session import transaction
from db.tables import Notification, SigningLink
from models.lifecycle import Role
from signing.tokens import SigningClaim, token_for
from tests.test_api import QUOTE, intake_body
from tests.test_signing import auth
from tests.workflow_helpers import eventually

PROBLEM_JSON = "application/problem+json"


async def awaiting_approval(http, api_keys) -> tuple[str, str]:
    """A chargeable request (SN-1003 of C003 is out of warranty) waiting for the customer's
    decision on its quote, and the path of its quote page."""
    # Severity 1 is told at any hour: a lower one's link would wait for the quiet calendar.
    body = intake_body(
        customer_id="C003",
        asset_serial="SN-1003",
        fault_code="HUM",
        severity=1,
        contact={"name": "王强", "phone": "+86 531 8000 1003"},
    )
    r = await http.post("/v1/service-requests", json=body, headers=auth(api_keys, Role.INTAKE))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    for action, payload in (
        ("acknowledge", {}),
        (
            "diagnose",
            {"outcome": "needs_onsite", "notes": "功放板烧坏 mixer board burnt", "quote": QUOTE},
        ),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}",
            json=payload,
            headers=auth(api_keys, Role.SUPPORT),
        )
        assert r.status_code == 200, r.text
    state = await staff_view(http, api_keys, number)
    assert state["stage"] == "awaiting_approval"
    url = state["quote_url"]
    assert url and "/quote/" in url
    return number, urlsplit(url).path


async def staff_view(http, api_keys, number: str) -> dict:
    r = await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR))
    assert r.status_code == 200, r.text
    return r.json()


def refused(response, status: int, *words: str) -> None:
    """A refusal the customer understands: the status, and a page (or problem) saying why."""
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    for word in words:
        assert word in response.text, (word, response.text)


def stored_link(sessions, number: str, purpose: str, expires_at: datetime, settings) -> str:
    """A link issued like the workflow's (a row and a token): the test's way to make the links
    the workflow would not (expired, or of the other purpose)."""
    claim = SigningClaim(number, expires_at, f"test-{uuid.uuid4()}")
    with transaction(sessions) as session:
        session.add(
            SigningLink(nonce=claim.nonce, number=number, expires_at=expires_at, purpose=purpose)
        )
    return token_for(settings.signing_secret, claim)


async def test_the_customer_approves_through_the_link(http, api_keys, sessions, settings):
    number, page = await awaiting_approval(http, api_keys)

    shown = await http.get(page)  # no key at all
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    for text in (number, "功放板烧坏", "配件 Part", "mixer board", "1,200.00", "差旅 Travel"):
        assert text in shown.text, text
    assert "Jinan city" in shown.text and "CNY 1,280.00" in shown.text
    assert "同意 Approve" in shown.text and "拒绝 Decline" in shown.text
    assert "<textarea" in shown.text
    # nothing loaded from elsewhere: no external script, style, image or font
    assert not any(f'{attr}="http' in shown.text for attr in ("src", "href"))

    r = await http.post(page, json={"decision": "approve"})
    assert r.status_code == 200, r.text
    assert r.json() == {"number": number, "stage": "awaiting_dispatch"}
    state = await staff_view(http, api_keys, number)
    assert state["stage"] == "awaiting_dispatch" and state["quote_url"] is None
    assert state["quote"]["status"] == "approved"

    async def approval() -> dict | None:
        r = await http.get(
            f"/v1/service-requests/{number}/timeline", headers=auth(api_keys, Role.SUPERVISOR)
        )
        moves = [e for e in r.json() if e["kind"] == "stage_changed"]
        return next((e for e in moves if e["data"]["from"] == "awaiting_approval"), None)

    event = await eventually(approval)
    assert event["data"]["to"] == "awaiting_dispatch" and event["actor"] == "王强"
    assert event["by"]["via"] == "quote_link" and event["by"]["customer_id"] == "C003"
    assert event["by"]["role"] == "customer"

    # one-time: the page says it was answered, and when (in the service's time zone)
    with sessions() as session:
        link = session.scalars(
            select(SigningLink).where(SigningLink.number == number, SigningLink.purpose == "quote")
        ).one()
    assert link.used_at is not None
    again = await http.get(page)
    local = link.used_at.astimezone(ZoneInfo(settings.timezone))
    refused(again, 410, "已答复", "谢谢", f"{local:%Y-%m-%d %H:%M}")
    assert f"{link.used_at:%Y-%m-%d %H:%M}" not in again.text  # not UTC
    twice = await http.post(page, json={"decision": "decline"})
    refused(twice, 410, "Thank you")
    assert twice.headers["content-type"].startswith(PROBLEM_JSON)
    assert (await staff_view(http, api_keys, number))["stage"] == "awaiting_dispatch"

    def notice() -> Notification | None:
        with sessions() as session:
            return session.scalars(
                select(Notification).where(
                    Notification.number == number,
                    Notification.kind == "quote_link",
                    Notification.channel == "email",
                )
            ).one_or_none()

    told = await eventually(notice)
    assert told.recipients == ["customer"] and told.data["url"].endswith(page)
    assert page in (told.body or "")


async def test_the_customer_declines_with_a_reason(http, api_keys):
    number, page = await awaiting_approval(http, api_keys)
    r = await http.post(page, json={"decision": "decline", "reason": "太贵了 too expensive"})
    assert r.status_code == 200, r.text
    assert r.json() == {"number": number, "stage": "following_up"}
    state = await staff_view(http, api_keys, number)
    # closed, and perhaps already on to the post-close revisit
    assert state["stage"] in ("closed", "following_up") and state["outcome"] == "declined"
    assert state["quote"]["status"] == "declined"
    assert state["quote"]["decline_reason"] == "太贵了 too expensive"


async def test_bad_links_and_bodies_are_refused_clearly(http, api_keys, sessions, settings):
    number, page = await awaiting_approval(http, api_keys)
    token = page.removeprefix("/quote/")

    refused(await http.get(f"/quote/{token[:-4]}AAAA"), 404, "链接无效", "Invalid link")
    forged = await http.post(f"/quote/{token[:-4]}AAAA", json={"decision": "approve"})
    refused(forged, 404, "not valid")
    assert forged.headers["content-type"].startswith(PROBLEM_JSON)
    refused(await http.get("/quote/garbage"), 404, "链接无效")

    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = stored_link(sessions, number, "quote", past, settings)
    refused(await http.get(f"/quote/{expired}"), 410, "过期", "expired")
    refused(await http.post(f"/quote/{expired}", json={"decision": "approve"}), 410, "expired")

    # each link opens its own page only: a signing link here, the quote link at /sign/
    future = datetime.now(UTC) + timedelta(days=1)
    signing = stored_link(sessions, number, "sign", future, settings)
    refused(await http.get(f"/quote/{signing}"), 404, "链接无效")
    refused(await http.get(f"/sign/{token}"), 404, "链接无效")

    for body in (
        {"decision": "maybe"},
        {"decision": "approve", "total": "1"},  # extra fields are refused
        {"decision": "approve", "reason": "why not"},  # a reason is for declining
        {},
    ):
        r = await http.post(page, json=body)
        assert r.status_code == 422, (body, r.text)
    # none of that used the link or decided anything
    assert (await http.get(page)).status_code == 200
    assert (await staff_view(http, api_keys, number))["stage"] == "awaiting_approval"

    # the request moves on without the customer (cancelled at the hotline): the link is stale
    r = await http.post(
        f"/v1/service-requests/{number}/cancel",
        json={"reason": "customer called: will buy a new one"},
        headers=auth(api_keys, Role.INTAKE),
    )
    assert r.status_code == 200, r.text
    refused(await http.get(page), 410, "失效", "moved on")
    stale = await http.post(page, json={"decision": "approve"})
    refused(stale, 410, "moved on")
    assert (await staff_view(http, api_keys, number))["stage"] == "cancelled"


async def test_a_newer_quote_replaces_the_link(http, api_keys, person_keys):
    """Approved at the hotline, the engineer on site finds more to do and quotes again: the
    first link (never used) no longer answers, the new one does, and sends them back to work."""
    number, first = await awaiting_approval(http, api_keys)
    # SN-1003 is audio equipment in Jinan: E003 has the skill and the region.
    engineer = {"Authorization": f"Bearer {person_keys['E003']}"}
    for action, headers, body in (
        ("approve-quote", auth(api_keys, Role.INTAKE), {}),
        ("assign", auth(api_keys, Role.DISPATCHER), {"engineer_id": "E003"}),
        ("check-in", engineer, {}),
        (
            "quote",
            engineer,
            {"lines": [{"kind": "labour", "description": "2 h", "amount": "300"}]},
        ),
    ):
        r = await http.post(f"/v1/service-requests/{number}/{action}", json=body, headers=headers)
        assert r.status_code == 200, (action, r.text)
    second = urlsplit(r.json()["quote_url"]).path
    assert second != first
    refused(await http.get(first), 410, "失效", "newer quote")
    shown = await http.get(second)
    assert shown.status_code == 200 and "人工 Labour" in shown.text and "CNY 300.00" in shown.text
    assert "1,200.00" not in shown.text  # the first quote is gone
    r = await http.post(second, json={"decision": "decline", "reason": ""})  # empty: no reason
    assert r.status_code == 200 and r.json()["stage"] == "following_up", r.text
    quote = (await staff_view(http, api_keys, number))["quote"]
    assert quote["status"] == "declined" and quote["decline_reason"] is None


@pytest.mark.parametrize(
    ("sent", "reason"), [(None, None), ("", None), ("  \n", None), (" 太贵 ", "太贵")]
)
def test_an_empty_reason_is_no_reason(sent, reason):
    assert QuoteDecision.model_validate({"decision": "decline", "reason": sent}).reason == reason
    with pytest.raises(ValidationError):
        QuoteDecision.model_validate({"decision": "decline", "reason": sent, "extra": 1})

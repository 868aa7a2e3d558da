"""The customer signing page: one-time, expiring, signed links; the signed report bound by its
SHA-256 to the signature; tampering detected."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from config import Settings
from db.tables import SignedReport
from models.lifecycle import Role
from signing.tokens import SigningClaim, token_for
from tests.test_api import FIXED, PNG, intake_body


def auth(api_keys, role):
    return {"Authorization": f"Bearer {api_keys[role]}"}


async def awaiting_signature(http, api_keys) -> tuple[str, str]:
    """A request waiting for the customer's signature, and its signing page's path."""
    r = await http.post(
        "/v1/service-requests", json=intake_body(), headers=auth(api_keys, Role.INTAKE)
    )
    number = r.json()["number"]
    for action, role, body in (
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "x"}),
        ("assign", Role.DISPATCHER, {"engineer_id": "E001"}),
        ("check-in", Role.ENGINEER, {}),
        ("report-repair", Role.ENGINEER, FIXED),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, r.text
    url = r.json()["signing_url"]
    assert url and "/sign/" in url
    return number, urlsplit(url).path


SIGNATURE = {
    "signer": "王强",
    "signature_png": f"data:image/png;base64,{PNG}",
    "quality": 5,
    "attitude": 4,
}


async def test_sign_through_the_page_and_verify(http, api_keys, sessions):
    number, page = await awaiting_signature(http, api_keys)
    shown = await http.get(page)
    assert shown.status_code == 200 and number in shown.text and "canvas" in shown.text
    r = await http.post(page, json=SIGNATURE)
    assert r.status_code == 200, r.text
    state = (
        await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR))
    ).json()
    assert state["stage"] in ("closed", "following_up") and state["signing_url"] is None
    assert state["signature"]["signer"] == "王强" and len(state["signature"]["report_sha256"]) == 64
    again = await http.get(page)
    assert again.status_code == 410 and "已签字" in again.text  # one-time
    assert (await http.post(page, json=SIGNATURE)).status_code == 410
    check = (
        await http.get(
            f"/v1/service-requests/{number}/signature", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    assert check["intact"] is True and check["report_sha256"] == state["signature"]["report_sha256"]

    with sessions.begin() as session:  # someone edits the stored report afterwards
        session.execute(
            update(SignedReport)
            .where(SignedReport.number == number)
            .values(html=SignedReport.html + "<!-- amended -->")
        )
    check = (
        await http.get(
            f"/v1/service-requests/{number}/signature", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    assert check["stored_report_intact"] is False and check["intact"] is False
    with sessions.begin() as session:  # … and re-hashes it to cover the edit
        row = session.get(SignedReport, number)

        row.sha256 = hashlib.sha256(row.html.encode()).hexdigest()
    check = (
        await http.get(
            f"/v1/service-requests/{number}/signature", headers=auth(api_keys, Role.SUPERVISOR)
        )
    ).json()
    assert check["stored_report_intact"] is True and check["matches_workflow_record"] is False
    assert check["intact"] is False


async def test_forged_expired_and_replaced_links_get_a_clear_page(http, api_keys):
    number, page = await awaiting_signature(http, api_keys)
    token = page.removeprefix("/sign/")
    forged = await http.get(f"/sign/{token[:-4]}AAAA")
    assert (
        forged.status_code == 404 and "链接无效" in forged.text and "Traceback" not in forged.text
    )
    assert (await http.get("/sign/garbage")).status_code == 404
    secret = Settings.from_env().signing_secret
    old = SigningClaim(number, datetime.now(UTC) - timedelta(minutes=1), "expired-nonce")
    expired = await http.get(f"/sign/{token_for(secret, old)}")
    assert expired.status_code == 410 and "过期" in expired.text
    bad = await http.post(page, json=SIGNATURE | {"quality": 9})
    assert bad.status_code == 422
    # a supervisor sends the work back: the old link no longer signs
    r = await http.post(
        f"/v1/service-requests/{number}/rework",
        json={"reason": "again"},
        headers=auth(api_keys, Role.SUPERVISOR),
    )
    assert r.status_code == 200
    replaced = await http.get(page)
    assert replaced.status_code == 410 and "失效" in replaced.text

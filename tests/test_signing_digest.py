"""Every signature binds the report: a typed name sent with the customer's key binds the
SHA-256 of the report as rendered at that moment, exactly like the signing page, the report is
stored exactly as hashed, and a retry never stores twice or fails."""

from __future__ import annotations

import hashlib

import pytest

import api.signing
import gateway
from db.tables import SignedReport
from models.errors import Conflict
from models.lifecycle import Role
from tests.test_api import SIGNED
from tests.test_signing import auth, awaiting_signature


def stored(sessions, number) -> SignedReport | None:
    with sessions() as session:
        return session.get(SignedReport, number)


async def sign(http, api_keys, number, body=SIGNED, key=None):
    headers = auth(api_keys, Role.CUSTOMER) | ({"Idempotency-Key": key} if key else {})
    return await http.post(f"/v1/service-requests/{number}/sign", json=body, headers=headers)


async def check(http, api_keys, number):
    r = await http.get(
        f"/v1/service-requests/{number}/signature", headers=auth(api_keys, Role.SUPERVISOR)
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_typed_signature_through_the_api_binds_the_report(http, api_keys, sessions):
    number, _ = await awaiting_signature(http, api_keys)
    forged = "0" * 64  # a client cannot choose the digest: the server renders and hashes
    r = await sign(http, api_keys, number, SIGNED | {"comment": "好", "report_sha256": forged})
    assert r.status_code == 200, r.text
    signature = r.json()["signature"]
    digest = signature["report_sha256"]
    assert digest and digest != forged and len(digest) == 64
    row = stored(sessions, number)
    assert row is not None and row.sha256 == digest
    assert hashlib.sha256(row.html.encode()).hexdigest() == digest  # exactly the stored HTML
    # the stored report is the report as signed: signer, typed name, ratings, channel
    for text in ("王强", "键入姓名 Typed name", "5 / 5", "4 / 5", "客户密钥 customer key"):
        assert text in row.html, text
    assert row.signature_png is None and row.signer == "王强"
    verdict = await check(http, api_keys, number)
    assert verdict["intact"] is True and verdict["report_sha256"] == digest
    assert verdict["signed_at"].startswith(signature["signed_at"][:19])


async def test_a_retry_with_the_same_key_stores_once(http, api_keys, sessions):
    number, _ = await awaiting_signature(http, api_keys)
    first = await sign(http, api_keys, number, key="SIGN-1")
    assert first.status_code == 200, first.text
    row = stored(sessions, number)
    again = await sign(http, api_keys, number, key="SIGN-1")
    assert again.status_code == 200, again.text
    assert again.json()["signature"] == first.json()["signature"]
    after = stored(sessions, number)
    assert (after.html, after.sha256, after.signed_at) == (row.html, row.sha256, row.signed_at)
    other = await sign(http, api_keys, number, key="SIGN-2")  # a second signature: refused
    assert other.status_code == 409, other.text
    assert stored(sessions, number).sha256 == row.sha256
    assert (await check(http, api_keys, number))["intact"] is True


async def test_a_retry_after_a_lost_answer_completes_the_record(
    http, api_keys, sessions, monkeypatch
):
    """The workflow took the signature but the API failed before it finished the record (the
    client saw an error): the retry finds the copy written ahead and completes it."""
    number, _ = await awaiting_signature(http, api_keys)

    def crash(*args, **kwargs):
        raise RuntimeError("the API process died here")

    with monkeypatch.context() as patch:
        patch.setattr(api.signing, "_complete", crash)
        lost = await sign(http, api_keys, number, key="SIGN-LOST")
    assert lost.status_code == 500
    retried = await sign(http, api_keys, number, key="SIGN-LOST")
    assert retried.status_code == 200, retried.text
    verdict = await check(http, api_keys, number)
    assert verdict["intact"] is True
    assert verdict["report_sha256"] == retried.json()["signature"]["report_sha256"]


async def test_a_signature_the_workflow_refuses_leaves_no_report(
    http, api_keys, sessions, monkeypatch
):
    number, _ = await awaiting_signature(http, api_keys)

    async def refused(*args, **kwargs):
        raise Conflict("service request is not awaiting a signature")

    with monkeypatch.context() as patch:
        patch.setattr(gateway, "act", refused)
        r = await sign(http, api_keys, number)
    assert r.status_code == 409
    assert stored(sessions, number) is None
    r = await sign(http, api_keys, number)  # the real one later
    assert r.status_code == 200 and (await check(http, api_keys, number))["intact"] is True


@pytest.mark.parametrize("typed", [True, False])
async def test_the_page_and_the_api_store_the_same_kind_of_record(http, api_keys, sessions, typed):
    """One piece of code for both: the signing page's copy is bound the same way."""
    from tests.test_signing import SIGNATURE

    number, page = await awaiting_signature(http, api_keys)
    if typed:
        r = await sign(http, api_keys, number)
    else:
        r = await http.post(page, json=SIGNATURE)
    assert r.status_code == 200, r.text
    row = stored(sessions, number)
    assert hashlib.sha256(row.html.encode()).hexdigest() == row.sha256
    assert (await check(http, api_keys, number))["intact"] is True
    assert ("<img src=" in row.html) is (not typed)

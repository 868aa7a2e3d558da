"""The pages around the signature: the thank-you page, the signed PDF behind the link (no key),
and times in the service's time zone, never UTC."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import update

from config import Settings
from db.tables import SignedReport
from models.lifecycle import Role
from signing.tokens import SigningClaim, read, token_for
from tests.test_api import SIGNED
from tests.test_report_signature import scribble_png
from tests.test_signing import SIGNATURE, auth, awaiting_signature

ZONE = ZoneInfo(Settings.from_env().timezone)
LOCAL = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+08:00\)")


def local(instant: str) -> str:
    at = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZONE)
    return f"{at:%Y-%m-%d %H:%M} (UTC+08:00)"


async def staff_state(http, api_keys, number):
    r = await http.get(f"/v1/service-requests/{number}", headers=auth(api_keys, Role.SUPERVISOR))
    return r.json()


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


async def test_after_signing_the_customer_is_thanked_and_gets_the_signed_pdf(http, api_keys):
    number, page = await awaiting_signature(http, api_keys)
    shown = await http.get(page)
    assert "UTC+08:00" in shown.text and LOCAL.search(shown.text)  # "valid until …", local
    before = await http.get(f"{page}/report.pdf")
    assert before.status_code == 404 and "尚未签字" in before.text
    r = await http.post(page, json=SIGNATURE | {"signature_png": scribble_png()})
    assert r.status_code == 200, r.text
    signed_at = (await staff_state(http, api_keys, number))["signature"]["signed_at"]

    thanks = await http.get(f"{page}/signed")
    assert thanks.status_code == 200, thanks.text
    assert "谢谢！已签字确认 Thank you — signed" in thanks.text
    assert "已签字 Already signed" not in thanks.text
    assert local(signed_at) in thanks.text and "王强" in thanks.text
    assert 'href="report.pdf" download' in thanks.text

    again = await http.get(page)  # the link is used: "already signed", with the PDF
    assert again.status_code == 410 and "已签字" in again.text
    token = page.removeprefix("/sign/")
    assert f'href="{token}/report.pdf" download' in again.text
    assert LOCAL.search(again.text) and " UTC" not in again.text.replace("(UTC+08:00)", "")

    pdf = await http.get(f"{page}/report.pdf")  # no key: the link is the credential
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    text, images = pdf_text(pdf.content)
    assert number in text and "王强" in text and images >= 1  # the drawn signature


async def test_the_signed_pdf_is_only_for_a_genuine_unexpired_link(http, api_keys, sessions):
    number, page = await awaiting_signature(http, api_keys)
    other, _ = await awaiting_signature(http, api_keys)
    assert (await http.post(page, json=SIGNATURE)).status_code == 200
    token = page.removeprefix("/sign/")
    secret = Settings.from_env().signing_secret
    claim = read(secret, token, datetime.now(UTC))

    forged = await http.get(f"/sign/{token[:-4]}AAAA/report.pdf")
    assert forged.status_code == 404 and "链接无效" in forged.text
    expired = token_for(secret, SigningClaim(number, datetime.now(UTC) - timedelta(1), claim.nonce))
    r = await http.get(f"/sign/{expired}/report.pdf")
    assert (
        r.status_code == 410
        and "过期" in r.text
        and r.headers["content-type"].startswith("text/html")
    )
    # the nonce of this request's link under another request's number: not that request's link
    crossed = token_for(secret, SigningClaim(other, claim.expires_at, claim.nonce))
    assert (await http.get(f"/sign/{crossed}/report.pdf")).status_code == 404
    assert (await http.get(f"/sign/{expired}/signed")).status_code == 410

    with sessions.begin() as session:  # the stored report was altered: never handed out
        session.execute(
            update(SignedReport)
            .where(SignedReport.number == number)
            .values(html=SignedReport.html + "<!-- amended -->")
        )
    r = await http.get(f"{page}/report.pdf")
    assert r.status_code == 409 and r.headers["content-type"].startswith("text/html")


async def test_signed_with_the_key_the_unused_link_says_signed_and_offers_the_pdf(http, api_keys):
    number, page = await awaiting_signature(http, api_keys)
    r = await http.post(
        f"/v1/service-requests/{number}/sign", json=SIGNED, headers=auth(api_keys, Role.CUSTOMER)
    )
    assert r.status_code == 200, r.text
    shown = await http.get(page)
    assert shown.status_code == 410 and "已签字" in shown.text
    assert local(r.json()["signature"]["signed_at"]) in shown.text
    pdf = await http.get(f"{page}/report.pdf")  # used or not, a genuine link of the request
    assert pdf.status_code == 200 and "王强" in pdf_text(pdf.content)[0]
    thanks = await http.get(f"{page}/signed")
    assert thanks.status_code == 200 and "谢谢" in thanks.text


async def test_the_thank_you_page_before_signing_points_back(http, api_keys):
    _, page = await awaiting_signature(http, api_keys)
    r = await http.get(f"{page}/signed")
    assert r.status_code == 409 and "尚未签字" in r.text
    token = page.removeprefix("/sign/")
    assert f'href="../{token}"' in r.text

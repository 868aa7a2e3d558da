"""What the customer reads on the service report: the drawn signature itself (HTML and PDF),
labels instead of codes, a close without signature explained, and a browser without a key
told where its report is."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from html import unescape
from html.parser import HTMLParser

from PIL import Image, ImageDraw
from pypdf import PdfReader

from models.lifecycle import Role
from tests.test_api import QUOTE
from tests.test_signing import auth, awaiting_signature


def scribble_png() -> str:
    """A visible drawn signature, as the signing page's canvas sends it."""
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(10, 70), (60, 20), (110, 80), (160, 25), (210, 75), (290, 40)], fill="black", width=5
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


DRAWN = {"signer": "王强", "quality": 5, "attitude": 4, "comment": "很好"}


def report_images(html: str) -> list[str]:
    return re.findall(r'<img src="(data:image/png;base64,[^"]+)"', html)


class _Text(HTMLParser):
    """The text a reader sees (no markup, no style sheet)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


async def report(http, api_keys, number, kind="html"):
    r = await http.get(
        f"/v1/service-requests/{number}/report.{kind}", headers=auth(api_keys, Role.SUPERVISOR)
    )
    assert r.status_code == 200, r.text
    return r


async def test_a_signature_drawn_with_the_customer_key_is_on_the_report(http, api_keys):
    number, _ = await awaiting_signature(http, api_keys)
    png = scribble_png()
    r = await http.post(
        f"/v1/service-requests/{number}/sign",
        json=DRAWN | {"signature_png": png},
        headers=auth(api_keys, Role.CUSTOMER),
    )
    assert r.status_code == 200, r.text
    assert "signature_png" not in r.text  # the image stays out of the workflow's state
    html = (await report(http, api_keys, number)).text
    images = report_images(html)
    assert images and base64.b64decode(images[0].split(",", 1)[1]) == base64.b64decode(
        png.split(",", 1)[1]
    )
    pdf = PdfReader(io.BytesIO((await report(http, api_keys, number, "pdf")).content))
    assert sum(len(page.images) for page in pdf.pages) >= 1  # the image is printed too


async def test_a_drawn_signature_enters_history_as_its_digest_only(http, api_keys, dev_client):
    number, _ = await awaiting_signature(http, api_keys)
    png = scribble_png()
    customer = auth(api_keys, Role.CUSTOMER)
    r = await http.post(
        f"/v1/service-requests/{number}/sign", json=DRAWN | {"signature_png": png}, headers=customer
    )
    assert r.status_code == 200, r.text
    image = base64.b64decode(png.split(",", 1)[1])
    digest = hashlib.sha256(image).hexdigest()
    assert r.json()["signature"]["image_sha256"] == digest
    history = await dev_client.get_workflow_handle(f"service-request-{number}").fetch_history()
    recorded = b"".join(event.SerializeToString() for event in history.events)
    assert png.split(",", 1)[1][:64].encode() not in recorded  # not the image, anywhere
    assert digest.encode() in recorded
    # The report still shows the image: it was stored with the signed report.
    assert len(report_images((await report(http, api_keys, number)).text)) == 1
    # A client cannot claim a drawn signature by its digest alone.
    claimed = DRAWN | {"signature_sha256": digest}
    r = await http.post(f"/v1/service-requests/{number}/sign", json=claimed, headers=customer)
    assert r.status_code == 422 and "signature_sha256" in r.text, r.text


async def test_a_signature_drawn_on_the_page_is_on_the_report(http, api_keys):
    number, page = await awaiting_signature(http, api_keys)
    png = scribble_png()
    r = await http.post(page, json=DRAWN | {"signature_png": png})
    assert r.status_code == 200, r.text
    assert len(report_images((await report(http, api_keys, number)).text)) == 1
    pdf = PdfReader(io.BytesIO((await report(http, api_keys, number, "pdf")).content))
    assert sum(len(page.images) for page in pdf.pages) >= 1


#: Codes a customer must never read on the report.
RAW = {
    "in_warranty",
    "out_of_warranty",
    "fixed",
    "replaced",
    "part",
    "labour",
    "travel",
    "running",
    "met",
    "breached",
    "not_started",
    "cancelled",
    "phone",
    "repair",
    "approved",
    "needs_onsite",
    "closed_without_signature",
    "qingdao",
    "camera",
}


async def test_the_report_shows_labels_not_codes(http, api_keys):
    number, _ = await awaiting_signature(http, api_keys)
    for action, role, body in (
        ("rework", Role.SUPERVISOR, {"reason": "quote the travel"}),
        ("quote", Role.SUPPORT, QUOTE | {"lines": [*QUOTE["lines"], LABOUR]}),
        ("approve-quote", Role.CUSTOMER, {}),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, (action, r.text)
    html = (await report(http, api_keys, number)).text
    # every piece of text between the report's separators: a code would stand alone in one
    pieces = {p.strip() for part in visible_text(html) for p in re.split(r"[·,()]", part)}
    assert not (RAW & pieces), RAW & pieces
    for label in (
        "保修期内 In warranty",
        "电话 Phone",
        "维修 Repair",
        "配件 Part",
        "人工 Labour",
        "差旅 Travel",
        "达标 Met",
        "需上门服务 On-site visit needed",
        "客户已同意 Approved",
        "青岛 Qingdao",
        "摄像机 Camera",
    ):
        assert label in html, label
    assert "进行中 Running" in html or "超时 Breached" in html  # the resolution clock again


LABOUR = {"kind": "labour", "description": "2 h", "amount": "300"}


async def test_a_close_without_signature_says_who_and_why(http, api_keys):
    number, _ = await awaiting_signature(http, api_keys)
    for action, role, body in (
        ("refuse-signature", Role.CUSTOMER, {"reason": "画面仍有雪花 picture still noisy"}),
        ("refuse-signature", Role.CUSTOMER, {"reason": "工程师未清理现场"}),
        ("override-close", Role.SUPERVISOR, {"reason": "复测正常，客户联系不上 retest ok"}),
    ):
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, (action, r.text)
    html = unescape((await report(http, api_keys, number)).text)
    for text in (
        "未经客户签字关闭 Closed without the customer's signature",
        "客户拒绝签字 The customer refused to sign",
        "画面仍有雪花 picture still noisy",
        "工程师未清理现场",
        "test-supervisor（主管 Supervisor）",
        "复测正常，客户联系不上 retest ok",
    ):
        assert text in html, text
    assert "closed_without_signature" not in " ".join(visible_text(html))


async def test_a_browser_without_a_key_is_told_where_its_report_is(http, api_keys):
    number, _ = await awaiting_signature(http, api_keys)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    for kind in ("html", "pdf"):
        r = await http.get(f"/v1/service-requests/{number}/report.{kind}", headers=browser)
        assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
        assert r.headers["www-authenticate"] == "Bearer"
        for text in ("短信", "SMS", "email", "API 密钥", "API key"):
            assert text in r.text, text
    # API clients still get problem+json
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        r = await http.get(f"/v1/service-requests/{number}/report.html", headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 401
    # a wrong key from a browser: the same page, never the report
    r = await http.get(
        f"/v1/service-requests/{number}/report.html",
        headers=browser | {"Authorization": "Bearer nope"},
    )
    assert r.status_code == 401 and "短信" in r.text and "维修服务报告" not in r.text
    # staff are offered the sign-in, which brings them back here
    assert f'href="/app/sign-in?next=/v1/service-requests/{number}/report.html"' in r.text

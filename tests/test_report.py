"""The service report (维修单) as HTML and as a PDF whose Chinese text really renders."""

from __future__ import annotations

import io

from pypdf import PdfReader

from models.lifecycle import Role
from tests.test_api import FIXED, QUOTE, intake_body


def auth(api_keys, role):
    return {"Authorization": f"Bearer {api_keys[role]}"}


async def signed_request(http, api_keys) -> str:
    r = await http.post(
        "/v1/service-requests", json=intake_body(), headers=auth(api_keys, Role.INTAKE)
    )
    number = r.json()["number"]
    steps = [
        ("acknowledge", Role.SUPPORT, {}),
        (
            "diagnose",
            Role.SUPPORT,
            {"outcome": "needs_onsite", "notes": "镜头进水 water in the lens"},
        ),
        ("assign", Role.DISPATCHER, {"engineer_id": "E001"}),
        ("check-in", Role.ENGINEER, {}),
        ("quote", Role.ENGINEER, QUOTE),
        ("approve-quote", Role.CUSTOMER, {}),
        (
            "report-repair",
            Role.ENGINEER,
            FIXED | {"parts": [{"part_no": "LENS-4MM", "qty": 1}], "test_result": "画面清晰"},
        ),
        (
            "sign",
            Role.CUSTOMER,
            {
                "signer": "王强",
                "typed_name": "王强",
                "quality": 5,
                "attitude": 4,
                "comment": "很好",
            },
        ),
    ]
    for action, role, body in steps:
        r = await http.post(
            f"/v1/service-requests/{number}/{action}", json=body, headers=auth(api_keys, role)
        )
        assert r.status_code == 200, (action, r.text)
    return number


async def test_the_html_report_has_every_part(http, api_keys):
    number = await signed_request(http, api_keys)
    r = await http.get(
        f"/v1/service-requests/{number}/report.html", headers=auth(api_keys, Role.SUPERVISOR)
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    for text in (
        number,
        "青岛港湾物流有限公司",
        "SN-1001",
        "HK-DS-2CD",
        "NO_PICTURE",
        "镜头进水",
        "replaced the lens",
        "LENS-4MM × 1",
        "画面清晰",
        "张伟",
        "1280.00",
        "响应 Response",
        "修复 Resolution",
        "王强",
        "4 / 5",
        "很好",
        "test-support (support)",  # who diagnosed, from the acting key
        "test-engineer (engineer, E001)",  # who quoted
        "客户密钥 customer key · C001",  # the signature came with C001's own key
    ):
        assert text in html, text
    # the customer reads its own report too
    own = await http.get(
        f"/v1/service-requests/{number}/report.html", headers=auth(api_keys, Role.CUSTOMER)
    )
    assert own.status_code == 200 and number in own.text


async def test_the_pdf_report_renders_chinese(http, api_keys):
    number = await signed_request(http, api_keys)
    r = await http.get(
        f"/v1/service-requests/{number}/report.pdf", headers=auth(api_keys, Role.SUPERVISOR)
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for chinese in ("维修服务报告", "青岛港湾物流有限公司", "王强", "画面清晰"):
        assert chinese in text, chinese
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("CJK" in name for name in fonts), fonts


async def test_reports_of_unknown_requests_and_for_customers(http, api_keys):
    r = await http.get(
        "/v1/service-requests/SR-20260101-999999/report.html",
        headers=auth(api_keys, Role.SUPERVISOR),
    )
    assert r.status_code == 404
    r = await http.get(
        "/v1/service-requests/SR-20260101-999999/report.pdf", headers=auth(api_keys, Role.CUSTOMER)
    )
    assert r.status_code == 404

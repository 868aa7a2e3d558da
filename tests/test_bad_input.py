"""Bad input is a 404 or a 422 with a message a person understands, on every route and on
both databases: NUL characters, documents nested thousands deep, impossible instants, `true`
where a number is asked, absurd dates, and form-style bodies (`curl -d`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from db.session import transaction
from db.tables import Customer, RevisitCallRow
from models.actions import (
    AcknowledgeBody,
    AssignBody,
    CancelBody,
    ChangeSeverityBody,
    ChecklistItem,
    DeclineQuoteBody,
    DiagnoseBody,
    PartUsed,
    RecordRevisitBody,
    SignBody,
)
from models.archive import CustomerRecord, EngineerRecord, SiteRecord, Warranty
from models.complaints import RespondBody
from models.intake import Contact, IntakeRequest
from models.lifecycle import Role
from tests.test_api import intake_body, problem

NUL = "must not contain NUL characters (\\u0000)"
#: A drawn signature: a 1×1 PNG.
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4"
    "DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.fixture
def call(as_role):
    """The API with the key of a role (conftest's `as_role`)."""
    return as_role


NUL_IN_PATH = [
    (Role.ADMIN, "GET", "/v1/customers/%00"),
    (Role.ADMIN, "GET", "/v1/customers/C%00X/history"),
    (Role.ADMIN, "PUT", "/v1/customers/%00"),
    (Role.ADMIN, "DELETE", "/v1/customers/%00"),
    (Role.ADMIN, "GET", "/v1/assets/%00"),
    (Role.ADMIN, "GET", "/v1/assets/%00/history"),
    (Role.SUPPORT, "GET", "/v1/assets/%00/entitlement"),
    (Role.ADMIN, "GET", "/v1/engineers/%00"),
    (Role.ADMIN, "GET", "/v1/sla-profiles/%00"),
    (Role.ADMIN, "PUT", "/v1/sla-profiles/%00"),
    (Role.ADMIN, "DELETE", "/v1/sla-profiles/%00"),
    (Role.SUPERVISOR, "GET", "/v1/complaints/%00"),
    (Role.SUPERVISOR, "POST", "/v1/complaints/%00/respond"),
    (Role.REVISIT, "POST", "/v1/revisits/%00/record"),
    (Role.SUPERVISOR, "GET", "/v1/service-requests/%00"),
    (Role.SUPERVISOR, "GET", "/v1/service-requests/SR-20261120-000042%00/timeline"),
    (Role.SUPPORT, "POST", "/v1/service-requests/%00/acknowledge"),
    (Role.ADMIN, "DELETE", "/v1/api-keys/%00"),
]
NUL_IN_QUERY = [
    (Role.SUPERVISOR, "/v1/service-requests", "engineer"),
    (Role.SUPERVISOR, "/v1/service-requests", "customer"),
    (Role.SUPERVISOR, "/v1/service-requests", "region"),
    (Role.SUPERVISOR, "/v1/complaints", "customer"),
    (Role.REVISIT, "/v1/revisits", "customer"),
    (Role.ADMIN, "/v1/customers", "region"),
    (Role.ADMIN, "/v1/assets", "customer_id"),
    (Role.ADMIN, "/v1/engineers", "skill"),
    (Role.SUPPORT, "/v1/assets/SN-1001/entitlement", "fault_code"),
]


# ------------------------------------------------------------------ 22: NUL in the address
@pytest.mark.parametrize(("role", "method", "path"), NUL_IN_PATH)
async def test_a_nul_in_the_path_is_404(call, role, method, path):
    body = {"satisfaction": 5, "solved": True, "attitude": 5} if method != "GET" else None
    r = await call(role, method, path, **({"json": body} if body else {}))
    assert "NUL" in problem(r, 404)["detail"]


@pytest.mark.parametrize(("role", "path", "param"), NUL_IN_QUERY)
async def test_a_nul_in_a_query_value_is_422_naming_it(call, role, path, param):
    r = await call(role, "GET", f"{path}?{param}=a%00b")
    body = problem(r, 422)
    assert body["errors"] == [
        {"field": param, "reason": "must not contain NUL characters (\\u0000)"}
    ]


# ------------------------------------------------------------------ 23: nested thousands deep
DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("content", "media"),
    [
        ("a: " + "[" * 5000 + "]" * 5000, "application/yaml"),
        (DEEP_JSON, "application/json"),
        ('{"name": ' + DEEP_JSON + "}", "application/json"),
    ],
    ids=["yaml", "json", "json-field"],
)
async def test_a_profile_nested_thousands_deep_is_422(call, content, media):
    r = await call(
        Role.ADMIN, "POST", "/v1/sla-profiles", content=content, headers={"Content-Type": media}
    )
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "body" and "nested too deeply" in body["detail"]


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.INTAKE, "POST", "/v1/service-requests"),
        (Role.ADMIN, "POST", "/v1/customers"),
        (Role.SUPPORT, "POST", "/v1/sla/preview"),
        (Role.SUPPORT, "POST", "/v1/service-requests/SR-20261120-000042/acknowledge"),
    ],
)
async def test_any_json_body_nested_thousands_deep_is_422(call, role, method, path):
    r = await call(
        role, method, path, content=DEEP_JSON, headers={"Content-Type": "application/json"}
    )
    assert "nested too deeply" in problem(r, 422)["detail"]


# ------------------------------------------------------------------ 24: due_before
@pytest.fixture
async def calls(sessions):
    """A customer of its own with revisit calls due around the end of 2026-12-31 (+08:00)."""
    customer = f"T{uuid.uuid4().hex[:10]}"
    dues = {
        "morning": "2026-12-31T01:59:00+00:00",  # 09:59 +08:00
        "late": "2026-12-31T15:00:00+00:00",  # 23:00 +08:00
        "next-day": "2026-12-31T16:00:00+00:00",  # 2027-01-01 00:00 +08:00
    }
    with transaction(sessions) as session:
        session.add(
            Customer(id=customer, name="due_before", region="qingdao", sla_profile="standard")
        )
        session.flush()
        for name, due in dues.items():
            session.add(
                RevisitCallRow(
                    id=f"{customer}-{name}",
                    kind="periodic",
                    workflow_id=f"revisit-{customer}-{name}",
                    customer_id=customer,
                    due=datetime.fromisoformat(due),
                    channel="phone",
                    attempts=0,
                    status="due",
                    version=1,
                    updated_at=datetime.now(UTC),
                )
            )
    return customer


async def test_due_before_takes_dates_instants_and_a_raw_plus(call, calls):
    async def listed(query: str) -> list[str]:
        r = await call(Role.REVISIT, "GET", f"/v1/revisits?customer={calls}&{query}")
        assert r.status_code == 200, r.text
        return [c["id"].removeprefix(f"{calls}-") for c in r.json()]

    assert await listed("due_before=2026-12-31") == ["morning", "late"]  # the end of that day
    assert await listed("due_before=2026-12-30") == []
    assert await listed("due_before=2026-12-31T10:00:00%2B08:00") == ["morning"]
    assert await listed("due_before=2026-12-31T10:00:00+08:00") == ["morning"]  # + as a space
    assert await listed("due_before=2026-12-31T02:00:00Z") == ["morning"]
    assert await listed("due_before=2027-01-01T00:00:00+08:00") == ["morning", "late", "next-day"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9999-12-31T23:59:59-23:59", "outside the years"),
        ("0001-01-01T00:00:00+23:59", "outside the years"),
        ("2026-12-31T10:00:00", "needs an offset"),
        ("tomorrow", "is not a date"),
        ("2026-02-30", "is not a date"),
    ],
)
async def test_an_impossible_due_before_is_422(call, value, reason):
    r = await call(Role.REVISIT, "GET", "/v1/revisits", params={"due_before": value})
    error = problem(r, 422)["errors"][0]
    assert error["field"] == "due_before" and reason in error["reason"]


# ------------------------------------------------------------------ 27: strict numbers, dates
async def test_true_is_not_a_severity(call):
    r = await call(Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(severity=True))
    assert problem(r, 422)["errors"] == [
        {"field": "severity", "reason": "must be a number, not true or false"}
    ]
    preview = {"profile_name": "standard", "severity": True, "reported_at": "2026-11-20T22:10:00Z"}
    r = await call(Role.SUPPORT, "POST", "/v1/sla/preview", json=preview)
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["severity"]


async def test_true_is_not_a_severity_to_change_to(call):
    created = await call(Role.INTAKE, "POST", "/v1/service-requests", json=intake_body())
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    r = await call(
        Role.SUPPORT,
        "POST",
        f"/v1/service-requests/{number}/change-severity",
        json={"severity": True, "reason": "customer escalated"},
    )
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["severity"]


@pytest.mark.parametrize(
    ("model", "document", "field"),
    [
        (ChangeSeverityBody, {"severity": True, "reason": "x"}, "severity"),
        (RecordRevisitBody, {"satisfaction": True, "solved": True, "attitude": 5}, "satisfaction"),
        (RecordRevisitBody, {"satisfaction": 5, "solved": True, "attitude": False}, "attitude"),
        (SignBody, {"signer": "王", "typed_name": "王", "quality": True, "attitude": 5}, "quality"),
        (PartUsed, {"part_no": "P-1", "qty": True}, "qty"),
        (Warranty, {"months": True}, "months"),
        (Warranty, {"components": {"bulb": True}}, "components.bulb"),
        (Warranty, {"repair_warranty_months": False}, "repair_warranty_months"),
    ],
)
def test_a_bool_is_not_a_number_in_any_body(model, document, field):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(document)
    errors = caught.value.errors()
    assert [".".join(map(str, e["loc"])) for e in errors] == [field]
    assert "not true or false" in errors[0]["msg"]


def asset_body(serial: str, **fields: object) -> dict[str, object]:
    return {
        "serial": serial,
        "model": "DS-7608",
        "category": "camera",
        "customer_id": "C001",
        "invoice_date": "2026-01-10",
    } | fields


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"invoice_date": "0001-01-01"}, "invoice_date"),
        ({"invoice_date": "9999-12-31"}, "invoice_date"),
        ({"invoice_date": "1989-12-31"}, "invoice_date"),
        (
            {"acceptance_date": "2101-01-01", "warranty": {"start_basis": "acceptance_next_day"}},
            "acceptance_date",
        ),
        (
            {"repairs": [{"fault_code": "NO_POWER", "registered_at": "0001-01-01"}]},
            "repairs.0.registered_at",
        ),
        (
            {
                "repairs": [
                    {
                        "fault_code": "NO_POWER",
                        "registered_at": "2026-01-01",
                        "resolved_at": "9999-12-31T10:00:00+08:00",
                    }
                ]
            },
            "repairs.0.resolved_at",
        ),
    ],
)
async def test_asset_dates_outside_1990_to_2100_are_422_naming_the_field(call, fields, field):
    body = asset_body(f"T-{uuid.uuid4().hex[:10]}", **fields)
    r = await call(Role.ADMIN, "POST", "/v1/assets", json=body)
    errors = problem(r, 422)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert "outside 1990-01-01 .. 2100-12-31" in errors[0]["reason"]


async def test_asset_dates_at_the_ends_of_the_range_are_accepted(call):
    for day in ("1990-01-01", "2100-12-31"):
        body = asset_body(f"T-{uuid.uuid4().hex[:10]}", invoice_date=day)
        r = await call(Role.ADMIN, "POST", "/v1/assets", json=body)
        assert r.status_code == 201, r.text


def pauses(n: int) -> list[dict[str, str]]:
    start = datetime(2026, 11, 21, tzinfo=UTC)
    return [
        {
            "start": (start + timedelta(hours=2 * i)).isoformat(),
            "end": (start + timedelta(hours=2 * i, minutes=30)).isoformat(),
        }
        for i in range(n)
    ]


async def test_the_preview_takes_at_most_500_pauses(call):
    body = {"profile_name": "standard", "severity": 4, "reported_at": "2026-11-20T22:10:00Z"}
    r = await call(Role.SUPPORT, "POST", "/v1/sla/preview", json=body | {"pauses": pauses(500)})
    assert r.status_code == 200, r.text
    r = await call(Role.SUPPORT, "POST", "/v1/sla/preview", json=body | {"pauses": pauses(501)})
    errors = problem(r, 422)["errors"]
    assert [e["field"] for e in errors] == ["pauses"] and "500" in errors[0]["reason"]


# ------------------------------------------------------------------ 29: curl -d
async def test_a_nul_in_a_browser_s_form_is_422(http):
    # A page's form (here the sign-in's) sends a NUL as %00: refused before any route reads it.
    r = await http.post("/app/sign-in", data={"key": "as_\x00x"})
    assert "NUL" in problem(r, 422)["detail"]


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "application/x-www-form-urlencoded"}])
async def test_a_json_body_without_its_content_type_is_read_as_json(call, headers):
    # `%00` in JSON sent as a form is text, not a NUL
    body = json.dumps(intake_body(external_ref=f"CURL-{uuid.uuid4().hex}", description="100%00"))
    r = await call(Role.INTAKE, "POST", "/v1/service-requests", content=body, headers=headers)
    assert r.status_code == 201, r.text
    profile = {"profile_name": "standard", "severity": 1, "reported_at": "2026-11-20T22:10:00Z"}
    r = await call(
        Role.SUPPORT, "POST", "/v1/sla/preview", content=json.dumps(profile), headers=headers
    )
    assert r.status_code == 200, r.text


async def test_a_form_that_is_not_json_is_told_to_send_json(call):
    r = await call(
        Role.INTAKE,
        "POST",
        "/v1/service-requests",
        content="channel=phone&customer_id=C001",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "application/json" in problem(r, 422)["detail"]


# ------------------------------------------------------------------ 30: empty optional texts
OPTIONAL_TEXTS: list[tuple[type[BaseModel], dict[str, Any], str, str]] = [
    (AcknowledgeBody, {}, "note", "called back"),
    (DeclineQuoteBody, {}, "reason", "too dear"),
    (AssignBody, {}, "reason", "only one free"),
    (ChecklistItem, {"item": "lens", "ok": True}, "note", "clean"),
    (SignBody, {"signer": "王", "typed_name": "王", "quality": 5, "attitude": 5}, "comment", "快"),
    (RecordRevisitBody, {"satisfaction": 5, "solved": True, "attitude": 5}, "suggestions", "ok"),
    (RespondBody, {"response": "we apologise"}, "remedy", "a free visit"),
    (IntakeRequest, intake_body(), "external_ref", "CALL-1"),
    (CustomerRecord, {"id": "C9", "name": "n", "region": "qingdao"}, "email", "it@x.example"),
    (CustomerRecord, {"id": "C9", "name": "n", "region": "qingdao"}, "address", "港区 1 号"),
    (SiteRecord, {"id": "S9", "name": "n"}, "address", "港区 1 号"),
    (EngineerRecord, {"id": "E9", "name": "n"}, "phone", "+86 532 1"),
]
REQUIRED_TEXTS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (CancelBody, {}, "reason"),
    (DiagnoseBody, {"outcome": "needs_onsite"}, "notes"),
    (RespondBody, {}, "response"),
    (IntakeRequest, intake_body(), "description"),
    (Contact, {"phone": "123456"}, "name"),
    (SignBody, {"typed_name": "王", "quality": 5, "attitude": 5}, "signer"),
]


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
@pytest.mark.parametrize(("model", "document", "field", "text"), OPTIONAL_TEXTS)
def test_an_empty_optional_text_is_none(model, document, field, text, blank):
    assert getattr(model.model_validate(document | {field: blank}), field) is None
    assert getattr(model.model_validate(document), field) is None
    assert getattr(model.model_validate(document | {field: text}), field) == text


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize(("model", "document", "field"), REQUIRED_TEXTS)
def test_a_required_text_needs_more_than_spaces(model, document, field, blank):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(document | {field: blank})
    assert [".".join(map(str, e["loc"])) for e in caught.value.errors()] == [field]


def test_an_empty_typed_name_beside_a_drawn_signature_is_none():
    body = SignBody.model_validate(
        {"signer": "王", "signature_png": PNG, "typed_name": "", "quality": 5, "attitude": 5}
    )
    assert body.typed_name is None


async def test_empty_optional_texts_over_http(call):
    r = await call(Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(external_ref="  "))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = await call(
        Role.SUPPORT, "POST", f"/v1/service-requests/{number}/acknowledge", json={"note": ""}
    )
    assert r.status_code == 200, r.text
    r = await call(
        Role.SUPERVISOR, "POST", f"/v1/service-requests/{number}/cancel", json={"reason": " "}
    )
    assert [e["field"] for e in problem(r, 422)["errors"]] == ["reason"]

"""Every instant the API answers with is in the service time zone (Asia/Shanghai: `+08:00`),
whatever offset it was stored or computed with; text that merely looks like an instant (a
legacy repair's registration as the old system wrote it) stays as written."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import BaseModel

from api.serialization import in_zone
from db.session import transaction
from db.tables import ComplaintRow, RevisitCallRow, ServiceRequestRow, TimelineEventRow
from models.archive import History
from models.lifecycle import Role, Stage
from models.state import (
    ComplaintRecord,
    EscalationRecord,
    RevisitRecord,
    ServiceRequestState,
)
from tests.test_api import intake_body

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOOKS_LIKE_AN_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def instants(document: Any) -> list[str]:
    """Every string in the JSON document that starts like an instant."""
    if isinstance(document, str):
        return [document] if LOOKS_LIKE_AN_INSTANT.match(document) else []
    if isinstance(document, list):
        return [i for item in document for i in instants(item)]
    if isinstance(document, dict):
        return [i for value in document.values() for i in instants(value)]
    return []


def all_in_service_zone(document: Any, at_least: int) -> list[str]:
    found = instants(document)
    assert len(found) >= at_least, found
    assert [i for i in found if not i.endswith("+08:00")] == []
    return found


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def call(http: httpx.AsyncClient, api_keys):
    async def send(role: Role, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {api_keys[role]}"} | kwargs.pop("headers", {})
        response = await http.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 300, response.text
        return response

    return send


@pytest.fixture
def settings_zone(settings):
    assert settings.timezone == "Asia/Shanghai"  # the default these tests are written for


# ------------------------------------------------------------------ a stored request
@pytest.fixture
def finished(intake, sessions, settings_zone) -> str:
    """A completed request in the read model, with every kind of instant a state carries, all
    stored in UTC, and its timeline (whose `data` the workflow writes from datetimes)."""
    now = datetime.now(UTC).replace(microsecond=0)
    start = intake(at=now)
    state = ServiceRequestState.registered(start)
    later = now + timedelta(hours=3)
    for clock in state.clocks.values():
        clock.met_at = later
    state.stage = Stage.COMPLETED
    state.closed_at = later
    state.escalations = [
        EscalationRecord(clock="response", level=1, at=now + timedelta(minutes=20), notified=[])
    ]
    state.revisits = [RevisitRecord(due=later + timedelta(days=3), channel="phone")]
    state.complaints = [
        ComplaintRecord(
            number=f"{start.number}-C1",
            opened_at=later,
            reason="slow",
            respond_by=later + timedelta(days=1),
        )
    ]
    document = in_zone(state.model_dump(mode="json"), ServiceRequestState, UTC)
    assert any(i.endswith("Z") or i.endswith("+00:00") for i in instants(document))
    with transaction(sessions) as session:
        session.add(
            ServiceRequestRow(
                number=start.number,
                workflow_id=f"service-request-{start.number}",
                type=start.type,
                stage=Stage.COMPLETED,
                severity=start.severity,
                region=start.region,
                customer_id=start.customer_id,
                asset_serial=start.asset_serial,
                engineer_id=None,
                sla_status="on_track",
                next_deadline=None,
                reported_at=start.reported_at,
                registered_at=start.registered_at,
                closed_at=later,
                outcome="fixed",
                state=document,
                version=99,
                updated_at=now,
            )
        )
        events: list[tuple[str, dict[str, Any]]] = [
            ("registered", {}),
            ("clock_breached", {"clock": "response", "due": now + timedelta(minutes=30)}),
            ("escalated", {"clock": "response", "notify_at": now + timedelta(minutes=40)}),
            ("visit_scheduled", {"appointment_at": later.astimezone(ZoneInfo("Europe/Paris"))}),
        ]
        for seq, (kind, data) in enumerate(events, start=1):
            session.add(
                TimelineEventRow(
                    number=start.number,
                    seq=seq,
                    kind=kind,
                    at=now + timedelta(minutes=seq),
                    actor="system",
                    by=None,
                    stage=Stage.REGISTERED,
                    data={
                        k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()
                    },
                )
            )
    return start.number


async def test_a_stored_state_answers_in_the_service_zone(call, finished):
    state = (await call(Role.SUPERVISOR, "GET", f"/v1/service-requests/{finished}")).json()
    found = all_in_service_zone(state, at_least=15)
    escalation = state["escalations"][0]["at"]
    assert escalation.endswith("+08:00") and state["complaints"][0]["respond_by"] in found
    # the same instants, only written with the service zone's offset
    stored = ServiceRequestState.model_validate(state)
    assert stored.closed_at == utc(state["closed_at"])


async def test_a_timeline_answers_in_the_service_zone(call, finished):
    timeline = await call(Role.SUPERVISOR, "GET", f"/v1/service-requests/{finished}/timeline")
    events = timeline.json()
    all_in_service_zone(events, at_least=7)  # 4 × at, due, notify_at, appointment_at
    paris = events[3]["data"]["appointment_at"]
    assert paris.endswith("+08:00") and utc(paris) == utc(events[3]["at"]) + timedelta(
        hours=3
    ) - timedelta(minutes=4)


# ------------------------------------------------------------------ a live request
async def test_intake_and_the_live_state_answer_in_the_service_zone(call, settings_zone):
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    reported = at.isoformat().replace("+00:00", "Z")
    created = await call(
        Role.INTAKE, "POST", "/v1/service-requests", json=intake_body(reported_at=reported)
    )
    all_in_service_zone(created.json(), at_least=3)
    number = created.json()["number"]
    state = await call(Role.SUPPORT, "POST", f"/v1/service-requests/{number}/acknowledge")
    found = all_in_service_zone(state.json(), at_least=5)
    assert state.json()["reported_at"] == at.astimezone(SHANGHAI).isoformat() and found
    live = (await call(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
    assert live["clocks"]["response"]["met_at"].endswith("+08:00")
    listed = await call(Role.SUPERVISOR, "GET", "/v1/service-requests", params={"page_size": 5})
    all_in_service_zone(listed.json(), at_least=1)
    timeline = await call(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    all_in_service_zone(timeline.json(), at_least=2)


# ------------------------------------------------------------------ lists from projections
async def test_the_complaint_list_answers_in_the_service_zone(call, sessions, settings_zone):
    customer = f"T{uuid.uuid4().hex[:10]}"
    opened = datetime(2026, 11, 20, 14, 10, tzinfo=UTC)
    with transaction(sessions) as session:
        session.add(
            ComplaintRow(
                number=f"SR-{customer}-C1",
                workflow_id=f"complaint-SR-{customer}-C1",
                source="revisit",
                about=f"SR-{customer}",
                rework=None,
                customer_id=customer,
                asset_serial=None,
                reason="slow",
                status="responded",
                opened_at=opened,
                opened_by="revisit",
                respond_by=opened + timedelta(days=1),
                breached_at=opened + timedelta(days=1),
                responded_at=opened + timedelta(days=2),
                responded_by="test",
                responder=None,
                response="sorry",
                remedy=None,
                version=3,
                updated_at=datetime.now(UTC),
            )
        )
    listed = await call(Role.SUPERVISOR, "GET", "/v1/complaints", params={"customer": customer})
    complaint = listed.json()[0]
    all_in_service_zone(listed.json(), at_least=4)
    assert complaint["opened_at"] == "2026-11-20T22:10:00+08:00"
    assert complaint["respond_by"] == "2026-11-21T22:10:00+08:00"


async def test_the_revisit_list_answers_in_the_service_zone(call, sessions, settings_zone):
    customer = f"T{uuid.uuid4().hex[:10]}"
    with transaction(sessions) as session:
        session.add(
            RevisitCallRow(
                id=f"{customer}-R1",
                kind="periodic",
                workflow_id=f"revisit-{customer}-R1",
                customer_id=customer,
                closed_at=datetime(2026, 11, 17, 1, 0, tzinfo=UTC),
                due=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
                channel="phone",
                attempts=0,
                status="due",
                version=1,
                updated_at=datetime.now(UTC),
            )
        )
    listed = await call(Role.REVISIT, "GET", "/v1/revisits", params={"customer": customer})
    all_in_service_zone(listed.json(), at_least=2)
    assert listed.json()[0]["due"] == "2026-11-20T10:00:00+08:00"


# ------------------------------------------------------------------ text is not converted
async def test_legacy_text_that_looks_like_an_instant_stays_as_written(call, settings_zone):
    serial = f"T-{uuid.uuid4().hex[:10]}"
    written = "2025-03-02T23:30:00-05:00"  # 2025-03-03 12:30 in Shanghai: another local date
    asset = {
        "serial": serial,
        "model": "DS-7608",
        "category": "camera",
        "customer_id": "C001",
        "invoice_date": "2025-01-10",
        "repairs": [{"fault_code": "NO_POWER", "registered_at": written}],
    }
    assert (await call(Role.ADMIN, "POST", "/v1/assets", json=asset)).json()["repairs"][0][
        "registered_at"
    ] == written
    shown = (await call(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    assert shown["repairs"][0]["registered_at"] == written
    history = (await call(Role.ADMIN, "GET", f"/v1/assets/{serial}/history")).json()
    assert history["entries"][0]["registered_at"] == written


# ------------------------------------------------------------------ the walk itself
class _Typed(BaseModel):
    at: datetime
    text: str
    maybe: datetime | None = None
    data: dict[str, Any] = {}


def test_the_walk_follows_the_types():
    document = {
        "at": "2026-11-20T14:10:00Z",
        "text": "2026-11-20T14:10:00Z",
        "maybe": "2026-11-20T14:10:00.250000+01:00",
        "data": {"due": "2026-11-20T14:10:00+00:00", "key": "appointment/2026-11-20T14:10:00Z"},
    }
    assert in_zone(document, _Typed, SHANGHAI) == {
        "at": "2026-11-20T22:10:00+08:00",
        "text": "2026-11-20T14:10:00Z",
        "maybe": "2026-11-20T21:10:00.250000+08:00",
        "data": {"due": "2026-11-20T22:10:00+08:00", "key": "appointment/2026-11-20T14:10:00Z"},
    }
    assert in_zone([document], list[_Typed], SHANGHAI)[0]["at"].endswith("+08:00")
    legacy = {"source": "legacy_repair", "registered_at": "2025-03-02T10:00:00Z"}
    request = {"source": "service_request", "reported_at": "2025-03-02T10:00:00Z"}
    entries = in_zone({"entries": [legacy, request]}, History, SHANGHAI)["entries"]
    assert entries[0]["registered_at"] == "2025-03-02T10:00:00Z"  # text
    assert entries[1]["reported_at"] == "2025-03-02T18:00:00+08:00"  # an instant

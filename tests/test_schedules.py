"""Periodic revisits and inspections (`/v1/schedules`) on the Temporal dev server, and the
working-date rule as pure functions."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.service import RPCError

from activities.scheduled import next_working_instant
from db.schedules import defined, forget
from db.session import SessionFactory, transaction
from db.tables import Asset, Customer, Notification, ServiceRequestRow
from models.lifecycle import Role
from models.profile import CalendarSpec
from models.schedules import (
    END_OF_WARRANTY_SCHEDULE,
    ScheduleBody,
    inspection_ref,
    is_calendar_slot,
    schedule_id,
)
from models.service_plan import SCHEDULE_KINDS
from sla.calendar import BusinessCalendar
from tests.workflow_helpers import eventually

TZ = "Asia/Shanghai"


@pytest.fixture
def asset(sessions: SessionFactory) -> tuple[str, str]:
    """A customer and asset of this test only: schedule IDs derive from them."""
    customer_id, serial = f"C-{uuid.uuid4().hex[:8]}", f"SN-{uuid.uuid4().hex[:8]}"
    with transaction(sessions) as session:
        demo = session.get(Asset, "SN-1001")
        assert demo is not None
        session.add(
            Customer(id=customer_id, name="巡检测试客户", region="qingdao", sla_profile="standard")
        )
        session.flush()
        session.add(
            Asset(
                serial=serial,
                model=demo.model,
                category=demo.category,
                customer_id=customer_id,
                invoice_date=demo.invoice_date,
                warranty=demo.warranty,
            )
        )
    return customer_id, serial


@pytest.fixture
async def admin(
    http: httpx.AsyncClient,
    api_keys: dict[Role, str],
    dev_client: Client,
    sessions: SessionFactory,
    asset: tuple[str, str],
) -> AsyncIterator[httpx.AsyncClient]:
    """The admin's client; deletes the test asset's schedules afterwards, because the dev
    server lives for the whole session."""
    http.headers["Authorization"] = f"Bearer {api_keys[Role.ADMIN]}"
    yield http
    for kind in SCHEDULE_KINDS:
        # through the API, so the definition kept for `sync-schedules` goes too (404: never
        # created, or the test deleted it)
        await http.delete(f"/v1/schedules/{schedule_id(kind, *asset)}")
        # the plan's own schedules cannot be deleted through the API
        contract = schedule_id(kind, asset[0])
        with contextlib.suppress(RPCError):
            await dev_client.get_schedule_handle(contract).delete()
        with transaction(sessions) as session:
            forget(session, contract)


def body(customer_id: str, serial: str, **fields: object) -> dict[str, object]:
    return {
        "kind": "inspection",
        "customer_id": customer_id,
        "asset_serial": serial,
        "every": "half_yearly",
        "day_of_month": 15,
        "hour": 10,
    } | fields


async def test_inspection_schedule_lifecycle(
    admin: httpx.AsyncClient,
    dev_client: Client,
    sessions: SessionFactory,
    asset: tuple[str, str],
) -> None:
    customer_id, serial = asset
    response = await admin.post("/v1/schedules", json=body(customer_id, serial, note="机房"))
    assert response.status_code == 201, response.text
    sid = f"inspection-{customer_id}-{serial}"
    view = response.json()
    assert view["id"] == sid and view["paused"] is False
    assert all(datetime.fromisoformat(t).month in (1, 7) for t in view["next_runs"])

    description = await dev_client.get_schedule_handle(sid).describe()
    spec = description.schedule.spec
    assert spec.time_zone_name == TZ
    assert [r.start for r in spec.calendars[0].hour] == [10]
    action = description.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "ScheduledServiceWorkflow"

    again = await admin.post("/v1/schedules", json=body(customer_id, serial))
    assert again.status_code == 409, again.text

    triggered = await admin.post(f"/v1/schedules/{sid}/trigger")
    assert triggered.status_code == 202, triggered.text

    async def inspection() -> ServiceRequestRow | None:
        with sessions() as session:
            query = select(ServiceRequestRow).where(ServiceRequestRow.asset_serial == serial)
            return session.scalars(query).first()

    row = await eventually(inspection)
    assert row.type == "inspection" and row.customer_id == customer_id and row.severity == 4
    assert row.state["fault_code"] == "INSPECTION"

    paused = await admin.post(f"/v1/schedules/{sid}/pause")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert (await dev_client.get_schedule_handle(sid).describe()).schedule.state.paused

    updated = await admin.put(
        f"/v1/schedules/{sid}", json={"every": "quarterly", "day_of_month": 3, "hour": 8}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["definition"]["every"] == "quarterly"
    assert updated.json()["paused"] is True, "an edit does not unpause"
    calendar = (await dev_client.get_schedule_handle(sid).describe()).schedule.spec.calendars[0]
    assert [r.start for r in calendar.month] == [1, 4, 7, 10]
    assert [r.start for r in calendar.day_of_month] == [3]

    unpaused = await admin.post(f"/v1/schedules/{sid}/unpause")
    assert unpaused.json()["paused"] is False

    async def listed() -> bool:
        response = await admin.get("/v1/schedules")
        return sid in [s["id"] for s in response.json()]

    assert await eventually(listed)

    assert (await admin.delete(f"/v1/schedules/{sid}")).status_code == 204
    assert (await admin.get(f"/v1/schedules/{sid}")).status_code == 404
    assert (await admin.post(f"/v1/schedules/{sid}/trigger")).status_code == 404


async def test_a_periodic_call_waits_on_the_call_list_and_an_unhappy_answer_complains(
    admin: httpx.AsyncClient,
    http: httpx.AsyncClient,
    dev_client: Client,
    api_keys: dict[Role, str],
    sessions: SessionFactory,
    asset: tuple[str, str],
) -> None:
    customer_id, serial = asset
    created = await admin.post(
        "/v1/schedules", json=body(customer_id, serial, kind="revisit_call", every="quarterly")
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert sid == f"revisit_call-{customer_id}-{serial}"
    assert (await admin.post(f"/v1/schedules/{sid}/trigger")).status_code == 202

    desk = {"Authorization": f"Bearer {api_keys[Role.REVISIT]}"}

    async def on_the_list() -> dict[str, object] | None:
        calls = await http.get("/v1/revisits", params={"customer": customer_id}, headers=desk)
        return next((c for c in calls.json() if c["schedule_id"] == sid), None)

    call = await eventually(on_the_list)
    assert call["kind"] == "periodic" and call["channel"] == "phone"
    assert call["customer_name"] == "巡检测试客户" and call["asset_serial"] == serial
    assert (
        call["id"] == f"{sid}-{datetime.fromisoformat(call['due']).astimezone(ZoneInfo(TZ)).date()}"
    )

    async def notice() -> Notification | None:
        with sessions() as session:
            query = select(Notification).where(Notification.key == f"{call['id']}/attempt-1")
            return session.scalars(query).first()

    row = await eventually(notice)
    assert row.kind == "periodic_revisit_due" and row.recipients == ["revisit"]

    # triggered again the same day: the same call, not a second one
    assert (await admin.post(f"/v1/schedules/{sid}/trigger")).status_code == 202

    async def runs_completed() -> bool:
        query = "WorkflowType = 'ScheduledServiceWorkflow' AND ExecutionStatus = 'Completed'"
        runs = [w async for w in dev_client.list_workflows(query) if w.id.startswith(sid)]
        return len(runs) == 2

    assert await eventually(runs_completed)
    calls = (await http.get("/v1/revisits", params={"customer": customer_id}, headers=desk)).json()
    assert [c["id"] for c in calls] == [call["id"]]

    bad = await http.post(
        f"/v1/revisits/{call['id']}/record", json={"satisfaction": 9}, headers=desk
    )
    assert bad.status_code == 422
    engineer = {"Authorization": f"Bearer {api_keys[Role.ENGINEER]}"}
    answer = {"satisfaction": 2, "solved": True, "attitude": 4, "suggestions": "巡检不够仔细"}
    forbidden = await http.post(f"/v1/revisits/{call['id']}/record", json=answer, headers=engineer)
    assert forbidden.status_code == 403
    keyed = desk | {"Idempotency-Key": f"answer-{sid}"}
    recorded = await http.post(f"/v1/revisits/{call['id']}/record", json=answer, headers=keyed)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "answered" and recorded.json()["satisfaction"] == 2
    retried = await http.post(f"/v1/revisits/{call['id']}/record", json=answer, headers=keyed)
    assert retried.status_code == 200 and retried.json() == recorded.json()
    again = await http.post(f"/v1/revisits/{call['id']}/record", json=answer, headers=desk)
    assert again.status_code == 409

    supervisor = {"Authorization": f"Bearer {api_keys[Role.SUPERVISOR]}"}

    async def complaint() -> dict[str, object] | None:
        found = await http.get(
            "/v1/complaints", params={"customer": customer_id}, headers=supervisor
        )
        return next(iter(found.json()), None)

    filed = await eventually(complaint)
    assert filed["source"] == "periodic_revisit" and filed["about"] == call["id"]
    assert filed["reason"] == "巡检不够仔细" and filed["rework"] is None
    assert (await on_the_list()) is None  # answered: off the list

    # The answers are the customer archive's (and the asset's).
    for path in (f"/v1/customers/{customer_id}/history", f"/v1/assets/{serial}/history"):
        history = (await admin.get(path)).json()["entries"]
        (periodic,) = [e for e in history if e["source"] == "periodic_revisit"]
        assert periodic["id"] == call["id"] and periodic["satisfaction"] == 2
        assert periodic["suggestions"] == "巡检不够仔细" and periodic["channel"] == "phone"


async def test_a_periodic_visit_goes_to_an_engineer_and_a_hidden_fault_opens_a_repair(
    admin: httpx.AsyncClient,
    as_role,
    sessions: SessionFactory,
    asset: tuple[str, str],
) -> None:
    customer_id, serial = asset
    created = await admin.post(
        "/v1/schedules", json=body(customer_id, serial, kind="revisit_visit", every="quarterly")
    )
    assert created.status_code == 201, created.text
    assert (await admin.post(f"/v1/schedules/{created.json()['id']}/trigger")).status_code == 202

    async def visit() -> ServiceRequestRow | None:
        with sessions() as session:
            query = select(ServiceRequestRow).where(ServiceRequestRow.asset_serial == serial)
            return session.scalars(query).first()

    row = await eventually(visit)
    assert row.type == "revisit_visit" and row.state["fault_code"] == "REVISIT_VISIT"
    number = row.number

    async def act(role: Role, action: str, json: dict[str, object], status: int = 200) -> dict:
        path = f"/v1/service-requests/{number}/{action}"
        answer = await as_role(role, "POST", path, json=json)
        assert answer.status_code == status, (action, answer.text)
        return answer.json()

    await act(Role.SUPPORT, "acknowledge", {})
    await act(Role.SUPPORT, "diagnose", {"outcome": "needs_onsite", "notes": "quarterly visit"})
    await act(Role.DISPATCHER, "assign", {"engineer_id": "E001"})
    await act(Role.ENGINEER, "check-in", {})
    fixed = {"result": "fixed", "work_done": "looked around"}
    refused = await act(Role.ENGINEER, "report-repair", fixed, status=409)
    assert "record-visit" in refused["detail"]
    away = await act(Role.ENGINEER, "record-visit", {"unreachable": True}, status=422)
    assert "reached the customer" in away["detail"]
    answers = {"satisfaction": 4, "solved": True, "attitude": 5, "suggestions": "按时到"}
    found = {"fault_code": "LENS_FOGGED", "description": "镜头起雾 lens fogging up", "severity": 3}
    state = await act(Role.ENGINEER, "record-visit", answers | {"hidden_fault": found})
    # The visit was the revisit: none follows it.
    assert state["stage"] == "completed" and state["outcome"] == "visited"
    assert state["visit"]["satisfaction"] == 4 and state["visit"]["hidden_fault"] == found
    repair = state["visit"]["repair"]
    opened = await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{repair}")
    assert opened.status_code == 200, opened.text
    linked = opened.json()
    assert (linked["type"], linked["asset_serial"], linked["severity"]) == ("repair", serial, 3)
    assert linked["fault_code"] == "LENS_FOGGED" and linked["linked_to"] == number
    assert "hidden fault found on the visit" in linked["description"]
    timeline = (
        await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}/timeline")
    ).json()
    (event,) = [e for e in timeline if e["kind"] == "hidden_fault_found"]
    assert event["data"]["repair"] == repair


async def test_the_profile_service_plan_makes_the_contract_schedules(
    admin: httpx.AsyncClient,
    dev_client: Client,
    sessions: SessionFactory,
    asset: tuple[str, str],
) -> None:
    """The standard profile plans a monthly call, a quarterly visit and 2 inspections a year."""
    customer_id, serial = asset
    with transaction(sessions) as session:
        first = session.get(Asset, serial)
        assert first is not None
        for extra, main in ((f"{serial}-B", True), (f"{serial}-ACC", False)):
            session.add(
                Asset(
                    serial=extra,
                    model=first.model,
                    category=first.category,
                    customer_id=customer_id,
                    invoice_date=first.invoice_date,
                    warranty=first.warranty,
                    main_equipment=main,
                )
            )
    shown = await admin.get(f"/v1/customers/{customer_id}/service-plan")
    assert shown.status_code == 200, shown.text
    planned = shown.json()["planned"]
    assert {sid: d["every"] for sid, d in planned.items()} == {
        f"revisit_call-{customer_id}": "monthly",
        f"revisit_visit-{customer_id}": "quarterly",
        f"inspection-{customer_id}": "half_yearly",
    }
    applied = await admin.post(f"/v1/customers/{customer_id}/service-plan")
    assert applied.status_code == 200, applied.text
    assert sorted(applied.json()["created"]) == sorted(planned)
    again = (await admin.post(f"/v1/customers/{customer_id}/service-plan")).json()
    assert again["created"] == again["updated"] == again["removed"] == []

    sid = f"inspection-{customer_id}"
    description = await dev_client.get_schedule_handle(sid).describe()
    calendar = description.schedule.spec.calendars[0]
    assert [r.start for r in calendar.month] == [1, 7]
    assert [r.start for r in calendar.day_of_month] == [20]
    assert (await admin.post(f"/v1/schedules/{sid}/pause")).status_code == 200

    # A contract-wide inspection covers every main asset of the customer.
    assert (await admin.post(f"/v1/schedules/{sid}/trigger")).status_code == 202

    async def inspections() -> list[ServiceRequestRow]:
        with sessions() as session:
            query = select(ServiceRequestRow).where(ServiceRequestRow.customer_id == customer_id)
            rows = list(session.scalars(query))
            return rows if len(rows) >= 2 else []

    rows = await eventually(inspections)
    assert sorted(r.asset_serial for r in rows) == [serial, f"{serial}-B"]  # not the accessory
    assert {r.type for r in rows} == {"inspection"}

    # The plan owns it: edits go through the profile.
    put = await admin.put(f"/v1/schedules/{sid}", json={"every": "yearly"})
    assert put.status_code == 409 and "service_plan" in put.json()["detail"]
    assert (await admin.delete(f"/v1/schedules/{sid}")).status_code == 409

    # The profile drops inspections: applying the plan deletes that schedule only.
    profile = (await admin.get("/v1/sla-profiles/standard")).json()["profile"]
    lighter = profile | {
        "name": f"light-{customer_id.lower()}",
        "service_plan": [p for p in profile["service_plan"] if p["kind"] != "inspection"],
    }
    stored = await admin.post("/v1/sla-profiles", json=lighter)
    assert stored.status_code == 201, stored.text
    with transaction(sessions) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.sla_profile = lighter["name"]
    changed = (await admin.post(f"/v1/customers/{customer_id}/service-plan")).json()
    assert changed["removed"] == [sid] and changed["created"] == []
    assert (await admin.get(f"/v1/schedules/{sid}")).status_code == 404
    assert (await admin.get(f"/v1/schedules/revisit_call-{customer_id}")).status_code == 200

    assert (await admin.get("/v1/customers/C-nobody/service-plan")).status_code == 404


async def test_bad_bodies_roles_and_unknown(
    admin: httpx.AsyncClient,
    http: httpx.AsyncClient,
    api_keys: dict[Role, str],
    asset: tuple[str, str],
) -> None:
    customer_id, serial = asset
    for bad in (
        body(customer_id, serial, every="weekly"),
        body(customer_id, serial, day_of_month=29),
        body(customer_id, serial, hour=24),
        body(customer_id, serial, kind="audit"),
        body(customer_id, "SN-1001"),  # someone else's asset
        body("C-nobody", serial),
        body(customer_id, serial, extra=1),
    ):
        response = await admin.post("/v1/schedules", json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"] == "application/problem+json"

    assert (await admin.get("/v1/schedules/inspection-nobody-none")).status_code == 404
    assert (await admin.delete("/v1/schedules/inspection-nobody-none")).status_code == 404

    dispatcher = {"Authorization": f"Bearer {api_keys[Role.DISPATCHER]}"}
    forbidden = await http.request(
        "POST", "/v1/schedules", json=body(customer_id, serial), headers=dispatcher
    )
    assert forbidden.status_code == 403
    read = await http.request("GET", "/v1/schedules", headers=dispatcher)
    assert read.status_code == 200
    engineer = {"Authorization": f"Bearer {api_keys[Role.ENGINEER]}"}
    assert (await http.request("GET", "/v1/schedules", headers=engineer)).status_code == 403


# ------------------------------------------------------------------ pure functions
OFFICE = BusinessCalendar.from_spec(
    CalendarSpec.model_validate(
        {
            "timezone": TZ,
            "weekly": {d: [["09:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2026-10-01", "2026-10-02"],
            "extra_workdays": {"2026-10-10": "fri"},
        }
    )
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def test_working_date_keeps_the_hour() -> None:
    assert next_working_instant(OFFICE, local("2026-10-15T08:00")) == local("2026-10-15T08:00")


def test_holiday_moves_to_the_next_working_date() -> None:
    # 1–2 Oct holidays, 3–4 a weekend: Monday the 5th at opening.
    assert next_working_instant(OFFICE, local("2026-10-01T09:00")) == local("2026-10-05T09:00")


def test_make_up_saturday_is_a_working_date() -> None:
    assert next_working_instant(OFFICE, local("2026-10-10T10:00")) == local("2026-10-10T10:00")


def test_calendar_slot_or_manual_trigger() -> None:
    d = ScheduleBody.model_validate(
        {"kind": "inspection", "customer_id": "C1", "asset_serial": "S1", "every": "quarterly"}
    )
    assert is_calendar_slot(d, local("2026-04-01T09:00"), TZ)
    assert not is_calendar_slot(d, local("2026-05-01T09:00"), TZ)  # not a quarter's month
    assert not is_calendar_slot(d, datetime(2026, 4, 1, 1, 0, 0, 123, tzinfo=UTC), TZ)


def test_inspection_ref_is_per_schedule_date_and_contract_asset() -> None:
    assert inspection_ref("inspection-C1-S1", date(2026, 1, 1)) == (
        "schedule:inspection-C1-S1:2026-01-01"
    )
    assert inspection_ref("inspection-C1", date(2026, 1, 1), "S2") == (
        "schedule:inspection-C1:2026-01-01:S2"
    )


async def test_setup_recreates_the_schedules_kept_in_the_database(
    admin: httpx.AsyncClient,
    asset: tuple[str, str],
    dev_client: Client,
    sessions: SessionFactory,
    settings,
) -> None:
    from db.tables import ContractSchedule
    from manage import sync_schedules

    created = await admin.post("/v1/schedules", json=body(*asset, every="quarterly"))
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert (await admin.post(f"/v1/schedules/{sid}/pause")).status_code == 200
    with sessions() as session:
        row = session.get(ContractSchedule, sid)
        assert row is not None and row.paused and row.definition["every"] == "quarterly"

    await dev_client.get_schedule_handle(sid).delete()  # a new cluster: Temporal has nothing
    settings = replace(settings, analysis_reports=())  # tests/test_analysis_reports.py's
    daily = dev_client.get_schedule_handle(END_OF_WARRANTY_SCHEDULE)
    try:
        assert set(await sync_schedules(dev_client, sessions, settings)) == {
            sid,
            END_OF_WARRANTY_SCHEDULE,
        }
        described = await dev_client.get_schedule_handle(sid).describe()
        assert described.schedule.state.paused  # as it was
        assert await sync_schedules(dev_client, sessions, settings) == []  # nothing to do
        spec = (await daily.describe()).schedule.spec
        assert [r.start for r in spec.calendars[0].hour] == [6] and spec.time_zone_name == TZ
    finally:
        await daily.delete()  # it would register inspections in every later test's archive
    view = (await admin.get(f"/v1/schedules/{sid}")).json()
    assert view["definition"]["every"] == "quarterly"

    assert (await admin.delete(f"/v1/schedules/{sid}")).status_code == 204
    with sessions() as session:
        assert session.get(ContractSchedule, sid) is None


def test_a_weekly_slot_is_its_weekday_in_every_month() -> None:
    d = ScheduleBody.model_validate(
        {
            "kind": "inspection",
            "customer_id": "C1",
            "asset_serial": "S1",
            "every": "weekly",
            "weekday": "mon",
            "hour": 8,
        }
    )
    assert is_calendar_slot(d, local("2026-11-30T08:00"), TZ)  # a Monday
    assert is_calendar_slot(d, local("2026-12-07T08:00"), TZ)
    assert not is_calendar_slot(d, local("2026-12-01T08:00"), TZ)  # a Tuesday
    for wrong, says in (
        ({"every": "weekly"}, "a weekly schedule names its day"),
        ({"every": "monthly", "weekday": "mon"}, "only for a weekly schedule"),
    ):
        with pytest.raises(ValueError, match=says):
            ScheduleBody.model_validate(
                {"kind": "inspection", "customer_id": "C1", "asset_serial": "S1"} | wrong
            )


async def test_a_weekly_inspection_runs_on_its_weekday(
    admin: httpx.AsyncClient, dev_client: Client, asset: tuple[str, str]
) -> None:
    customer_id, serial = asset
    weekly = body(customer_id, serial, every="weekly", weekday="wed", hour=9)
    response = await admin.post("/v1/schedules", json=weekly)
    assert response.status_code == 201, response.text
    view = response.json()
    assert view["definition"]["weekday"] == "wed"
    runs = [datetime.fromisoformat(t).astimezone(ZoneInfo(TZ)) for t in view["next_runs"]]
    assert runs and all((t.weekday(), t.hour) == (2, 9) for t in runs)
    spec = (await dev_client.get_schedule_handle(view["id"]).describe()).schedule.spec
    assert [r.start for r in spec.calendars[0].day_of_week] == [3]  # Temporal: Sunday is 0
    missing = await admin.put(f"/v1/schedules/{view['id']}", json={"every": "weekly"})
    assert missing.status_code == 422 and "names its day" in missing.text


async def test_a_plan_never_takes_over_another_customers_schedule(
    admin: httpx.AsyncClient, sessions: SessionFactory, asset: tuple[str, str]
) -> None:
    """`inspection-C-1-X` may be customer C-1's contract or customer C's asset 1-X."""
    from db.schedules import remember
    from models.schedules import ScheduleDefinition

    customer_id, _ = asset
    sid = schedule_id("inspection", customer_id)
    head, tail = customer_id.split("-", 1)
    other = ScheduleDefinition(
        kind="inspection", customer_id=head, asset_serial=tail, every="yearly"
    )
    assert schedule_id(other.kind, other.customer_id, other.asset_serial) == sid
    with transaction(sessions) as session:
        remember(session, sid, other, paused=False)
    refused = await admin.post(f"/v1/customers/{customer_id}/service-plan")
    assert refused.status_code == 409, refused.text
    assert f"already exists for {head}'s asset {tail}" in refused.json()["detail"]
    with sessions() as session:
        assert [d for s, d, _ in defined(session) if s == sid] == [other]  # untouched

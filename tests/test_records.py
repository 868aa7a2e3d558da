"""Database behaviour of the activities and the intake reservation (SQLite, or PostgreSQL
when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from activities.dispatch import DispatchActivities
from activities.records import RecordActivities
from db.tables import Intake, ServiceRequestRow, TimelineEventRow
from intake.reservation import reserve
from models.activity_io import AutoAssignRequest, EngineerLookup, RecordRequest
from models.errors import Conflict, InvalidInput
from models.intake import IntakeRequest
from models.lifecycle import Stage
from models.state import ServiceRequestState, TimelineEvent
from notifications.delivery import Delivery
from notifications.senders import LogSender

NOW = datetime(2026, 11, 20, 14, 10, tzinfo=UTC)


def body(**fields: object) -> IntakeRequest:
    return IntakeRequest.model_validate(
        {
            "channel": "phone",
            "customer_id": "C002",
            "asset_serial": "SN-1002",
            "severity": 3,
            "fault_code": "FLICKER",
            "force_new": True,
            "description": "a row of dead pixels",
        }
        | fields
    )


def registered(sessions, **fields) -> ServiceRequestState:
    start, _ = reserve(sessions, body(**fields), None, "Asia/Shanghai", now=NOW)
    return ServiceRequestState.registered(start)


def event(seq: int, kind: str = "stage_changed") -> TimelineEvent:
    return TimelineEvent(
        seq=seq, kind=kind, at=NOW, actor="test", stage=Stage.REGISTERED, data={"n": seq}
    )


def timeline(sessions, number: str) -> list[tuple[int, str]]:
    with sessions() as session:
        rows = session.execute(
            select(TimelineEventRow.seq, TimelineEventRow.kind)
            .where(TimelineEventRow.number == number)
            .order_by(TimelineEventRow.seq)
        )
        return [tuple(r) for r in rows]


def test_a_retried_record_writes_nothing_twice(sessions, settings):
    records = RecordActivities(sessions, Delivery(sessions, settings, LogSender()))
    state = registered(sessions)
    state.version = 1
    request = RecordRequest(events=[event(1, "registered"), event(2)], state=state)
    records.record_events(request)
    records.record_events(request)  # the retry after a lost acknowledgement
    assert timeline(sessions, state.number) == [(1, "registered"), (2, "stage_changed")]
    with sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ServiceRequestRow)
                .where(ServiceRequestRow.number == state.number)
            )
            == 1
        )


def test_the_read_model_only_moves_forward(sessions, settings):
    records = RecordActivities(sessions, Delivery(sessions, settings, LogSender()))
    state = registered(sessions)
    newer = state.model_copy(deep=True, update={"stage": Stage.DIAGNOSING, "version": 2})
    records.record_events(RecordRequest(events=[event(1), event(2)], state=newer))
    older = state.model_copy(deep=True, update={"version": 1})
    records.record_events(RecordRequest(events=[event(1)], state=older))  # a late, stale retry
    with sessions() as session:
        row = session.get(ServiceRequestRow, state.number)
        assert row is not None and row.stage == "diagnosing" and row.version == 2
        assert ServiceRequestState.model_validate(row.state) == newer
        assert row.reported_at == NOW and row.reported_at.tzinfo is not None


def test_reservation_is_idempotent_and_numbered(sessions):
    first, seen_first = reserve(
        sessions, body(external_ref="R-1"), "ref:R-1", "Asia/Shanghai", now=NOW
    )
    again, seen_again = reserve(
        sessions, body(external_ref="R-1"), "ref:R-1", "Asia/Shanghai", now=NOW
    )
    assert (seen_first, seen_again) == (False, True) and again == first
    assert first.number.startswith("SR-20261120-")  # the local (Asia/Shanghai) date
    assert first.entitlement.status == "in_warranty"
    assert first.initial_plan.due["response"] == NOW + timedelta(minutes=120)  # severity 3
    with pytest.raises(Conflict):
        reserve(sessions, body(external_ref="R-1", severity=1), "ref:R-1", "Asia/Shanghai", now=NOW)


def test_concurrent_reservations_of_one_key_give_one_number(sessions):
    results: list[str] = []
    barrier = threading.Barrier(6)

    def attempt() -> None:
        barrier.wait()
        start, _ = reserve(
            sessions, body(external_ref="RACE"), "ref:RACE", "Asia/Shanghai", now=NOW
        )
        results.append(start.number)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and len(set(results)) == 1
    with sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Intake).where(Intake.idempotency_key == "ref:RACE")
            )
            == 1
        )


def test_an_invalid_intake_writes_nothing(sessions):
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Intake))
    with pytest.raises(InvalidInput) as rejected:
        reserve(sessions, body(asset_serial="SN-1001"), "ref:BAD", "Asia/Shanghai", now=NOW)
    assert "belongs to customer C001" in rejected.value.detail
    assert rejected.value.errors and rejected.value.errors[0]["field"] == "asset_serial"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Intake)) == before


def test_engineer_lookup_and_auto_assign(sessions):
    dispatch = DispatchActivities(sessions)
    found = dispatch.find_engineer(EngineerLookup(engineer_id="E004"))
    assert found is not None and not found.on_duty
    assert dispatch.find_engineer(EngineerLookup(engineer_id="E404")) is None
    # display in jinan: E002 and E003 both qualify; the tie goes to E002
    chosen = dispatch.auto_assign_engineer(AutoAssignRequest(region="jinan", category="display"))
    assert chosen is not None and chosen.id in ("E002", "E003")
    other = dispatch.auto_assign_engineer(
        AutoAssignRequest(region="jinan", category="display", exclude=[chosen.id])
    )
    assert other is not None and other.id != chosen.id
    assert (
        dispatch.auto_assign_engineer(AutoAssignRequest(region="weihai", category="display"))
        is None
    )


def test_each_due_a_clock_has_had_is_kept_with_what_re_planned_it(sessions, settings):
    from db.tables import ClockPlanRow

    records = RecordActivities(sessions, Delivery(sessions, settings, LogSender()))
    state = registered(sessions)
    state.version = 1
    records.record_events(RecordRequest(events=[event(1, "registered")], state=state))
    first = state.clocks["response"].due
    assert first is not None
    state = state.model_copy(deep=True)
    state.version = 2
    state.clocks["response"].due = first - timedelta(minutes=30)
    records.record_events(RecordRequest(events=[event(2, "severity_changed")], state=state))
    records.record_events(RecordRequest(events=[event(2, "severity_changed")], state=state))
    with sessions() as session:
        plans = session.execute(
            select(ClockPlanRow.due, ClockPlanRow.because)
            .where(ClockPlanRow.number == state.number, ClockPlanRow.clock == "response")
            .order_by(ClockPlanRow.due.desc())
        ).all()
    assert [tuple(p) for p in plans] == [
        (first, "registered"),
        (first - timedelta(minutes=30), "severity_changed"),
    ]

"""The workflow on the SLA engine (time-skipping server): escalation levels, the quiet
calendar, severity changes during a pause, the loaner, and the SLA search attribute state."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.tables import Asset, LoanerUnit, Notification, TimelineEventRow
from tests.sla_fixtures import OFFICE
from tests.workflow_helpers import act, eventually, rejected, start, until

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def now(env):
    return await env.get_current_time()


async def move_to_evening(env):
    """Move the test server's clock to the next 22:00 in Shanghai (the office is closed)."""
    current = (await now(env)).astimezone(SHANGHAI)
    evening = current.replace(hour=22, minute=0, second=0, microsecond=0)
    if evening <= current:
        evening += timedelta(days=1)
    await env.sleep(evening - current)


def escalations(state, clock):
    """The profile's levels that fired for `clock` (level 0 is raised by the workflow)."""
    return [(e.level, e.at_percent) for e in state.escalations if e.clock == clock and e.level]


def notifications(sessions, number):
    """The notices of `number`: their email rows (their SMS rows: tests/test_sms.py)."""
    with sessions() as session:
        query = (
            select(Notification)
            .where(Notification.number == number, Notification.channel == "email")
            .order_by(Notification.id)
        )
        return list(session.scalars(query))


@pytest.fixture
def asset_with_pool(sessions):
    """A fresh asset category with `units` loaner units in its pool."""

    def make(units: int, rank: int | None = None, ranks: tuple[int, ...] = ()) -> str:
        """`units` of rank 1, or one unit of each of `ranks`; the asset of `rank`."""
        category = f"cat-{uuid.uuid4().hex[:8]}"
        serial = f"SN-{category}"
        with sessions.begin() as session:
            session.add(
                Asset(
                    serial=serial,
                    model="TEST",
                    category=category,
                    customer_id="C001",
                    invoice_date=date(2026, 6, 1),
                    acceptance_date=date(2026, 6, 1),
                    main_equipment=True,
                    warranty={"start_basis": "invoice", "months": 36},
                    capability_rank=rank,
                )
            )
            for i, unit_rank in enumerate(ranks or (1,) * units):
                session.add(
                    LoanerUnit(
                        serial=f"LN-{category}-{i}",
                        model=f"spare rank {unit_rank}",
                        category=category,
                        rank=unit_rank,
                    )
                )
        return serial

    return make


async def test_each_escalation_level_fires_once_and_marks_the_request_at_risk(
    ts_env, ts_client, intake, sessions
):
    handle = await start(ts_client, intake(at=await now(ts_env)))  # severity 1, Qingdao
    await ts_env.sleep(timedelta(minutes=23))  # past 75 % of the 30-minute response target
    s = await until(handle, lambda s: escalations(s, "response"))
    assert escalations(s, "response") == [(1, 75)] and s.sla_status == "at_risk"
    await ts_env.sleep(timedelta(minutes=10))  # past the deadline: the 100 % level and the breach
    s = await until(handle, lambda s: len(escalations(s, "response")) == 2)
    assert escalations(s, "response") == [(1, 75), (2, 100)] and s.sla_status == "breached"
    await act(handle, "acknowledge", "support")
    await ts_env.sleep(timedelta(hours=30))  # resolution: 24 h, then 240 business minutes more
    s = await until(handle, lambda s: len(escalations(s, "resolution")) == 3)
    assert escalations(s, "response") == [(1, 75), (2, 100)]  # never again
    assert escalations(s, "resolution") == [(1, 75), (2, 100), (3, None)]
    manager = next(e for e in s.escalations if e.clock == "resolution" and e.level == 3)
    assert manager.notified == ["manager"]
    assert manager.at >= s.clocks["resolution"].due + timedelta(minutes=240)
    # severity 1: every notification queued at once, each exactly once
    keys = [n.key for n in notifications(sessions, s.number) if n.kind == "escalation"]
    assert len(keys) == len(set(keys)) == len(s.escalations)


async def test_non_severity_1_notifications_wait_for_the_quiet_calendar(
    ts_env, ts_client, intake, sessions
):
    await move_to_evening(ts_env)
    handle = await start(ts_client, intake(at=await now(ts_env), severity=3))
    await ts_env.sleep(timedelta(minutes=100))  # 75 % of 120 minutes fell at 23:30
    s = await until(handle, lambda s: escalations(s, "response"))
    fired = s.escalations[0]
    release = OFFICE.open_at_or_after(fired.at)
    assert release.astimezone(SHANGHAI).hour == 9  # the next office morning
    assert not [n for n in notifications(sessions, s.number) if n.kind == "escalation"]
    await ts_env.sleep(release - await now(ts_env) + timedelta(minutes=1))
    await until(handle, lambda s: True)
    queued = [n for n in notifications(sessions, s.number) if n.kind == "escalation"]
    # level 1 (23:30) and level 2 (the breach at 00:00) both went out at the office's opening
    assert {n.data["level"] for n in queued} == {"1", "2"}


async def test_pauses_survive_a_severity_change_mid_pause(ts_env, ts_client, intake):
    reported = await now(ts_env)
    handle = await start(ts_client, intake(at=reported, severity=2))
    await ts_env.sleep(timedelta(minutes=10))
    await act(handle, "pause", "support", {"reason": "awaiting_customer"})
    await ts_env.sleep(timedelta(minutes=60))
    s = await act(handle, "change_severity", "supervisor", {"severity": 1, "reason": "line down"})
    assert s.severity == 1 and s.clocks["response"].status == "paused"
    await ts_env.sleep(timedelta(minutes=30))
    s = await act(handle, "resume", "support")
    paused_for = s.pauses[0].end - s.pauses[0].start
    # 30 minutes of severity 1 from the original report, plus every paused minute
    assert s.clocks["response"].due == reported + timedelta(minutes=30) + paused_for
    assert s.clocks["resolution"].due == reported + timedelta(minutes=1440) + paused_for
    assert s.clocks["response"].status == "running"


async def test_a_severity_change_replans_every_running_clock(ts_env, ts_client, intake):
    reported = await now(ts_env)
    handle = await start(ts_client, intake(at=reported, severity=2))
    s = await act(handle, "change_severity", "support", {"severity": 1, "reason": "worse"})
    assert s.clocks["response"].due == reported + timedelta(minutes=30)
    assert s.clocks["diagnosis"].due == reported + timedelta(minutes=120)


async def test_a_late_fix_gets_a_loaner_returned_at_close(
    ts_env, ts_client, intake, asset_with_pool, sessions
):
    serial = asset_with_pool(units=1)
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await ts_env.sleep(timedelta(hours=25))  # resolution (24 h) breached, not fixed yet
    s = await until(handle, lambda s: s.loaner is not None)
    unit = s.loaner
    with sessions() as session:
        assert session.get(LoanerUnit, unit).issued_to == s.number
    anyone = {"engineer_id": "E001", "override": True, "reason": "a category nobody has"}
    await act(handle, "assign", "dispatcher", anyone)
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    await act(
        handle, "sign", "customer", {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
    )
    s = await until(handle, lambda s: s.loaner_returned_at is not None)
    with sessions() as session:
        returned = session.get(LoanerUnit, unit)
        assert returned.status == "available" and returned.issued_to is None
    kinds = [n.kind for n in notifications(sessions, s.number)]
    assert kinds.count("loaner_issued") == 1


async def test_no_free_loaner_escalates_to_the_supervisor(
    ts_env, ts_client, intake, asset_with_pool
):
    serial = asset_with_pool(units=0)
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial, severity=2))
    await ts_env.sleep(timedelta(hours=49))  # severity 2: 48 hours
    s = await until(handle, lambda s: any(e.kind == "no_loaner" for e in s.escalations))
    assert s.loaner is None
    (raised,) = [e for e in s.escalations if e.kind != "level"]
    assert raised.clock == "resolution" and raised.notified == ["supervisor"]
    assert raised.level is None  # not a rule of the profile: no 1-based level


async def test_the_loaner_is_the_plainest_free_unit_at_least_the_assets_rank(
    ts_env, ts_client, intake, asset_with_pool, sessions
):
    serial = asset_with_pool(units=0, rank=3, ranks=(2, 5, 3))
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial, severity=2))
    await ts_env.sleep(timedelta(hours=49))  # severity 2: 48 hours
    s = await until(handle, lambda s: s.loaner is not None)
    with sessions() as session:
        assert session.get(LoanerUnit, s.loaner).rank == 3  # not 2 (too plain), not 5


async def test_only_lower_loaners_free_tells_the_supervisor_why(
    ts_env, ts_client, intake, asset_with_pool, sessions
):
    serial = asset_with_pool(units=0, rank=4, ranks=(1, 3))
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial, severity=2))
    await ts_env.sleep(timedelta(hours=49))
    s = await until(handle, lambda s: any(e.kind == "no_loaner" for e in s.escalations))
    assert s.loaner is None

    def reasons() -> list[str]:
        with sessions() as session:
            rows = session.scalars(
                select(TimelineEventRow).where(
                    TimelineEventRow.number == s.number, TimelineEventRow.kind == "escalated"
                )
            )
            return [r.data["reason"] for r in rows if r.data.get("reason")]

    (reason,) = await eventually(reasons)
    assert "at least rank 4" in reason and "the best free one is rank 3" in reason


async def test_severity_3_gets_no_loaner(ts_env, ts_client, intake, asset_with_pool):
    serial = asset_with_pool(units=1)
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial, severity=3))
    await ts_env.sleep(timedelta(days=9))  # 5 working days on the office calendar
    s = await until(handle, lambda s: s.clocks["resolution"].status == "breached")
    assert s.loaner is None and not [e for e in s.escalations if e.kind != "level"]


async def test_diagnosis_and_signature_clocks_breach_too(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await ts_env.sleep(timedelta(minutes=121))  # severity 1: a proposed solution within 2 h
    s = await until(handle, lambda s: s.clocks["diagnosis"].status == "breached")
    s = await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "x"})
    assert s.clocks["diagnosis"].status == "breached" and s.clocks["diagnosis"].met_at is not None
    signature_due = s.clocks["signature"].due  # 2 office working days
    assert OFFICE.local_date(signature_due) > OFFICE.local_date(s.clocks["signature"].started_at)
    await ts_env.sleep(signature_due - await now(ts_env) + timedelta(minutes=1))
    s = await until(handle, lambda s: s.clocks["signature"].status == "breached")
    assert "signature" in s.breaches


async def test_no_engineer_available_keeps_the_request_waiting_and_tells_the_dispatcher(
    ts_env, ts_client, intake, asset_with_pool
):
    serial = asset_with_pool(units=0)  # a category no engineer has the skill for
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=serial))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    s = await act(handle, "assign", "dispatcher", {})
    assert s.stage == "awaiting_dispatch" and s.engineer is None
    (raised,) = [e for e in s.escalations if e.kind == "no_engineer"]
    assert raised.clock == "arrival" and raised.notified == ["dispatcher"] and raised.level is None
    # E001 lacks the skill: refused by name, unless the dispatcher overrides with a reason
    error = await rejected(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    assert error.type == "InvalidData" and "lacks the skill" in error.message
    assert "override" in error.message
    s = await act(
        handle,
        "assign",
        "dispatcher",
        {"engineer_id": "E001", "override": True, "reason": "the only engineer free today"},
    )
    assert s.stage == "dispatched" and s.engineer == "E001"


async def test_nothing_escalates_after_the_request_is_closed(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await ts_env.sleep(timedelta(hours=25))  # resolution breached; 240 minutes later: manager
    await until(handle, lambda s: s.clocks["resolution"].status == "breached")
    await act(
        handle,
        "quote",
        "support",
        {"lines": [{"kind": "labour", "description": "x", "amount": "1"}], "notes": "x"},
    )
    await act(handle, "decline_quote", "customer", {})
    await ts_env.sleep(timedelta(hours=6))
    s = await until(handle, lambda s: s.stage == "following_up")
    assert (3, None) not in escalations(s, "resolution")


async def test_held_notices_go_out_when_the_request_ends(ts_env, ts_client, intake, sessions):
    await move_to_evening(ts_env)
    handle = await start(ts_client, intake(at=await now(ts_env), severity=3))
    await ts_env.sleep(timedelta(minutes=95))  # level 1 at 23:30, held for the morning
    await until(handle, lambda s: escalations(s, "response"))
    number = handle.id.removeprefix("service-request-")
    assert not escalation_notices(sessions, number)
    await act(handle, "cancel", "intake", {"reason": "solved by itself"})
    await until(handle, lambda s: s.stage == "cancelled")
    await eventually(lambda: escalation_notices(sessions, number))
    assert [n.data["level"] for n in escalation_notices(sessions, number)] == ["1"]


def escalation_notices(sessions, number):
    return [n for n in notifications(sessions, number) if n.kind == "escalation"]


async def test_revisits_fall_due_on_working_days(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "x"})
    s = await act(
        handle, "sign", "customer", {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
    )
    s = await until(handle, lambda s: s.stage == "following_up")
    # the standard profile: a phone call at the end of the 3rd office working day after close
    assert s.revisits[0].due == OFFICE.working_days_end(s.closed_at, 3)


async def test_a_level_past_one_hundred_percent_fires_after_the_breach(
    ts_env, ts_client, intake, sessions
):
    from db.profiles import store_profile
    from tests.sla_fixtures import STANDARD

    name = f"late-{uuid.uuid4().hex[:6]}"
    extra = STANDARD.escalations[0].model_copy(update={"clock": "response", "at_percent": 150})
    profile = STANDARD.model_copy(
        update={"name": name, "escalations": [*STANDARD.escalations, extra]}
    )
    with sessions.begin() as session:
        store_profile(session, profile)
    handle = await start(ts_client, intake(at=await now(ts_env), sla_profile=name))
    await ts_env.sleep(timedelta(minutes=46))  # 150 % of 30 minutes
    s = await until(handle, lambda s: (4, 150) in escalations(s, "response"))
    assert escalations(s, "response") == [(1, 75), (2, 100), (4, 150)]


async def test_people_are_told_what_happened(ts_env, ts_client, intake, sessions):
    """Registration, assignment, appointment and the revisit call each queue one notice."""
    handle = await start(ts_client, intake(at=await now(ts_env)))
    number = handle.id.removeprefix("service-request-")
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    visit = (await now(ts_env)) + timedelta(hours=1)
    await act(handle, "schedule_visit", "engineer", {"appointment_at": visit.isoformat()})
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    await act(
        handle, "sign", "customer", {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
    )
    s = await until(handle, lambda s: s.stage == "following_up")
    kinds = [n.kind for n in notifications(sessions, number)]
    assert kinds.count("registered") == kinds.count("assigned") == kinds.count("appointment") == 1
    registered = next(n for n in notifications(sessions, number) if n.kind == "registered")
    assert registered.data["customer_id"] == "C001" and registered.data["response_due"]
    assert "revisit_due" not in kinds  # held until the call is due
    await ts_env.sleep(s.revisits[0].due - await now(ts_env) + timedelta(minutes=1))
    await eventually(lambda: "revisit_due" in [n.kind for n in notifications(sessions, number)])
    assert [n.kind for n in notifications(sessions, number)].count("revisit_due") == 1


async def test_every_notice_below_severity_1_waits_for_the_quiet_calendar(
    ts_env, ts_client, intake, sessions
):
    await move_to_evening(ts_env)
    handle = await start(ts_client, intake(at=await now(ts_env), severity=3))
    number = handle.id.removeprefix("service-request-")
    await until(handle, lambda s: s.version >= 1)
    await ts_env.sleep(timedelta(minutes=5))
    assert "registered" not in [n.kind for n in notifications(sessions, number)]
    release = OFFICE.open_at_or_after(await now(ts_env))
    await ts_env.sleep(release - await now(ts_env) + timedelta(minutes=1))
    await eventually(lambda: "registered" in [n.kind for n in notifications(sessions, number)])
    assert [n.kind for n in notifications(sessions, number)].count("registered") == 1

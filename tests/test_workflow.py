"""ServiceRequestWorkflow on the time-skipping test server: transitions, rejections, clocks."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from db.session import SessionFactory
from db.tables import Asset, ServiceRequestRow, TimelineEventRow
from models.actions import Actor
from tests.workflow_helpers import act, eventually, rejected, start, state, until
from workflows.service_request import ServiceRequestWorkflow

QUOTE = {"lines": [{"kind": "labour", "description": "board repair", "amount": "350.00"}]}
FIXED = {
    "result": "fixed",
    "work_done": "replaced the power board",
    "test_result": "24h burn-in ok",
}
SIGNED = {"signer": "王强", "typed_name": "王强", "quality": 5, "attitude": 5}
#: E003 has neither the camera skill nor Qingdao: sent only with an override and a reason.
OVERRIDE_E003 = {"engineer_id": "E003", "override": True, "reason": "E001 is ill"}


async def finished(handle):
    """The workflow's result. Not `handle.result()`: on the time-skipping server awaiting a
    result skips time across every running workflow's timers, months in a long session."""
    for _ in range(100):
        history = await handle.fetch_history()
        if history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            return await state(handle)
        await asyncio.sleep(0.05)
    raise AssertionError("the workflow did not complete")


async def now(env: WorkflowEnvironment):
    return await env.get_current_time()


async def to_on_site(handle) -> None:
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "no power"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await act(handle, "check_in", "engineer")


def timeline_kinds(sessions: SessionFactory, number: str) -> list[str]:
    with sessions() as session:
        rows = session.scalars(
            select(TimelineEventRow)
            .where(TimelineEventRow.number == number)
            .order_by(TimelineEventRow.seq)
        )
        return [f"{r.kind}:{r.data.get('to', r.data.get('clock', ''))}" for r in rows]


async def test_repair_goes_through_every_stage_to_completed(
    ts_env, ts_client: Client, intake, sessions
):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    s = await act(handle, "acknowledge", "support", {"note": "called back"})
    assert s.stage == "diagnosing" and s.clocks["response"].status == "met"
    s = await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "no power"})
    assert s.stage == "awaiting_dispatch" and s.clocks["diagnosis"].status == "met"
    s = await act(handle, "assign", "dispatcher", {})  # auto-assign: camera in qingdao
    assert s.stage == "dispatched" and s.engineer == "E001"
    assert s.clocks["arrival"].status == "running"
    assert s.clocks["arrival"].due == s.clocks["arrival"].started_at + timedelta(minutes=60)
    appointment = (await now(ts_env)) + timedelta(hours=1)
    s = await act(handle, "schedule_visit", "engineer", {"appointment_at": appointment.isoformat()})
    assert s.stage == "dispatched" and s.appointment_at == appointment
    s = await act(handle, "check_in", "engineer")
    assert s.stage == "on_site" and s.clocks["arrival"].status == "met"
    s = await act(handle, "report_repair", "engineer", FIXED)
    assert s.stage == "awaiting_signature" and s.clocks["resolution"].status == "met"
    assert s.clocks["signature"].status == "running"
    s = await act(handle, "sign", "customer", SIGNED)
    assert (
        s.stage == "following_up" and s.outcome == "fixed" and s.clocks["signature"].status == "met"
    )
    s = await until(handle, lambda s: s.stage == "following_up")
    assert [r.status for r in s.revisits] == ["due"]
    s = await act(
        handle, "record_revisit", "revisit", {"satisfaction": 5, "solved": True, "attitude": 5}
    )
    assert s.stage == "completed"
    final = await finished(handle)
    assert final.stage == "completed" and final.revisits[0].satisfaction == 5

    stages = [k for k in timeline_kinds(sessions, s.number) if k.startswith("stage_changed")]
    assert stages == [
        f"stage_changed:{stage}"
        for stage in (
            "diagnosing",
            "awaiting_dispatch",
            "dispatched",
            "on_site",
            "awaiting_signature",
            "closed",
            "following_up",
            "completed",
        )
    ]
    with sessions() as session:
        row = session.get(ServiceRequestRow, s.number)
        assert row is not None and row.stage == "completed" and row.version == final.version

    # The whole history replays deterministically on the current code.
    replayer = Replayer(workflows=[ServiceRequestWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


async def test_remote_resolution_skips_dispatch(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    s = await act(
        handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "reset by phone"}
    )
    assert s.stage == "awaiting_signature" and s.outcome == "resolved_remotely"
    assert s.clocks["resolution"].status == "met" and s.clocks["arrival"].status == "not_started"
    s = await act(handle, "sign", "customer", SIGNED)
    assert s.stage == "following_up" and s.outcome == "resolved_remotely"


async def test_chargeable_request_needs_an_approved_quote_and_pauses_clocks(
    ts_env, ts_client, intake
):
    handle = await start(
        ts_client,
        intake(at=await now(ts_env), customer_id="C003", asset_serial="SN-1003", severity=2),
    )
    s = await act(handle, "acknowledge", "support")
    assert s.entitlement.chargeable
    error = await rejected(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    assert error.type == "InvalidData" and "quote" in error.message
    s = await act(
        handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x", "quote": QUOTE}
    )
    assert s.stage == "awaiting_approval" and s.paused
    assert s.quote is not None and str(s.quote.total) == "350.00"
    assert s.clocks["resolution"].status == "paused" and s.clocks["resolution"].due is None
    await ts_env.sleep(timedelta(hours=3))
    s = await act(handle, "approve_quote", "customer")
    assert s.stage == "awaiting_dispatch" and not s.paused
    resolution = s.clocks["resolution"]
    # 2880 business minutes, of which the 3 hours awaiting approval do not count
    assert resolution.status == "running"
    assert resolution.due - resolution.started_at == timedelta(minutes=2880) + (
        s.quote.decided_at - s.quote.proposed_at
    )
    assert s.quote.decided_at - s.quote.proposed_at >= timedelta(hours=3)


async def test_declined_quote_closes_with_outcome_declined(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    # while diagnosing, the quote is the proposed solution: it carries the diagnosis
    error = await rejected(handle, "quote", "support", QUOTE)
    assert error.type == "InvalidData" and "notes" in error.message
    s = await act(handle, "quote", "support", QUOTE | {"notes": "功放板烧坏 amplifier burnt"})
    assert s.stage == "awaiting_approval" and s.diagnosis is not None
    assert s.diagnosis.notes == "功放板烧坏 amplifier burnt" and s.diagnosis.by
    assert s.clocks["diagnosis"].status == "met"
    s = await act(handle, "decline_quote", "intake", {"reason": "too expensive"})
    assert s.stage == "following_up" and s.outcome == "declined"
    assert s.clocks["resolution"].status == "cancelled" and not s.paused
    assert s.quote is not None and s.quote.status == "declined"


async def test_quote_on_site_returns_to_on_site(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(handle)
    s = await act(handle, "quote", "engineer", QUOTE)
    assert s.stage == "awaiting_approval"
    s = await act(handle, "approve_quote", "customer")
    assert s.stage == "on_site"


@pytest.mark.parametrize(
    ("result", "after"), [("fixed", "awaiting_signature"), ("needs_parts", "awaiting_parts")]
)
async def test_an_exclusion_found_on_site_needs_the_customers_approval(
    ts_env, ts_client, intake, result, after
):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(handle)
    report = FIXED | {"result": result, "exclusion": "human_damage"}
    error = await rejected(handle, "report_repair", "engineer", report)
    assert error.type == "InvalidData" and "quote" in error.message
    error = await rejected(handle, "report_repair", "engineer", FIXED | {"quote": QUOTE})
    assert error.type == "InvalidData" and "exclusion" in error.message
    s = await act(handle, "report_repair", "engineer", report | {"quote": QUOTE})
    assert s.stage == "awaiting_approval" and s.paused
    assert s.entitlement.chargeable and s.repair.exclusion == "human_damage"
    assert s.signing_url is None  # nothing goes on before the customer approves
    s = await act(handle, "approve_quote", "customer")
    assert s.stage == after and not s.paused
    if after == "awaiting_signature":
        assert s.clocks["signature"].status == "running" and s.signing_url


async def test_parts_and_replacement(ts_env, ts_client, intake, sessions):
    # A unit of its own: the replacement is written to the shared archive.
    old, new = f"SN-PR{secrets.token_hex(3)}", f"SN-NU{secrets.token_hex(3)}"
    unit = {"model": "DS-2CD", "category": "camera", "invoice_date": "2026-03-15"}
    handle = await start(ts_client, intake(at=await now(ts_env), asset_serial=old, asset=unit))
    await to_on_site(handle)
    s = await act(
        handle,
        "report_repair",
        "engineer",
        {
            "result": "needs_parts",
            "work_done": "diagnosed a dead PSU",
            "parts": [{"part_no": "PSU-12", "qty": 1}],
        },
    )
    assert s.stage == "awaiting_parts" and s.clocks["resolution"].status == "running"
    s = await act(handle, "parts_arrived", "dispatcher")
    assert s.stage == "dispatched" and s.engineer == "E001"
    await act(handle, "check_in", "engineer")
    error = await rejected(
        handle, "report_repair", "engineer", {"result": "replace", "work_done": "swap"}
    )
    assert error.type == "InvalidData" and "replacement_serial" in error.message
    s = await act(
        handle,
        "report_repair",
        "engineer",
        {"result": "replace", "work_done": "swapped the unit", "replacement_serial": new},
    )
    assert s.stage == "awaiting_signature" and s.outcome == "replaced"
    assert s.repair is not None and s.repair.replacement_serial == new

    def replaced() -> str | None:
        with sessions() as session:
            found = session.get(Asset, old)
            return found.replaced_by if found is not None else None

    assert await eventually(replaced) == new


async def test_reassignment_restarts_the_arrival_clock(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    first = await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await ts_env.sleep(timedelta(minutes=20))
    error = await rejected(handle, "assign", "dispatcher", {"engineer_id": "E003"})
    assert "E003" in error.message and "lacks the skill 'camera'" in error.message
    second = await act(handle, "assign", "dispatcher", OVERRIDE_E003)
    assert second.engineer == "E003" and second.stage == "dispatched"
    assert second.clocks["arrival"].started_at - first.clocks["arrival"].started_at >= timedelta(
        minutes=20
    )
    error = await rejected(handle, "assign", "dispatcher", OVERRIDE_E003)
    assert error.type == "InvalidData" and "already assigned" in error.message
    error = await rejected(handle, "assign", "dispatcher", {"engineer_id": "E004"})
    assert error.type == "Conflict" and "not on duty" in error.message
    error = await rejected(handle, "assign", "dispatcher", {"engineer_id": "E999"})
    assert error.type == "InvalidData"


async def test_refusal_override_and_rework(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(handle)
    await act(handle, "report_repair", "engineer", FIXED)
    s = await act(handle, "refuse_signature", "customer", {"reason": "still flickers"})
    assert s.stage == "awaiting_signature" and len(s.signature_refusals) == 1
    s = await act(handle, "rework", "supervisor", {"reason": "customer reports flicker"})
    assert s.stage == "diagnosing"
    assert s.clocks["resolution"].status == "running" and s.clocks["resolution"].met_at is None
    assert s.clocks["signature"].status == "not_started"
    await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "firmware"})
    s = await act(
        handle, "override_close", "supervisor", {"reason": "customer unavailable to sign"}
    )
    assert s.stage == "following_up" and s.outcome == "closed_without_signature"


async def test_pause_and_resume_move_every_deadline_by_the_pause(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    before = await state(handle)
    error = await rejected(handle, "pause", "support", {"reason": "lunch"})
    assert error.type == "InvalidData" and "awaiting_customer" in error.message
    s = await act(handle, "pause", "support", {"reason": "awaiting_customer"})
    assert s.paused and all(s.clocks[c].status == "paused" for c in ("response", "resolution"))
    assert (
        await rejected(handle, "pause", "supervisor", {"reason": "force_majeure"})
    ).type == "Conflict"
    await ts_env.sleep(timedelta(hours=2))  # well past the 30-minute response target
    s = await state(handle)
    assert s.clocks["response"].status == "paused"
    s = await act(handle, "resume", "supervisor")
    assert not s.paused and s.clocks["response"].status == "running"
    paused_for = s.pauses[0].end - s.pauses[0].start
    assert paused_for >= timedelta(hours=2)
    for clock in ("response", "diagnosis", "resolution"):
        assert s.clocks[clock].due == before.clocks[clock].due + paused_for
    assert (await rejected(handle, "resume", "support")).type == "Conflict"


async def test_response_clock_breaches_and_is_recorded(ts_env, ts_client, intake, sessions):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await ts_env.sleep(timedelta(minutes=31))
    s = await until(handle, lambda s: s.clocks["response"].status == "breached")
    assert s.clocks["diagnosis"].status == "running"
    s = await act(handle, "acknowledge", "support")
    response = s.clocks["response"]
    assert response.status == "breached" and response.met_at is not None
    assert response.variance_minutes is not None and response.variance_minutes > 0
    assert "clock_breached:response" in timeline_kinds(sessions, s.number)


async def test_response_met_in_time_has_negative_variance(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await ts_env.sleep(timedelta(minutes=10))
    s = await act(handle, "acknowledge", "support")
    assert s.clocks["response"].status == "met"
    assert -21 < s.clocks["response"].variance_minutes < -19


async def test_backdated_report_past_due_is_breached_at_once(ts_env, ts_client, intake):
    registered = await now(ts_env)
    handle = await start(
        ts_client, intake(at=registered, reported_at=registered - timedelta(minutes=45))
    )
    s = await until(handle, lambda s: s.clocks["response"].status == "breached")
    assert s.sla_status == "breached" and s.clocks["diagnosis"].status == "running"


async def test_cancel_rules(ts_env, ts_client, intake):
    early = await start(ts_client, intake(at=await now(ts_env)))
    s = await act(early, "cancel", "intake", {"reason": "customer fixed it"})
    assert s.stage == "cancelled" and s.outcome == "cancelled"
    assert (await finished(early)).stage == "cancelled"

    late = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(late)
    error = await rejected(late, "cancel", "intake", {"reason": "no longer needed"})
    assert error.type == "WrongStage" and "on_site" in error.message
    s = await act(late, "cancel", "supervisor", {"reason": "contract terminated"})
    assert s.stage == "cancelled"


async def test_unreachable_customer_is_retried_then_marked(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "reset"})
    await act(handle, "sign", "customer", SIGNED)
    planned = (await until(handle, lambda s: s.stage == "following_up")).revisits[0].due
    for attempt in (1, 2):
        s = await act(handle, "record_revisit", "revisit", {"unreachable": True})
        assert s.stage == "following_up" and s.revisits[0].attempts == attempt
        # called before it fell due: the next attempt is never earlier than the planned call
        assert s.revisits[0].due >= planned
        planned = s.revisits[0].due
    s = await act(handle, "record_revisit", "revisit", {"unreachable": True})
    assert s.stage == "completed" and s.revisits[0].status == "unreachable"


@pytest.mark.parametrize(
    ("action", "role", "body", "kind", "words"),
    [
        ("check_in", "engineer", {}, "WrongStage", ["registered", "dispatched", "pause"]),
        ("acknowledge", "engineer", {}, "Forbidden", ["engineer", "support"]),
        ("acknowledge", "support", {"note": "x" * 4001}, "InvalidData", ["note"]),
        ("acknowledge", "support", {"colour": "red"}, "InvalidData", ["colour"]),
        ("sign", "customer", {**SIGNED}, "WrongStage", ["registered", "awaiting_signature"]),
        ("sign", "customer", {**SIGNED, "quality": 9}, "InvalidData", ["quality"]),
        ("teleport", "support", {}, "InvalidData", ["teleport"]),
        ("acknowledge", "janitor", {}, "Forbidden", ["janitor"]),
    ],
)
async def test_rejected_actions_name_the_problem_and_change_nothing(
    ts_env, ts_client, intake, action, role, body, kind, words
):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    before = await state(handle)
    error = await rejected(handle, action, role, body)
    assert error.type == kind
    for word in words:
        assert word in error.message
    # (the version moves with the workflow's own bookkeeping, e.g. queuing the registration
    # notice; nothing of the request does)
    assert (await state(handle)).model_dump(exclude={"version"}) == before.model_dump(
        exclude={"version"}
    )
    # Rejected by the validator: the update never entered the history.
    assert await accepted_updates(handle) == 0
    await act(handle, "acknowledge", "support")
    assert await accepted_updates(handle) == 1


async def test_actions_are_held_to_the_actors_own_person(ts_env, ts_client, intake):
    """A client that bypasses the API is held by the validator: another engineer, another
    customer, or a key bound to nobody is refused and nothing enters the history."""
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "lens"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    accepted = await accepted_updates(handle)
    other_engineer = Actor(role="engineer", name="李工", engineer_id="E002", via="api_key")
    error = await rejected(handle, "check_in", "engineer", actor=other_engineer)
    assert error.type == "Forbidden" and "assigned to E001" in error.message
    unbound = Actor(role="engineer", name="someone", via="api_key")
    assert (await rejected(handle, "check_in", "engineer", actor=unbound)).type == "Forbidden"
    assert await accepted_updates(handle) == accepted
    s = await act(handle, "check_in", "engineer")  # E001 itself
    assert s.stage == "on_site"
    await act(handle, "report_repair", "engineer", FIXED)
    accepted = await accepted_updates(handle)
    other_customer = Actor(role="customer", name="x", customer_id="C002", via="api_key")
    error = await rejected(handle, "sign", "customer", SIGNED, actor=other_customer)
    assert error.type == "NotFound" and "awaiting_signature" not in error.message
    assert await accepted_updates(handle) == accepted  # refused before the history
    s = await act(handle, "sign", "customer", SIGNED)  # C001, the request's customer
    assert s.stage in ("closed", "following_up")


async def accepted_updates(handle) -> int:
    events = (await handle.fetch_history()).events
    return sum(e.HasField("workflow_execution_update_accepted_event_attributes") for e in events)


async def test_a_reassignment_does_not_erase_a_breach(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await ts_env.sleep(timedelta(minutes=61))  # Qingdao severity 1: on site within 60 minutes
    await until(handle, lambda s: s.clocks["arrival"].status == "breached")
    s = await act(handle, "assign", "dispatcher", OVERRIDE_E003)
    assert s.clocks["arrival"].status == "running" and s.sla_status == "breached"


async def test_rework_can_send_the_same_engineer_again(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(handle)
    await act(handle, "report_repair", "engineer", FIXED)
    await act(handle, "rework", "supervisor", {"reason": "still broken"})
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "again"})
    s = await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    assert s.stage == "dispatched" and s.engineer == "E001"


async def test_intake_cannot_cancel_once_the_engineer_has_been_on_site(ts_env, ts_client, intake):
    handle = await start(ts_client, intake(at=await now(ts_env)))
    await to_on_site(handle)
    s = await act(handle, "quote", "engineer", QUOTE)
    assert s.stage == "awaiting_approval"  # a stage intake may cancel in, but not now
    error = await rejected(handle, "cancel", "intake", {"reason": "too expensive"})
    assert error.type == "WrongStage" and "supervisor" in error.message
    assert (await act(handle, "cancel", "supervisor", {"reason": "ok"})).stage == "cancelled"

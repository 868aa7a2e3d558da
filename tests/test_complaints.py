"""Complaints (客诉) with their own response clock, and periodic revisit calls, on the
time-skipping server; the complaint deadline as a pure function (SPEC §2)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from temporalio.client import Client, WorkflowHandle

import gateway
from db.tables import ComplaintRow, Notification, RevisitCallRow
from intake.reservation import reserve_complaint
from models.actions import ActionCommand, Actor
from models.complaints import (
    ComplaintPlanRequest,
    ComplaintStart,
    ComplaintState,
    RespondBody,
    RespondCommand,
    complaint_workflow_id,
)
from models.intake import IntakeRequest
from models.profile import SlaProfile
from models.revisits import RevisitCallStart, RevisitCallState, revisit_workflow_id
from sla.deadlines import complaint_due
from tests.sla_fixtures import OFFICE, SHANGHAI, STANDARD
from tests.workflow_helpers import TASK_QUEUE, eventually
from workflows.complaint import ComplaintWorkflow
from workflows.revisit_call import RevisitCallWorkflow


async def complaint_state(handle: WorkflowHandle[Any, Any]) -> ComplaintState:
    return await handle.query(ComplaintWorkflow.state_view)


def outbox(sessions, key: str) -> Notification | None:
    with sessions() as session:
        return session.scalars(select(Notification).where(Notification.key == key)).first()


@pytest.fixture
def hotline(sessions, settings, ts_client):
    """A complaint taken at the hotline, reserved and started as the intake API does."""

    async def open_one(at: datetime, description: str) -> ComplaintStart:
        body = IntakeRequest(
            type="complaint", channel="phone", customer_id="C001", description=description
        )
        start, _ = reserve_complaint(sessions, body, None, settings.timezone, now=at)
        await gateway.start_complaint(ts_client, TASK_QUEUE, start)
        return start

    return open_one


async def test_a_hotline_complaint_is_escalated_when_its_answer_is_late(
    ts_env, ts_client, hotline, sessions
):
    record = await hotline(await ts_env.get_current_time(), "工程师上门迟到两小时且态度恶劣")
    assert record.about is None and record.rework is None and record.source == "intake"
    # standard profile: 1440 minutes on the 24x7 calendar
    assert record.respond_by == record.opened_at + timedelta(hours=24)
    told = await eventually(lambda: outbox(sessions, f"{record.number}/opened"))
    assert told.kind == "complaint_opened" and told.recipients == ["supervisor"]
    assert told.data["reason"] == "工程师上门迟到两小时且态度恶劣"

    complaint = ts_client.get_workflow_handle(complaint_workflow_id(record.number))
    assert (await complaint_state(complaint)).breached_at is None
    await ts_env.sleep(timedelta(hours=25))

    async def breached() -> ComplaintState | None:
        state = await complaint_state(complaint)
        return state if state.breached_at is not None else None

    late = await eventually(breached)
    assert late.breached_at is not None and late.breached_at >= record.respond_by
    assert late.status == "open" and late.clock().status == "breached"
    overdue = await eventually(lambda: outbox(sessions, f"{record.number}/overdue"))
    assert overdue.kind == "complaint_overdue" and overdue.recipients == ["manager"]

    answered = await complaint.execute_update(
        ComplaintWorkflow.respond,
        RespondCommand(
            actor=Actor(role="supervisor", name="test-supervisor"),
            body=RespondBody(response="已登门致歉"),
        ),
    )
    assert answered.status == "responded" and answered.breached_at == late.breached_at
    assert answered.clock().status == "breached"  # answered, but late

    def projected() -> ComplaintRow | None:
        with sessions() as session:
            row = session.get(ComplaintRow, record.number)
            return row if row is not None and row.status == "responded" else None

    row = await eventually(projected)
    assert row.source == "intake" and row.about is None and row.breached_at is not None
    assert row.contact == {"name": "王强", "phone": "+86 532 8000 1001"}  # whom to answer


async def test_only_the_supervisor_answers_a_complaint(ts_env, ts_client, hotline):
    from temporalio.client import WorkflowUpdateFailedError

    record = await hotline(await ts_env.get_current_time(), "电话无人接听")
    complaint = ts_client.get_workflow_handle(complaint_workflow_id(record.number))
    await eventually(lambda: complaint_state(complaint))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await complaint.execute_update(
            ComplaintWorkflow.respond,
            RespondCommand(
                actor=Actor(role="revisit", name="test-revisit"), body=RespondBody(response="x")
            ),
        )
    assert "supervisor" in str(refused.value.cause)
    assert (await complaint_state(complaint)).status == "open"


# ------------------------------------------------------------------ periodic revisit calls
async def start_call(client: Client, due: datetime, customer: str = "C001") -> WorkflowHandle:
    call = RevisitCallStart(
        id=f"revisit_call-{customer}-{uuid.uuid4().hex[:8]}",
        schedule_id=f"revisit_call-{customer}",
        customer_id=customer,
        asset_serial=None,
        channel="phone",
        due=due,
        profile=STANDARD,
    )
    return await client.start_workflow(
        RevisitCallWorkflow.run, call, id=revisit_workflow_id(call.id), task_queue=TASK_QUEUE
    )


async def record(handle: WorkflowHandle, body: dict[str, object]) -> RevisitCallState:
    command = ActionCommand(actor=Actor(role="revisit", name="test-revisit"), body=body)
    return await handle.execute_update(RevisitCallWorkflow.record_revisit, command)


async def test_a_periodic_call_is_retried_then_marked_unreachable(ts_env, ts_client, sessions):
    due = (await ts_env.get_current_time()) + timedelta(hours=2)
    handle = await start_call(ts_client, due)
    call_id = handle.id.removeprefix("revisit-")
    assert outbox(sessions, f"{call_id}/attempt-1") is None  # not due yet
    await ts_env.sleep(timedelta(hours=3))
    told = await eventually(lambda: outbox(sessions, f"{call_id}/attempt-1"))
    assert told.kind == "periodic_revisit_due" and told.data["channel"] == "phone"

    first = await record(handle, {"unreachable": True})
    retry_at = OFFICE.working_days_end(await ts_env.get_current_time(), 1)
    assert first.revisit.status == "due" and first.revisit.attempts == 1
    assert first.revisit.due == retry_at
    await ts_env.sleep(retry_at - await ts_env.get_current_time() + timedelta(minutes=1))
    assert await eventually(lambda: outbox(sessions, f"{call_id}/attempt-2"))

    await record(handle, {"unreachable": True})
    last = await record(handle, {"unreachable": True})  # standard profile: 3 attempts
    assert last.revisit.status == "unreachable" and last.revisit.attempts == 3
    assert last.complaints == []

    def projected() -> RevisitCallRow | None:
        with sessions() as session:
            row = session.get(RevisitCallRow, call_id)
            return row if row is not None and row.status == "unreachable" else None

    row = await eventually(projected)
    assert row.kind == "periodic" and row.attempts == 3


# ------------------------------------------------------------------ the deadline, pure
def with_target(target: dict[str, object] | None) -> SlaProfile:
    document = STANDARD.model_dump(mode="json")
    document["complaints"] = {"response": target} if target else {}
    return SlaProfile.model_validate(document)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_answer_is_due_in_business_time_of_the_profile_calendar() -> None:
    profile = with_target({"calendar": "office", "minutes": 120})
    # Friday 16:30: one office hour left that day, the second from Monday 09:00.
    opened = at("2026-11-20T16:30")
    due = complaint_due(ComplaintPlanRequest(profile=profile, opened_at=opened))
    assert due == at("2026-11-23T10:00")


def test_without_a_target_the_answer_is_due_in_24_hours() -> None:
    opened = at("2026-11-21T22:15")  # a Saturday night: the default counts every hour
    due = complaint_due(ComplaintPlanRequest(profile=with_target(None), opened_at=opened))
    assert due == at("2026-11-22T22:15")


def test_a_complaint_target_names_a_calendar_of_the_profile() -> None:
    with pytest.raises(ValidationError, match=r"complaints\.response: unknown calendar 'night'"):
        with_target({"calendar": "night", "minutes": 60})

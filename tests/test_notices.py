"""Which notices wait for the quiet calendar, which go out at once, and which are dropped when
they no longer hold (SPEC §3, issue 11 items 6–8), on the time-skipping server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.tables import TimelineEventRow
from models.state import ServiceRequestState
from tests.sla_fixtures import OFFICE
from tests.test_workflow_sla import move_to_evening, notifications, now
from tests.workflow_helpers import act, eventually, start, until

SHANGHAI_OFFSET = "+08:00"


def dropped(sessions, number: str) -> dict[str, str]:
    """kind → reason of the notices the request dropped, from its timeline."""
    with sessions() as session:
        rows = session.scalars(
            select(TimelineEventRow).where(
                TimelineEventRow.number == number, TimelineEventRow.kind == "notification_dropped"
            )
        )
        return {r.data["kind"]: r.data["reason"] for r in rows}


async def test_an_evening_request_tells_the_engineer_at_once_and_drops_what_no_longer_holds(
    ts_env, ts_client, intake, sessions
):
    await move_to_evening(ts_env)
    handle = await start(ts_client, intake(at=await now(ts_env), severity=2))
    number = handle.id.removeprefix("service-request-")
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    s = await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})

    # The arrival clock of severity 2 runs 24x7: the engineer is told now, not next morning.
    def told(kind: str, engineer: str | None = None) -> list:
        return [
            n
            for n in notifications(sessions, number)
            if n.kind == kind and (engineer is None or n.data["engineer"] == engineer)
        ]

    (assigned,) = await eventually(lambda: told("assigned"))
    assert assigned.data["engineer_name"] == "张伟"  # the name, not "E001，您好"
    assert assigned.data["address"] and assigned.data["address"] != s.region
    assert "NO_POWER" in assigned.data["fault"] and assigned.data["contact"] != "—"
    assert datetime.fromisoformat(assigned.data["arrival_due"]) == s.clocks["arrival"].due
    assert "张伟，您好" in assigned.body and "上门地址" in assigned.body
    assert assigned.data["address"] in assigned.body

    # Reassigned: the engineer who lost the job is told too, at once.
    reassign = {"engineer_id": "E003", "override": True, "reason": "E001 is ill"}
    await act(handle, "assign", "dispatcher", reassign)
    (lost,) = await eventually(lambda: told("unassigned", "E001"))
    assert lost.data["successor"] == "陈静" and lost.addresses == [
        "E001@engineers.aftersales.local"
    ]

    # The registration courtesy notice still waits for the office to open.
    assert not told("registered")
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "x"})
    # The signing link waits for the office calendar (the signature clock's); the customer
    # signs with the engineer's tablet before then, so the link is dropped, never sent.
    await act(
        handle, "sign", "customer", {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
    )
    await until(handle, lambda s: s.stage == "following_up")
    opening = OFFICE.open_at_or_after(await now(ts_env))
    await ts_env.sleep(opening - await now(ts_env) + timedelta(minutes=1))
    drops = await eventually(
        lambda: len(dropped(sessions, number)) >= 2 and dropped(sessions, number)
    )
    assert set(drops) == {"signing_link", "registered"}
    assert "signature" in drops["signing_link"] and "finished" in drops["registered"]
    kinds = [n.kind for n in notifications(sessions, number)]
    assert "signing_link" not in kinds and "registered" not in kinds


async def test_the_web_ui_details_show_escalations_engineer_names_and_local_minutes(
    ts_env, ts_client, intake
):
    from temporalio.api.sdk.v1 import WorkflowMetadata

    handle = await start(ts_client, intake(at=await now(ts_env), severity=1))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await ts_env.sleep(timedelta(minutes=50))  # 75 % of Qingdao's 60-minute arrival
    await until(handle, lambda s: any(e.clock == "arrival" for e in s.escalations))

    async def details() -> str:
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        return metadata.current_details

    text = await eventually(lambda: _has_escalation(details))
    assert "张伟 (E001)" in text  # the engineer by name
    assert "| level 1 | arrival |" in text
    assert ".000" not in text and "+00:00" not in text  # minutes in the service time zone
    s = await handle.query("state_view", result_type=ServiceRequestState)
    local_due = s.clocks["arrival"].due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local_due:%Y-%m-%d %H:%M}" in text


async def _has_escalation(details) -> str | None:
    text: str = await details()
    return text if "| escalation |" in text else None

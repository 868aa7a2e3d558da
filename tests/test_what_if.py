"""The SLA what-if on requests that really ran (time-skipping server, real workflows): replayed
under the profile versions they ran on, every clock has exactly its recorded outcome; under a
tighter response target, exactly the hand-checked clocks change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from db.demo import STANDARD_PROFILE
from db.profiles import load_profile_file
from db.tables import Asset, Customer
from kpi.periods import Period
from kpi.what_if import compare
from models.profile import SlaProfile
from models.what_if import PeriodFilters
from tests.test_api import FIXED, SIGNED
from tests.test_workflow import QUOTE
from tests.workflow_helpers import act, eventually, start

TZ = "Asia/Shanghai"


@pytest.fixture
def customer(sessions) -> dict[str, str]:
    """A customer of its own (so the period holds only this test's requests), with a camera in
    warranty and one long out of it."""
    cid = f"C-WI-{uuid.uuid4().hex[:6]}"
    with sessions.begin() as session:
        session.add(Customer(id=cid, name="假设分析", region="qingdao", sla_profile="standard"))
        session.flush()
        for serial, invoice, months in (
            (f"{cid}-CAM", date(2026, 6, 1), 36),
            (f"{cid}-OLD", date(2020, 1, 1), 12),
        ):
            session.add(
                Asset(
                    serial=serial,
                    model="HK-DS-2CD",
                    category="camera",
                    customer_id=cid,
                    invoice_date=invoice,
                    acceptance_date=invoice,
                    main_equipment=True,
                    warranty={"start_basis": "invoice", "months": months},
                )
            )
    return {"customer_id": cid, "camera": f"{cid}-CAM", "old": f"{cid}-OLD"}


async def _on_site_fixed(handle: Any, ts_env: Any) -> None:
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await ts_env.sleep(timedelta(minutes=30))
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", FIXED)


async def _run_week(
    ts_env: Any, ts_client: Any, intake: Any, customer: dict[str, str]
) -> dict[str, str]:
    async def begin(severity: int, asset: str = "camera") -> Any:
        at = await ts_env.get_current_time()
        return await start(
            ts_client,
            intake(
                at=at,
                severity=severity,
                customer_id=customer["customer_id"],
                asset_serial=customer[asset],
            ),
        )

    onsite = {"outcome": "needs_onsite", "notes": "x"}
    late = await begin(1)  # acknowledged after 20 of its 30 minutes
    await ts_env.sleep(timedelta(minutes=20))
    await act(late, "acknowledge", "support")
    await act(late, "diagnose", "support", onsite)
    await _on_site_fixed(late, ts_env)
    await act(late, "sign", "customer", SIGNED)

    breached = await begin(1)  # acknowledged after 40 minutes: the response breaches
    await ts_env.sleep(timedelta(minutes=40))
    await act(breached, "acknowledge", "support")
    await act(breached, "diagnose", "support", {"outcome": "resolved_remotely", "notes": "重启"})
    await act(breached, "sign", "customer", SIGNED)

    paused = await begin(1)  # three hours waiting for the customer, then a rework
    await ts_env.sleep(timedelta(minutes=5))
    await act(paused, "acknowledge", "support")
    await act(paused, "pause", "support", {"reason": "awaiting_customer"})
    await ts_env.sleep(timedelta(hours=3))
    await act(paused, "resume", "support")
    await act(paused, "diagnose", "support", onsite)
    await _on_site_fixed(paused, ts_env)
    await act(paused, "rework", "supervisor", {"reason": "still flickers"})
    await act(paused, "diagnose", "support", onsite)
    await _on_site_fixed(paused, ts_env)
    await act(paused, "sign", "customer", SIGNED)

    raised = await begin(2)  # severity 1 after 40 minutes: overdue at once
    await ts_env.sleep(timedelta(minutes=40))
    await act(raised, "change_severity", "supervisor", {"severity": 1, "reason": "line down"})
    await act(raised, "acknowledge", "support")
    await act(raised, "cancel", "supervisor", {"reason": "duplicate"})

    lowered = await begin(1)  # breached at 30 minutes, then lowered to 3: it stays breached
    await ts_env.sleep(timedelta(minutes=40))
    await act(lowered, "change_severity", "supervisor", {"severity": 3, "reason": "not urgent"})
    await act(lowered, "acknowledge", "support")
    await act(lowered, "cancel", "supervisor", {"reason": "withdrawn"})

    quoted = await begin(2, "old")  # out of warranty: three hours awaiting the quote decision
    await act(quoted, "acknowledge", "support")
    await act(quoted, "diagnose", "support", onsite | {"quote": QUOTE})
    await ts_env.sleep(timedelta(hours=3))
    await act(quoted, "approve_quote", "customer")
    await _on_site_fixed(quoted, ts_env)
    await act(quoted, "sign", "customer", SIGNED)
    return {
        name: h.id.removeprefix("service-request-")
        for name, h in (
            ("late", late),
            ("breached", breached),
            ("paused", paused),
            ("raised", raised),
            ("lowered", lowered),
            ("quoted", quoted),
        )
    }


def comparing(
    sessions: Any, customer: dict[str, str], first: date, now: datetime
) -> Callable[[SlaProfile | None], Any]:
    """The customer's requests since `first`, compared under a proposal (None: as they ran)."""
    period = Period(first - timedelta(days=1), now.date() + timedelta(days=1), TZ)
    filters = PeriodFilters(
        **{"from": period.first, "to": period.last, "customer": customer["customer_id"]}
    )

    def result(proposal: SlaProfile | None) -> Any:
        with sessions() as session:
            return compare(session, period, filters, proposal, "test", now)

    return result


async def test_replayed_under_their_own_versions_nothing_changes_and_a_tighter_target_does(
    ts_env, ts_client, intake, customer, sessions
):
    first = (await ts_env.get_current_time()).date()
    numbers = await _run_week(ts_env, ts_client, intake, customer)
    result = comparing(sessions, customer, first, await ts_env.get_current_time())

    await eventually(lambda: result(None).clocks >= 25)  # every record has landed
    replayed = result(None)
    assert replayed.requests == 6
    assert replayed.changed == []
    response = {(c.severity): c.recorded for c in replayed.comparisons if c.clock == "response"}
    assert (response[1].met, response[1].breached, response[1].compliance) == (2, 2, 50.0)
    assert (response[3].met, response[3].breached) == (0, 1)

    tight = load_profile_file(STANDARD_PROFILE)
    body = tight.model_dump(mode="json")
    body["targets"]["response"]["1"]["minutes"] = 15
    proposal = SlaProfile.model_validate(body)
    changed = result(proposal).changed
    assert [(c.number, c.clock, c.recorded, c.proposed) for c in changed] == [
        (numbers["late"], "response", "met", "breached")
    ]
    assert changed[0].proposed_due == changed[0].started_at + timedelta(minutes=15)


async def test_a_proposal_without_the_parts_clocks_compares_the_others(
    ts_env, ts_client, intake, customer, sessions
):
    first = (await ts_env.get_current_time()).date()
    handle = await start(
        ts_client,
        intake(
            at=await ts_env.get_current_time(),
            severity=3,
            customer_id=customer["customer_id"],
            asset_serial=customer["camera"],
        ),
    )
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "x"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await act(handle, "check_in", "engineer")
    parts = {"result": "needs_parts", "work_done": "x", "parts": [{"part_no": "P", "qty": 1}]}
    await act(handle, "report_repair", "engineer", parts)
    await act(handle, "parts_shipped", "dispatcher")
    result = comparing(sessions, customer, first, await ts_env.get_current_time())

    recorded = await eventually(
        lambda: (r := result(None)) and "parts_ship" in {c.clock for c in r.comparisons} and r
    )
    body = load_profile_file(STANDARD_PROFILE).model_dump(mode="json")
    body["targets"] = {k: v for k, v in body["targets"].items() if not k.startswith("parts_")}
    without = result(SlaProfile.model_validate(body))
    assert without.clocks == recorded.clocks - 1 and without.changed == []
    assert "parts_ship" not in {c.clock for c in without.comparisons}

"""Spare parts on the workflow (time-skipping server, the standard profile's 002 settings): the
ship clock from the need, the return clock from the spare's arrival running on after the
signature, breaches that escalate after close too, and completion held for the faulty part."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.common import ClockStatus
from tests.sla_fixtures import OFFICE
from tests.workflow_helpers import act, rejected, start, until

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED = {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}
ANSWERS = {"satisfaction": 5, "solved": True, "attitude": 5}
LENS = {"part_no": "LENS-8MM", "qty": 1, "serials": ["LN-2026-0042"]}
NEEDS_PARTS = {"result": "needs_parts", "work_done": "lens cracked", "parts": [LENS]}


async def move_to_working_day(env, hour: int, minute: int = 0) -> datetime:
    """The test server's clock to the next office working day at `hour`:`minute` (Shanghai)."""
    current = (await env.get_current_time()).astimezone(SHANGHAI)
    day = current.date() + timedelta(days=1)
    while not OFFICE.is_working_date(day):
        day += timedelta(days=1)
    target = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    await env.sleep(target - current)
    return target


def next_working_date(day: date, count: int = 1) -> date:
    while count:
        day += timedelta(days=1)
        count -= OFFICE.is_working_date(day)
    return day


def at_local(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=SHANGHAI)


async def on_site(ts_client, intake, env):
    """A severity 3 request (no loaner) with its engineer on site."""
    handle = await start(ts_client, intake(at=await env.get_current_time(), severity=3))
    await act(handle, "acknowledge", "support")
    await act(handle, "diagnose", "support", {"outcome": "needs_onsite", "notes": "lens"})
    await act(handle, "assign", "dispatcher", {"engineer_id": "E001"})
    await act(handle, "check_in", "engineer")
    return handle


async def test_a_spare_confirmed_before_the_cut_off_ships_today_its_faulty_part_holds_completion(
    ts_env, ts_client, intake
):
    handle = await on_site(ts_client, intake, ts_env)
    confirmed = await move_to_working_day(ts_env, 10)
    s = await act(handle, "report_repair", "engineer", NEEDS_PARTS)
    assert s.stage == "awaiting_parts"
    ship = s.clocks["parts_ship"]
    assert ship.status == ClockStatus.RUNNING and ship.due == at_local(confirmed.date(), "17:30")
    assert "parts_return" not in s.clocks  # not before the spare arrives
    order = s.parts_orders[0]
    assert order.parts[0].serials == ["LN-2026-0042"] and order.confirmed_by.startswith("test-")

    early = await rejected(handle, "faulty_part_returned", "dispatcher", {"appraisal": "x"})
    assert early.type == "Conflict" and "no spare part has arrived" in early.message
    shipped = {"carrier": "SF Express", "tracking_no": "SF1234567890"}
    s = await act(handle, "parts_shipped", "dispatcher", shipped)
    assert s.stage == "awaiting_parts"
    assert s.clocks["parts_ship"].status == ClockStatus.MET
    assert s.parts_orders[0].tracking_no == "SF1234567890"
    twice = await rejected(handle, "parts_shipped", "dispatcher", shipped)
    assert twice.type == "Conflict" and "already shipped" in twice.message

    await ts_env.sleep(timedelta(hours=20))  # the next morning, at the customer
    s = await act(handle, "parts_arrived", "dispatcher")
    arrived = s.parts_orders[0].arrived_at
    assert s.stage == "dispatched" and arrived is not None
    back_by = at_local(next_working_date(arrived.astimezone(SHANGHAI).date(), 10), "17:30")
    assert s.clocks["parts_return"].status == ClockStatus.RUNNING
    assert s.clocks["parts_return"].due == back_by

    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "new lens"})
    s = await act(handle, "sign", "customer", SIGNED)
    # signed and closed, but the customer still owes the faulty part: its clock runs on
    assert s.stage == "following_up"
    assert s.clocks["parts_return"].status == ClockStatus.RUNNING
    assert s.clocks["resolution"].status == ClockStatus.MET
    s = await act(handle, "record_revisit", "revisit", ANSWERS)
    assert s.stage == "following_up"  # every call made, the part not back yet
    done = await rejected(handle, "record_revisit", "revisit", ANSWERS)
    assert done.type == "Conflict" and "waits for the faulty part" in done.message

    returned = {"serials": ["LN-2020-0007"], "appraisal": "water inside the housing"}
    s = await act(handle, "faulty_part_returned", "dispatcher", returned)
    assert s.stage == "completed"
    assert s.clocks["parts_return"].status == ClockStatus.MET
    order = s.parts_orders[0]
    assert order.returned_serials == ["LN-2020-0007"]
    assert order.appraisal == "water inside the housing" and not order.written_off


async def test_late_parts_breach_and_escalate_even_after_close_and_a_write_off_completes(
    ts_env, ts_client, intake
):
    handle = await on_site(ts_client, intake, ts_env)
    confirmed = await move_to_working_day(ts_env, 15)  # after the 14:00 cut-off
    s = await act(handle, "report_repair", "engineer", NEEDS_PARTS)
    next_noon = at_local(next_working_date(confirmed.date()), "12:00")
    assert s.clocks["parts_ship"].due == next_noon

    await ts_env.sleep(next_noon - confirmed + timedelta(minutes=5))
    s = await until(handle, lambda s: s.clocks["parts_ship"].status == ClockStatus.BREACHED)
    assert "parts_ship" in s.breaches
    levels = {e.level for e in s.escalations if e.clock == "parts_ship"}
    assert levels == {1, 2}  # the standard profile's 75 % and 100 % levels for every clock

    s = await act(handle, "parts_arrived", "dispatcher")  # arrived, so it was shipped: late
    assert s.clocks["parts_ship"].status == ClockStatus.BREACHED
    assert s.clocks["parts_ship"].met_at is not None
    await act(handle, "check_in", "engineer")
    await act(handle, "report_repair", "engineer", {"result": "fixed", "work_done": "new lens"})
    await act(handle, "sign", "customer", SIGNED)
    s = await act(handle, "record_revisit", "revisit", ANSWERS)
    assert s.stage == "following_up"

    due = s.clocks["parts_return"].due
    await ts_env.sleep(due - await ts_env.get_current_time() + timedelta(minutes=5))
    s = await until(handle, lambda s: s.clocks["parts_return"].status == ClockStatus.BREACHED)
    assert s.stage == "following_up"
    assert {e.level for e in s.escalations if e.clock == "parts_return"} == {1, 2}

    bad = await rejected(handle, "faulty_part_returned", "dispatcher", {"written_off": True})
    assert bad.type == "InvalidData" and "needs a reason" in bad.message
    engineer = await rejected(handle, "faulty_part_returned", "engineer", {"appraisal": "x"})
    assert engineer.type == "Forbidden"
    gone = {"written_off": True, "reason": "the customer scrapped it"}
    s = await act(handle, "faulty_part_returned", "supervisor", gone)
    assert s.stage == "completed"
    assert s.parts_orders[0].written_off
    assert s.parts_orders[0].write_off_reason == "the customer scrapped it"
    # breached, and reached late: the breach stays on record
    assert s.clocks["parts_return"].status == ClockStatus.BREACHED
    assert s.clocks["parts_return"].met_at is not None


async def test_a_factory_repair_orders_no_spare(ts_env, ts_client, intake):
    handle = await on_site(ts_client, intake, ts_env)
    s = await act(
        handle, "report_repair", "engineer", {"result": "needs_factory_repair", "work_done": "x"}
    )
    assert s.stage == "awaiting_parts" and not s.parts_orders
    assert "parts_ship" not in s.clocks
    no_order = await rejected(handle, "parts_shipped", "dispatcher")
    assert no_order.type == "Conflict" and "factory repair" in no_order.message
    s = await act(handle, "parts_arrived", "dispatcher")
    assert s.stage == "dispatched" and "parts_return" not in s.clocks

"""Waiting for spare parts (备件, 002 and P4): the need the engineer reported, the spare
shipped by the ship clock's deadline and arrived, and the faulty part back for appraisal
within the return clock's working days — which runs on after the repair is signed."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows.rejections import CONFLICT, reject
from workflows.service_request.follow_up import follow_up_done
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Role, Stage
    from models.state import PartsOrder


async def await_parts(r: Request, actor: a.Actor, data: dict[str, Any]) -> None:
    """The repair waits for parts: a spare part needed (the order and its ship clock) or the
    unit at the factory."""
    repair = r.state.repair
    if repair is not None and repair.result == "needs_parts":
        r.state.parts_orders.append(
            PartsOrder(parts=repair.parts, confirmed_at=workflow.now(), confirmed_by=actor.label)
        )
        await _start_if_planned(r, ClockName.PARTS_SHIP)
    r.move(Stage.AWAITING_PARTS, actor, data)


def check_shipped(r: Request, body: a.PartsShippedBody, role: Role, current: bool) -> None:
    order = _latest(r)
    if order is None:
        raise reject(CONFLICT, "no spare part is on order: the unit waits for a factory repair")
    if order.shipped_at is not None:
        shipped = order.shipped_at.isoformat()
        raise reject(CONFLICT, f"the spare part was already shipped at {shipped}")


async def parts_shipped(r: Request, actor: a.Actor, body: a.PartsShippedBody) -> None:
    order = _latest(r)
    assert order is not None  # the validator checked
    order.shipped_at = workflow.now()
    order.carrier, order.tracking_no = body.carrier, body.tracking_no
    r.stop_clock(ClockName.PARTS_SHIP)
    r.emit("parts_shipped", actor, body.model_dump(exclude_none=True))


async def parts_arrived(r: Request, actor: a.Actor, body: a.PartsArrivedBody) -> None:
    """The same engineer goes back; the customer has the spare, so its faulty part is due."""
    order = _latest(r)
    if order is not None and order.arrived_at is None:
        order.arrived_at = workflow.now()
        r.stop_clock(ClockName.PARTS_SHIP)  # it arrived, so it was shipped
        await _start_if_planned(r, ClockName.PARTS_RETURN)
    r.move(Stage.DISPATCHED, actor, {"engineer": r.state.engineer})


def check_returned(r: Request, body: a.FaultyPartReturnedBody, role: Role, current: bool) -> None:
    order = _latest(r)
    if order is None or order.arrived_at is None:
        raise reject(
            CONFLICT, "no spare part has arrived for this request: no faulty part is awaited"
        )
    if order.returned_at is not None:
        what = "written off" if order.written_off else "returned"
        at = order.returned_at.isoformat()
        raise reject(CONFLICT, f"the faulty part was already {what} at {at}")


async def faulty_part_returned(r: Request, actor: a.Actor, body: a.FaultyPartReturnedBody) -> None:
    order = _latest(r)
    assert order is not None  # the validator checked
    order.returned_at, order.returned_serials = workflow.now(), body.serials
    order.appraisal, order.written_off = body.appraisal, body.written_off
    order.write_off_reason = body.reason
    r.stop_clock(ClockName.PARTS_RETURN)
    r.emit("faulty_part_returned", actor, body.model_dump(exclude_none=True, exclude_defaults=True))
    if r.state.stage == Stage.FOLLOWING_UP and follow_up_done(r):
        r.move(Stage.COMPLETED, actor)


async def _start_if_planned(r: Request, name: ClockName) -> None:
    """Parts clocks run where the profile sets their targets."""
    if name in r.profile.targets:
        r.start_clock(name)
        await r.plan_clocks()


def _latest(r: Request) -> PartsOrder | None:
    return r.state.parts_orders[-1] if r.state.parts_orders else None

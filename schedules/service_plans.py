"""A customer's contract schedules follow its profile's `service_plan` ("monthly call, quarterly
visit, at least 2 inspections a year"): applying the plan creates the missing schedules, gives
changed ones their new timing (a paused one stays paused) and deletes those the plan dropped.

Contract-wide schedules (no asset) belong to the plan; schedules for one asset are the admin's
and are left alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from db.profiles import latest_profile
from db.schedules import defined, forget, remember
from db.session import SessionFactory, transaction
from db.tables import Customer
from models.schedules import ScheduleDefinition, ScheduledRun, plan_definition, schedule_id
from schedules.temporal import create_in_temporal, exists_in_temporal, replace_in_temporal


class UnknownCustomer(LookupError):
    pass


class PlanConflict(Exception):
    """A planned schedule's ID is already taken by a schedule of something else (IDs join
    customer and asset with hyphens, which identifiers may contain too)."""


@dataclass
class PlanApplied:
    planned: dict[str, ScheduleDefinition]
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def planned_schedules(sessions: SessionFactory, customer_id: str) -> dict[str, ScheduleDefinition]:
    with sessions() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise UnknownCustomer(f"there is no customer {customer_id!r}")
        found = latest_profile(session, customer.sla_profile)
    plan = found[0].service_plan if found else []
    return {
        schedule_id(planned.kind, customer_id): plan_definition(customer_id, planned)
        for planned in plan
    }


async def apply_service_plan(
    client: Client, sessions: SessionFactory, customer_id: str, task_queue: str, time_zone: str
) -> PlanApplied:
    """Safe to run again: a second run changes nothing."""
    wanted = await asyncio.to_thread(planned_schedules, sessions, customer_id)
    stored = await asyncio.to_thread(_stored, sessions)
    kept = {
        sid: (definition, paused)
        for sid, (definition, paused) in stored.items()
        if definition.customer_id == customer_id and definition.asset_serial is None
    }
    applied = PlanApplied(planned=wanted)
    for sid, definition in wanted.items():
        if sid in stored and not _same_contract(stored[sid][0], definition):
            owner = stored[sid][0]
            raise PlanConflict(
                f"schedule {sid} already exists for {owner.customer_id}"
                + (f"'s asset {owner.asset_serial}" if owner.asset_serial else "")
                + "; delete it or rename the customer before applying this plan"
            )
    for sid, definition in wanted.items():
        run = ScheduledRun(schedule_id=sid, definition=definition, time_zone=time_zone)
        handle = client.get_schedule_handle(sid)
        paused = kept[sid][1] if sid in kept else False
        if not await exists_in_temporal(handle):
            await create_in_temporal(client, run, task_queue, "service plan", paused)
            applied.created.append(sid)
        elif sid not in kept or kept[sid][0] != definition:
            await replace_in_temporal(handle, run, task_queue)
            applied.updated.append(sid)
        else:
            applied.unchanged.append(sid)
        await asyncio.to_thread(_keep, sessions, sid, definition, paused)
    for sid in sorted(set(kept) - set(wanted)):
        try:
            await client.get_schedule_handle(sid).delete()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        await asyncio.to_thread(_drop, sessions, sid)
        applied.removed.append(sid)
    return applied


def _stored(sessions: SessionFactory) -> dict[str, tuple[ScheduleDefinition, bool]]:
    with sessions() as session:
        return {sid: (definition, paused) for sid, definition, paused in defined(session)}


def _same_contract(a: ScheduleDefinition, b: ScheduleDefinition) -> bool:
    return (a.kind, a.customer_id, a.asset_serial) == (b.kind, b.customer_id, b.asset_serial)


def _keep(sessions: SessionFactory, sid: str, definition: ScheduleDefinition, paused: bool) -> None:
    with transaction(sessions) as session:
        remember(session, sid, definition, paused)


def _drop(sessions: SessionFactory, sid: str) -> None:
    with transaction(sessions) as session:
        forget(session, sid)

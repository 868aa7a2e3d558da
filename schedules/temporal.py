"""Contract schedules on Temporal (periodic revisit calls, visits and preventive inspections):
the Temporal Schedule of a definition, and creating, reading and replacing one.

The ID is derived from kind, customer and asset, the definition travels as the scheduled
workflow's input (read back from the schedule's action, so an update is seen at once), and
the memo and summary let the Web UI's schedules page explain each one.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from models.common import WEEKDAYS
from models.errors import NotFound
from models.schedules import MEMO_KEY, WORKFLOW_TYPE, ScheduledRun, ScheduleView
from models.service_plan import MONTHS


def build_schedule(run: ScheduledRun, task_queue: str, paused: bool = False) -> Schedule:
    """The Temporal schedule of a definition: one calendar slot per period, in the service
    time zone (so 09:00 stays 09:00 local whatever UTC does)."""
    d = run.definition
    of = f"{d.asset_serial} ({d.customer_id})" if d.asset_serial else f"contract {d.customer_id}"
    label = f"{d.kind.replace('_', ' ')} of {of}, {d.every}"
    when = f"{d.when} {run.time_zone}"
    if d.every == "weekly":
        assert d.weekday is not None  # the timing's rule
        # Temporal counts the week from Sunday (0); `WEEKDAYS` from Monday.
        days = {"day_of_week": [ScheduleRange((WEEKDAYS.index(d.weekday) + 1) % 7)]}
    else:
        days = {
            "day_of_month": [ScheduleRange(d.day_of_month)],
            "month": [ScheduleRange(m) for m in MONTHS[d.every]],
        }
    calendar = ScheduleCalendarSpec(
        second=[ScheduleRange(0)],
        minute=[ScheduleRange(0)],
        hour=[ScheduleRange(d.hour)],
        comment=f"{d.every}, {when}",
        **days,
    )
    return Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW_TYPE,
            run,
            # Temporal appends the scheduled time: every run has its own workflow ID.
            id=run.schedule_id,
            task_queue=task_queue,
            static_summary=label,
            static_details=f"{when}. Moved to the next working date of the customer's office "
            f"calendar on holidays.{' Note: ' + d.note if d.note else ''}",
        ),
        spec=ScheduleSpec(calendars=[calendar], time_zone_name=run.time_zone),
        # A run may wait days for a working date; the next period never needs to overlap it.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=d.note or label, paused=paused),
    )


async def describe(client: Client, sid: str) -> tuple[ScheduleHandle, ScheduleDescription]:
    handle = client.get_schedule_handle(sid)
    try:
        return handle, await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"there is no schedule {sid!r}") from exc
        raise


async def view(client: Client, sid: str, description: ScheduleDescription) -> ScheduleView:
    action = description.schedule.action
    if not isinstance(action, ScheduleActionStartWorkflow) or action.workflow != WORKFLOW_TYPE:
        raise NotFound(f"there is no schedule {sid!r}")
    # Described actions keep their arguments encoded; the client's converter reads them.
    [run] = await client.data_converter.decode(list(action.args), [ScheduledRun])
    state, info = description.schedule.state, description.info
    return ScheduleView(
        id=sid,
        definition=run.definition,
        paused=state.paused,
        note=state.note,
        next_runs=info.next_action_times[:5],
        recent_runs=[a.scheduled_at for a in info.recent_actions],
    )


async def create_in_temporal(
    client: Client, run: ScheduledRun, task_queue: str, created_by: str, paused: bool = False
) -> None:
    body = run.definition
    memo: dict[str, Any] = {
        MEMO_KEY: {
            "kind": body.kind,
            "customer_id": body.customer_id,
            "asset_serial": body.asset_serial,
            "created_by": created_by,
        },
    }
    schedule = build_schedule(run, task_queue, paused)
    await client.create_schedule(run.schedule_id, schedule, memo=memo)


async def exists_in_temporal(handle: ScheduleHandle) -> bool:
    try:
        await handle.describe()
        return True
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise


async def replace_in_temporal(handle: ScheduleHandle, run: ScheduledRun, task_queue: str) -> None:
    """Give an existing schedule a new definition; whether it is paused stays (an edit of the
    timing is not an unpause)."""

    def replace(update: ScheduleUpdateInput) -> ScheduleUpdate:
        paused = update.description.schedule.state.paused
        return ScheduleUpdate(schedule=build_schedule(run, task_queue, paused))

    await handle.update(replace)

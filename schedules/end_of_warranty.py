"""The daily Temporal Schedule of the end-of-warranty inspections: at 06:00 in the service time
zone, before the dispatchers start, each run registering the inspections due that day."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from models.schedules import END_OF_WARRANTY_SCHEDULE, END_OF_WARRANTY_WORKFLOW
from schedules.temporal import exists_in_temporal

HOUR = 6


def build_end_of_warranty_schedule(timezone: str, task_queue: str) -> Schedule:
    daily = ScheduleCalendarSpec(
        second=[ScheduleRange(0)],
        minute=[ScheduleRange(0)],
        hour=[ScheduleRange(HOUR)],
        comment=f"daily {HOUR:02d}:00",
    )
    return Schedule(
        action=ScheduleActionStartWorkflow(
            END_OF_WARRANTY_WORKFLOW,
            id=END_OF_WARRANTY_SCHEDULE,
            task_queue=task_queue,
            static_summary="end-of-warranty inspections",
        ),
        spec=ScheduleSpec(calendars=[daily], time_zone_name=timezone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(
            note="registers an inspection of each asset the profile's end_of_warranty "
            "working days before its warranty ends"
        ),
    )


async def ensure_end_of_warranty_schedule(
    client: Client, timezone: str, task_queue: str
) -> list[str]:
    """Create the schedule when it is missing (one that exists is left as the admin has it)."""
    handle = client.get_schedule_handle(END_OF_WARRANTY_SCHEDULE)
    if await exists_in_temporal(handle):
        return []
    await client.create_schedule(
        END_OF_WARRANTY_SCHEDULE, build_end_of_warranty_schedule(timezone, task_queue)
    )
    return [END_OF_WARRANTY_SCHEDULE]

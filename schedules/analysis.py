"""The Temporal Schedules of the periodic analysis reports: weekly on Mondays, monthly on the
1st, half-yearly on 1 January and 1 July, at 07:00 in the service time zone, each making the
report of the period that just ended (`ANALYSIS_REPORTS` says which)."""

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

from models.analysis import WORKFLOW_TYPE, AnalysisKind, AnalysisRun, schedule_id
from schedules.temporal import exists_in_temporal

HOUR = 7


def _calendar(kind: AnalysisKind) -> ScheduleCalendarSpec:
    at = {"second": [ScheduleRange(0)], "minute": [ScheduleRange(0)], "hour": [ScheduleRange(HOUR)]}
    if kind == "weekly":
        return ScheduleCalendarSpec(**at, day_of_week=[ScheduleRange(1)], comment="Mondays 07:00")
    if kind == "monthly":
        return ScheduleCalendarSpec(**at, day_of_month=[ScheduleRange(1)], comment="the 1st, 07:00")
    return ScheduleCalendarSpec(
        **at,
        day_of_month=[ScheduleRange(1)],
        month=[ScheduleRange(1), ScheduleRange(7)],
        comment="1 January and 1 July, 07:00",
    )


def build_analysis_schedule(kind: AnalysisKind, timezone: str, task_queue: str) -> Schedule:
    label = f"{kind.replace('_', '-')} analysis report"
    return Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW_TYPE,
            AnalysisRun(kind=kind, timezone=timezone),
            id=schedule_id(kind),
            task_queue=task_queue,
            static_summary=label,
        ),
        spec=ScheduleSpec(calendars=[_calendar(kind)], time_zone_name=timezone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=f"{label}: the KPIs of the period that just ended, as a PDF"),
    )


async def ensure_analysis_schedules(
    client: Client, kinds: tuple[AnalysisKind, ...], timezone: str, task_queue: str
) -> list[str]:
    """Create the schedules that are missing (one that exists is left as the admin has it);
    the IDs created."""
    created = []
    for kind in kinds:
        sid = schedule_id(kind)
        if not await exists_in_temporal(client.get_schedule_handle(sid)):
            await client.create_schedule(sid, build_analysis_schedule(kind, timezone, task_queue))
            created.append(sid)
    return created

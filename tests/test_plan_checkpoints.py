"""Planning from checkpoints (`ClockPlan.checkpoints`) gives exactly what planning from each
clock's start with the whole pause history gives: a request paused a thousand times needs only
the pauses since its last plan, and nothing about its deadlines changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.plan import Checkpoint, ClockPlan
from sla.deadlines import plan
from tests.sla_fixtures import STANDARD, local

REPORTED = local("2026-09-29 16:40")  # a Tuesday before the National Day holidays


def fold(pauses: list[Interval], checkpoints: dict[ClockName, Checkpoint]) -> list[Interval]:
    """What the workflow keeps: the pauses that end after the earliest checkpoint."""
    if not checkpoints:
        return pauses
    earliest = min(point.at for point in checkpoints.values())
    return [p for p in pauses if p.end is None or p.end > earliest]


steps = st.lists(
    st.tuples(
        st.sampled_from(["pause", "resume", "severity", "plan"]),
        st.integers(min_value=1, max_value=36 * 60),  # minutes since the previous step
        st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=250, deadline=None)
@given(
    st.integers(min_value=1, max_value=4),
    st.sampled_from(["qingdao", "jinan"]),
    st.integers(min_value=0, max_value=3 * 24 * 60),
    steps,
)
def test_a_plan_from_checkpoints_equals_the_plan_from_the_whole_history(
    severity, region, offset, steps
):
    reported = REPORTED + timedelta(minutes=offset)
    starts = {name: reported for name in (ClockName.RESPONSE, ClockName.RESOLUTION)}
    every: list[Interval] = []  # the whole pause history
    kept: list[Interval] = []  # what the checkpointed side still holds
    checkpoints: dict[ClockName, Checkpoint] = {}
    now = reported
    for kind, minutes, new_severity in steps:
        now += timedelta(minutes=minutes)
        if kind == "pause" and (not every or every[-1].end is not None):
            every.append(Interval(start=now))
            kept.append(Interval(start=now))
        elif kind == "resume" and every and every[-1].end is None:
            every[-1] = Interval(start=every[-1].start, end=now)
            kept[-1] = Interval(start=kept[-1].start, end=now)
        elif kind == "severity":
            severity = new_severity
        full = plan(request(severity, region, starts, every))
        stepped = plan(request(severity, region, starts, kept, checkpoints, now))
        assert stepped.due == full.due, (kind, now)
        assert stepped.escalations == full.escalations, (kind, now)
        checkpoints = stepped.checkpoints
        kept = fold(kept, checkpoints)
        # every step planned as of now: only an open pause is still needed
        assert len(kept) <= 1 and all(p.end is None for p in kept)


def request(
    severity: int,
    region: str,
    starts: dict[ClockName, datetime],
    pauses: list[Interval],
    checkpoints: dict[ClockName, Checkpoint] | None = None,
    as_of: datetime | None = None,
) -> ClockPlanRequest:
    return ClockPlanRequest(
        profile=STANDARD,
        severity=severity,
        region=region,
        starts=starts,
        pauses=pauses,
        checkpoints=checkpoints or {},
        as_of=as_of,
    )


def test_a_thousand_pauses_leave_one_to_send():
    """The request of the history-bound test: each resume's plan needs only the pause it ends."""
    starts = {ClockName.RESOLUTION: REPORTED}
    kept: list[Interval] = []
    checkpoints: dict[ClockName, Checkpoint] = {}
    now = REPORTED
    result: ClockPlan | None = None
    for _ in range(1000):
        kept.append(Interval(start=now, end=now + timedelta(minutes=1)))
        now += timedelta(minutes=2)
        result = plan(request(3, "jinan", starts, kept, checkpoints, now))
        checkpoints = result.checkpoints
        kept = fold(kept, checkpoints)
        assert kept == []
    assert result is not None
    full = plan(
        request(
            3,
            "jinan",
            starts,
            [
                Interval(
                    start=REPORTED + timedelta(minutes=2 * i),
                    end=REPORTED + timedelta(minutes=2 * i + 1),
                )
                for i in range(1000)
            ],
        )
    )
    assert result.due == full.due and result.escalations == full.escalations

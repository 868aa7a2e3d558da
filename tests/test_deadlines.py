"""Pause-aware deadlines of SPEC §3 on the first (24x7) engine."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.demo import STANDARD_PROFILE, load_profile_file
from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.profile import Target
from sla.deadlines import business_minutes_target, merge, pause_aware_due, plan

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 22, 10, tzinfo=TZ)
PROFILE = load_profile_file(STANDARD_PROFILE)


def at(hhmm, day=20):
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hours, minutes, tzinfo=TZ)


def pause(start, end=None):
    return Interval(start=at(start), end=at(end) if end else None)


@pytest.mark.parametrize(
    ("minutes", "pauses", "due"),
    [
        (30, [], at("22:40")),
        (0, [], START),
        (0, [pause("22:10", "23:00")], START),
        (30, [pause("20:00", "21:00")], at("22:40")),
        (30, [pause("21:00", "22:10")], at("22:40")),
        (30, [pause("22:20", "22:35")], at("22:55")),
        (30, [pause("22:00", "22:20")], at("22:50")),
        (30, [pause("22:20", "22:35"), pause("22:30", "22:45")], at("23:05")),
        (30, [pause("22:30", "22:45"), pause("22:20", "22:35")], at("23:05")),
        (30, [pause("22:20", "22:30"), pause("22:30", "22:40")], at("23:00")),
        (30, [pause("22:40", "23:00")], at("22:40")),
        (30, [pause("23:00", "23:30")], at("22:40")),
        (180, [Interval(start=at("23:00"), end=at("00:30", day=21))], at("02:40", day=21)),
        (30, [pause("22:20")], None),
        (30, [pause("21:00")], None),
        (30, [pause("22:20", "22:25"), pause("22:30")], None),
        (30, [pause("23:00")], at("22:40")),
        (30, [pause("22:40")], at("22:40")),
    ],
)
def test_pause_aware_due(minutes, pauses, due):
    assert pause_aware_due(START, minutes, pauses) == due


def test_pause_aware_due_across_time_zones():
    utc = ZoneInfo("UTC")
    held = Interval(start=datetime(2026, 11, 20, 14, 20, tzinfo=utc), end=at("22:35"))
    assert pause_aware_due(START, 30, [held]) == at("22:55")


def test_merge_joins_overlapping_adjacent_and_open_pauses():
    assert merge([pause("22:30", "22:45"), pause("22:20", "22:35")]) == [pause("22:20", "22:45")]
    assert merge([pause("22:20", "22:30"), pause("22:30", "22:40")]) == [pause("22:20", "22:40")]
    assert merge([pause("22:20"), pause("22:30", "22:40")]) == [pause("22:20")]
    assert merge([pause("23:00", "23:10"), pause("22:00", "22:10")]) == [
        pause("22:00", "22:10"),
        pause("23:00", "23:10"),
    ]


# Hypothesis: instants are whole minutes from START so the expected values are exact.
offsets = st.integers(min_value=-600, max_value=3000)
closed_pauses = st.lists(st.tuples(offsets, st.integers(min_value=0, max_value=600)), max_size=6)
minutes = st.integers(min_value=0, max_value=2000)


def intervals(pairs):
    return [
        Interval(start=START + timedelta(minutes=a), end=START + timedelta(minutes=a + n))
        for a, n in pairs
    ]


@given(minutes)
def test_without_pauses_due_is_start_plus_minutes(m):
    assert pause_aware_due(START, m, []) == START + timedelta(minutes=m)


@given(closed_pauses, minutes, minutes)
def test_due_never_moves_earlier_when_minutes_grow(pairs, m1, m2):
    low, high = sorted((m1, m2))
    assert pause_aware_due(START, low, intervals(pairs)) <= pause_aware_due(
        START, high, intervals(pairs)
    )


@given(closed_pauses, st.tuples(offsets, st.integers(min_value=0, max_value=600)), minutes)
def test_due_never_moves_earlier_when_a_pause_is_added(pairs, extra, m):
    before = pause_aware_due(START, m, intervals(pairs))
    assert pause_aware_due(START, m, intervals([*pairs, extra])) >= before


@given(closed_pauses, st.data(), minutes)
def test_due_does_not_depend_on_how_pauses_are_split_or_ordered(pairs, data, m):
    due = pause_aware_due(START, m, intervals(pairs))
    shuffled = data.draw(st.permutations(pairs))
    assert pause_aware_due(START, m, intervals(shuffled)) == due
    if pairs:
        i = data.draw(st.integers(0, len(pairs) - 1))
        a, n = pairs[i]
        cut = data.draw(st.integers(0, n))
        split = [*pairs[:i], (a, cut), (a + cut, n - cut), *pairs[i + 1 :]]
        assert pause_aware_due(START, m, intervals(split)) == due


@given(closed_pauses, minutes)
def test_unpaused_time_between_start_and_due_is_exactly_the_target(pairs, m):
    due = pause_aware_due(START, m, intervals(pairs))
    length = int((due - START) / timedelta(minutes=1))
    paused = {t for a, n in pairs for t in range(a, a + n)}
    assert due - START == timedelta(minutes=length)
    assert length - len(paused & set(range(length))) == m


@pytest.mark.parametrize(
    ("severity", "region", "clock", "minutes"),
    [
        (1, "qingdao", ClockName.ARRIVAL, 60),
        (1, "jinan", ClockName.ARRIVAL, 240),
        (2, "qingdao", ClockName.ARRIVAL, 480),
        (1, "qingdao", ClockName.RESPONSE, 30),
        (4, "jinan", ClockName.RESOLUTION, 10 * 1440),
    ],
)
def test_plan_on_the_standard_profile(severity, region, clock, minutes):
    request = ClockPlanRequest(
        profile=PROFILE, severity=severity, region=region, starts={clock: START}
    )
    assert plan(request).due == {clock: START + timedelta(minutes=minutes)}


def test_plan_pauses_every_clock_and_leaves_the_due_open_while_paused():
    starts = {ClockName.RESPONSE: START, ClockName.RESOLUTION: START}
    closed = ClockPlanRequest(
        profile=PROFILE,
        severity=1,
        region="jinan",
        starts=starts,
        pauses=[pause("22:20", "22:35")],
    )
    assert plan(closed).due == {
        ClockName.RESPONSE: at("22:55"),
        ClockName.RESOLUTION: at("22:25", day=21),
    }
    still_open = closed.model_copy(update={"pauses": [pause("22:20")]})
    assert plan(still_open).due == {ClockName.RESPONSE: None, ClockName.RESOLUTION: None}


@pytest.mark.parametrize(
    ("target", "minutes"),
    [
        (Target(calendar="24x7", minutes=90), 90),
        (Target(calendar="office", working_days=10), 14400),
        (Target(calendar="office", working_days=0), 0),
    ],
)
def test_business_minutes_target(target, minutes):
    assert business_minutes_target(target) == minutes

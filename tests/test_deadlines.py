"""Pause-aware deadlines of SPEC §3: exact cases on 24x7 and properties on every calendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.profile import Target
from sla.deadlines import business_time_outside, elapse, merge, plan, target_amount
from tests.sla_fixtures import (
    BERLIN_24X7,
    BERLIN_OFFICE,
    H24,
    NATIONAL_DAY,
    OFFICE,
    SEVEN_BY_EIGHT,
    STANDARD,
)

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 22, 10, tzinfo=TZ)
PROFILE = STANDARD


def pause_aware_due(start, m, pauses):
    """On 24x7 every minute is a business minute, so expected instants are plain sums."""
    return elapse(H24, start, timedelta(minutes=m), pauses)


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
    ],
)
def test_plan_on_the_standard_profile(severity, region, clock, minutes):
    request = ClockPlanRequest(
        profile=PROFILE, severity=severity, region=region, starts={clock: START}
    )
    assert plan(request).due == {clock: START + timedelta(minutes=minutes)}


def test_plan_uses_the_office_calendar_for_working_days():
    # severity 4 resolution: 10 working days from a Friday evening, day 0 being that Friday
    request = ClockPlanRequest(
        profile=PROFILE, severity=4, region="jinan", starts={ClockName.RESOLUTION: START}
    )
    assert plan(request).due == {ClockName.RESOLUTION: datetime(2026, 12, 4, 17, 30, tzinfo=TZ)}


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
    ("target", "amount"),
    [
        (Target(calendar="24x7", minutes=90), timedelta(minutes=90)),
        (Target(calendar="office", working_days=0), timedelta(0)),
        (Target(calendar="office", working_days=1), timedelta(hours=7)),  # Monday 23 Nov
    ],
)
def test_target_amount(target, amount):
    assert target_amount(OFFICE, target, START) == amount


# ------------------------------------------------ properties on real business calendars
CALENDARS = st.sampled_from([OFFICE, NATIONAL_DAY, SEVEN_BY_EIGHT, BERLIN_OFFICE, H24])
BASE = datetime(2026, 9, 20, tzinfo=TZ)
instants = st.integers(min_value=0, max_value=120 * 24 * 60).map(
    lambda m: BASE + timedelta(minutes=m)
)
amounts = st.integers(min_value=0, max_value=6000).map(lambda m: timedelta(minutes=m))
pause_lists = st.lists(st.tuples(st.integers(-600, 8000), st.integers(0, 3000)), max_size=5)


def pauses_from(start, pairs):
    """Pauses `a` minutes after `start` lasting `n` minutes, in elapsed time (wall-clock
    arithmetic across a daylight-saving change would make some end before they start)."""
    base = start.astimezone(UTC)
    return [
        Interval(start=base + timedelta(minutes=a), end=base + timedelta(minutes=a + n))
        for a, n in pairs
    ]


@given(CALENDARS, instants, amounts)
def test_business_time_up_to_add_is_the_amount(calendar, start, amount):
    assert calendar.business_time(start, calendar.add(start, amount)) == amount


#: Berlin wall-clock starts around both 2026 daylight-saving changes.
berlin_starts = st.sampled_from(["2026-03-27", "2026-10-23"]).flatmap(
    lambda day: st.integers(0, 5 * 24 * 60).map(
        lambda m: (
            datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Berlin"))
            + timedelta(minutes=m)
        )
    )
)


@given(st.sampled_from([BERLIN_OFFICE, BERLIN_24X7]), berlin_starts, amounts, pause_lists)
def test_daylight_saving_loses_or_adds_no_business_time(calendar, start, amount, pairs):
    pauses = pauses_from(start, pairs)
    due = elapse(calendar, start, amount, pauses)
    assert business_time_outside(calendar, start, due, pauses) == amount
    assert calendar.business_time(start, calendar.add(start, amount)) == amount


@given(CALENDARS, instants, amounts, amounts, pause_lists)
def test_deadline_never_moves_earlier_with_more_minutes(calendar, start, a, b, pairs):
    low, high = sorted((a, b))
    pauses = pauses_from(start, pairs)
    assert elapse(calendar, start, low, pauses) <= elapse(calendar, start, high, pauses)


@given(
    CALENDARS,
    instants,
    amounts,
    pause_lists,
    st.tuples(st.integers(-600, 8000), st.integers(0, 3000)),
)
def test_deadline_never_moves_earlier_with_another_pause(calendar, start, amount, pairs, extra):
    before = elapse(calendar, start, amount, pauses_from(start, pairs))
    assert elapse(calendar, start, amount, pauses_from(start, [*pairs, extra])) >= before


@given(CALENDARS, instants, st.integers(min_value=1, max_value=6000), pause_lists)
def test_deadline_is_inside_a_window_or_at_its_end(calendar, start, m, pairs):
    due = elapse(calendar, start, timedelta(minutes=m), pauses_from(start, pairs))
    assert any(ws < due <= we for ws, we in calendar.windows(calendar.local_date(due))) or any(
        ws < due <= we for ws, we in calendar.windows(calendar.local_date(due) - timedelta(days=1))
    )


@given(CALENDARS, instants, amounts, pause_lists, st.data())
def test_deadline_does_not_depend_on_how_the_pause_history_is_split(
    calendar, start, amount, pairs, data
):
    due = elapse(calendar, start, amount, pauses_from(start, pairs))
    assert (
        elapse(calendar, start, amount, pauses_from(start, data.draw(st.permutations(pairs))))
        == due
    )
    if pairs:
        i = data.draw(st.integers(0, len(pairs) - 1))
        a, n = pairs[i]
        cut = data.draw(st.integers(0, n))
        split = [*pairs[:i], (a, cut), (a + cut, n - cut), *pairs[i + 1 :]]
        assert elapse(calendar, start, amount, pauses_from(start, split)) == due


@given(CALENDARS, instants, amounts, pause_lists)
def test_business_time_outside_pauses_up_to_the_deadline_is_the_amount(
    calendar, start, amount, pairs
):
    pauses = pauses_from(start, pairs)
    due = elapse(calendar, start, amount, pauses)
    assert business_time_outside(calendar, start, due, pauses) == amount

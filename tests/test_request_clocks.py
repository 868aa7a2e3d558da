"""`sla.clocks.RequestClocks`: the clock machinery the request workflow drives, without
Temporal — exact instants, and properties over random sequences of what people do."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.common import ClockName, ClockStatus
from models.lifecycle import Stage
from models.plan import Checkpoint, ClockPlan, EscalationPoint
from models.state import EscalationRecord
from sla.clocks import APPROVAL_PAUSE, SHOWN_PAUSES, RequestClocks
from tests.request_fixtures import at, state

R, D, A, S, RES = (
    ClockName.RESPONSE,
    ClockName.DIAGNOSIS,
    ClockName.ARRIVAL,
    ClockName.SIGNATURE,
    ClockName.RESOLUTION,
)


def clocks(points: dict[ClockName, list[EscalationPoint]] | None = None) -> RequestClocks:
    return RequestClocks(state(), points or {})


def level(n: int, minutes: float | None, percent: int | None = None) -> EscalationPoint:
    when = at(minutes) if minutes is not None else None
    return EscalationPoint(level=n, at=when, notify=["supervisor"], at_percent=percent)


def test_a_clock_stopped_before_its_due_is_met_with_a_negative_variance():
    c = clocks()
    assert c.stop(R, at(45)) is True
    response = c.state.clocks[R]
    assert response.status == ClockStatus.MET and response.met_at == at(45)
    assert response.variance_minutes == -15.0


def test_a_breached_clock_keeps_its_breach_and_learns_when_it_was_met():
    c = clocks()
    assert c.breach_overdue(at(59)) == []
    assert c.breach_overdue(at(60)) == [(R, at(60))]
    assert c.state.breaches == [R]
    assert c.stop(R, at(90)) is False
    response = c.state.clocks[R]
    assert response.status == ClockStatus.BREACHED and response.met_at == at(90)
    assert response.variance_minutes == 30.0
    assert c.breach_overdue(at(200)) == [(D, at(120))]  # each clock breaches once


def test_a_clock_not_started_cannot_be_stopped():
    c = clocks()
    assert c.stop(A, at(10)) is False
    assert c.state.clocks[A].status == ClockStatus.NOT_STARTED and c.state.clocks[A].met_at is None


def test_a_pause_stops_the_running_clocks_until_a_plan_gives_them_new_dues():
    c = clocks()
    c.stop(R, at(10))
    c.pause("awaiting_customer", "support", at(30))
    assert c.state.paused and c.open_pause(manual=True) is not None
    assert c.open_pause(manual=False) is None
    assert [c.state.clocks[n].status for n in (R, D, RES)] == [
        ClockStatus.MET,
        ClockStatus.PAUSED,
        ClockStatus.PAUSED,
    ]
    assert c.state.clocks[D].due is None and c.instants() == []
    assert c.breach_overdue(at(10_000)) == []  # nothing breaches while paused
    c.end_pause("awaiting_customer", at(90))
    assert not c.state.paused and c.state.pauses[0].end == at(90)
    c.apply(ClockPlan(due={D: at(180), RES: at(1500)}))
    assert c.state.clocks[D].status == ClockStatus.RUNNING and c.state.clocks[D].due == at(180)
    assert (at(180), "diagnosis SLA") in c.instants()


def test_the_quote_decision_is_not_a_pause_a_person_resumes():
    c = clocks()
    c.pause(APPROVAL_PAUSE, "system", at(5))
    assert c.open_pause(manual=True) is None and c.open_pause(manual=False) is not None
    c.pause("awaiting_customer", "support", at(6))
    c.end_pause(APPROVAL_PAUSE, at(7))
    assert c.state.paused  # the person's pause is still open


def test_starting_restarting_and_resetting_a_clock():
    c = clocks()
    c.start(A, at(30))
    assert c.state.clocks[A].status == ClockStatus.RUNNING
    assert c.state.clocks[A].started_at == at(30) and c.state.clocks[A].due is None
    c.stop(RES, at(300))
    c.restart(RES)
    assert c.state.clocks[RES].status == ClockStatus.RUNNING
    assert c.state.clocks[RES].started_at == at(0) and c.state.clocks[RES].met_at is None
    c.start(S, at(300))
    c.reset(S)
    assert c.state.clocks[S].status == ClockStatus.NOT_STARTED


def test_percentage_levels_fire_once_while_running_and_breach_levels_after_the_breach():
    c = clocks({R: [level(1, 45, percent=75), level(2, 60 + 240)]})
    assert list(c.due_escalations(at(44))) == []
    assert [(n, p.level) for n, p in c.due_escalations(at(45))] == [(R, 1)]
    c.state.escalations.append(
        EscalationRecord(clock=R, level=1, kind="level", at=at(45), notified=["supervisor"])
    )
    assert list(c.due_escalations(at(50))) == []  # recorded: never again
    # the after-breach level wakes the workflow while the clock runs, fires only once breached
    assert (at(300), "response SLA level 2 (after breach)") in c.instants()
    assert list(c.due_escalations(at(301))) == []
    c.breach_overdue(at(301))
    assert [(n, p.level) for n, p in c.due_escalations(at(301))] == [(R, 2)]
    c.stop(R, at(302))  # resolved late: a breach level no longer fires
    assert list(c.due_escalations(at(400))) == []


def test_a_finished_request_escalates_nothing_and_cancels_what_still_ran():
    c = clocks({RES: [level(1, 30, percent=75)]})
    c.pause("awaiting_customer", "support", at(20))
    c.state.stage = Stage.CANCELLED
    c.end(at(25))
    assert list(c.due_escalations(at(10_000))) == [] and c.instants() == []
    assert {c.state.clocks[n].status for n in (R, D, RES)} == {ClockStatus.CANCELLED}
    assert not c.state.paused and c.state.pauses[0].end == at(25)


# ----------------------------------------------------------------- properties
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["pause", "resume", "plan", "stop", "breach", "start_arrival", "start_return"]
        ),
        st.sampled_from(list(ClockName)),
        st.integers(min_value=1, max_value=600),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(OPERATIONS)
def test_clocks_keep_their_invariants_whatever_people_do(operations):
    c = clocks({n: [level(1, 50, percent=75), level(2, 400)] for n in ClockName})
    now = 0
    for name, clock_name, step in operations:
        now += step
        t = at(now)
        if name == "pause" and c.open_pause(manual=True) is None:
            c.pause("awaiting_customer", "support", t)
        elif name == "resume" and (pause := c.open_pause(manual=True)) is not None:
            c.end_pause(pause.reason, t)
            ticking = [n for n, s in c.state.clocks.items() if s.ticking]
            c.apply(ClockPlan(due={n: t + timedelta(hours=2) for n in ticking}))
        elif name == "plan" and not c.state.paused:
            ticking = [n for n, s in c.state.clocks.items() if s.ticking]
            c.apply(ClockPlan(due={n: t + timedelta(minutes=step) for n in ticking}))
        elif name == "stop":
            c.stop(clock_name, t)
        elif name == "breach":
            c.breach_overdue(t)
        elif name == "start_arrival" and not c.state.paused:
            c.start(ClockName.ARRIVAL, t)
        elif name == "start_return" and not c.state.paused:
            c.start(ClockName.PARTS_RETURN, t)
        for fired_clock, point in c.due_escalations(t):
            c.state.escalations.append(
                EscalationRecord(
                    clock=fired_clock, level=point.level, kind="level", at=t, notified=point.notify
                )
            )
        s = c.state
        # paused means some pause is open, and then no clock runs
        assert s.paused == any(p.end is None for p in s.pauses)
        if s.paused:
            assert all(clock.status != ClockStatus.RUNNING for clock in s.clocks.values())
        for clock_name_, clock in s.clocks.items():
            if clock.status == ClockStatus.PAUSED:
                assert clock.due is None
            if clock.met_at is not None and clock.due is not None:
                expected = round((clock.met_at - clock.due).total_seconds() / 60, 2)
                assert clock.variance_minutes == expected
            # a clock breaches at most once per start (arrival, return start again here)
            if clock_name_ not in (ClockName.ARRIVAL, ClockName.PARTS_RETURN):
                assert s.breaches.count(clock_name_) <= 1
        # every level fires at most once per clock
        fired = [(e.clock, e.level) for e in s.escalations]
        assert len(fired) == len(set(fired))
        # the workflow is woken for running clocks only, and for levels not yet fired
        for instant, label in c.instants():
            clock_of = ClockName(label.split()[0])
            if label.endswith(" SLA"):
                assert s.clocks[clock_of].status == ClockStatus.RUNNING
                assert s.clocks[clock_of].due == instant
            else:
                assert s.is_open and (clock_of, int(label.split()[3])) not in fired


# ----------------------------------------------------------------- checkpoints and folding
def checkpoint(c: RequestClocks, name: ClockName, minutes: float) -> Checkpoint:
    started = c.state.clocks[name].started_at
    assert started is not None
    return Checkpoint(start=started, at=at(minutes), consumed={})


def test_a_plan_needs_only_the_pauses_after_every_live_clocks_checkpoint():
    c = clocks()
    for i in range(30):
        c.pause("awaiting_customer", "support", at(10 * i))
        c.end_pause("awaiting_customer", at(10 * i + 5))
    assert c.planned_since() is None and len(c.planning_pauses()) == 30  # never planned
    ticking = [n for n, s in c.state.clocks.items() if s.ticking]
    c.apply(ClockPlan(due={}, checkpoints={n: checkpoint(c, n, 200) for n in ticking}))
    assert c.planned_since() == at(200)
    # the pauses that ended after the checkpoint are still needed, and shown
    assert [p.start for p in c.planning_pauses()] == [at(10 * i) for i in range(20, 30)]
    # the state shows those and the latest 20 others: bounded, whatever the history
    assert len(c.state.pauses) == 30 and c.state.pauses[0].start == at(0)
    c.apply(ClockPlan(due={}, checkpoints={n: checkpoint(c, n, 400) for n in ticking}))
    assert c.planning_pauses() == [] and len(c.state.pauses) == SHOWN_PAUSES
    assert c.state.pauses[0].start == at(100) and c.state.pauses[-1].start == at(290)


def test_a_clock_started_again_or_never_planned_needs_the_whole_history():
    c = clocks()
    c.pause("awaiting_customer", "support", at(1))
    c.end_pause("awaiting_customer", at(2))
    ticking = [n for n, s in c.state.clocks.items() if s.ticking]
    c.apply(ClockPlan(due={}, checkpoints={n: checkpoint(c, n, 5) for n in ticking}))
    assert c.planned_since() == at(5)
    c.start(A, at(6))  # arrival runs from now and has no checkpoint yet
    assert c.planned_since() is None and len(c.planning_pauses()) == 1
    # a stopped resolution clock may run again from its first start (a rework): its
    # checkpoint still holds the fold back
    c.apply(ClockPlan(due={}, checkpoints={A: checkpoint(c, A, 9)}))
    c.stop(RES, at(10))
    assert c.planned_since() == at(5)

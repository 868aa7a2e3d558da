"""The request workflow's pure buffers: the timeline since the last commit and the notices it
holds (instants, calendars, what no longer holds when released)."""

from __future__ import annotations

from models.actions import Actor
from models.lifecycle import Stage
from tests.request_fixtures import at, start, state
from workflows.service_request.held_notices import HeldNotices, iso, obsolete
from workflows.service_request.timeline import SYSTEM, Timeline


def test_the_timeline_numbers_its_entries_and_hands_them_over_once():
    timeline = Timeline()
    person = Actor(role="support", name="王芳", key_id=7)
    timeline.emit("paused", at(1), person, Stage.DIAGNOSING, {"reason": "x"})
    timeline.emit("clock_met", at(2), SYSTEM, Stage.DIAGNOSING, {"clock": "response"})
    assert timeline.pending and timeline.seq == 2
    first, second = timeline.take()
    assert (first.seq, first.actor, first.by) == (1, "王芳", person.person)
    assert (second.seq, second.actor, second.by) == (2, "system", None)
    assert not timeline.pending and timeline.take() == []
    assert timeline.emit("resumed", at(3), SYSTEM, Stage.DIAGNOSING, {}).seq == 3


def hold(notices: HeldNotices, kind: str, minutes: float, **data: str) -> None:
    notices.hold(
        at(minutes),
        kind=kind,
        key=f"{kind}/{minutes}",
        recipients=["customer"],
        data=data,
    )


def held(severity: int = 2) -> HeldNotices:
    return HeldNotices(state(severity=severity), start(severity=severity))


def test_held_notices_carry_the_request_and_go_out_when_due():
    notices = held()
    hold(notices, "registered", 0)
    hold(notices, "revisit_due", 600, due="x")
    assert notices.instants() == [(at(0), "notify customer"), (at(600), "notify customer")]
    (due,) = notices.take_due(at(1))
    assert due.request.key == "SR-20261202-000001/registered/0"
    assert due.request.data == {"severity": "2", "engineer": "", "customer_id": "C001"}
    assert not due.quiet_checked and due.calendar is None  # the quiet calendar decides
    notices.hold_again(due, at(120))
    assert [n.at for n in notices.take_due(None)] == [at(600), at(120)]


def test_severity_1_is_told_at_any_hour_and_action_notices_follow_their_clock():
    urgent = held(severity=1)
    hold(urgent, "escalation", 0)
    (told,) = urgent.take_due(at(0))
    assert told.quiet_checked and told.calendar is None
    notices = held()
    hold(notices, "assigned", 0)
    hold(notices, "signing_link", 0)
    assigned, signing = notices.take_due(at(0))
    assert not assigned.quiet_checked
    targets = start().profile.targets
    assert assigned.calendar == targets["arrival"].for_request(2, "qingdao").calendar
    assert signing.calendar == targets["signature"].for_request(2, "qingdao").calendar


def test_discarding_a_kind_keeps_the_others():
    notices = held()
    hold(notices, "revisit_due", 10)
    hold(notices, "escalation", 20)
    notices.discard("revisit_due")
    assert [n.request.kind for n in notices.take_due(None)] == ["escalation"]


def test_a_released_notice_that_no_longer_holds_says_why():
    notices = held()
    s = state()
    s.stage, s.engineer, s.signing_url = Stage.AWAITING_SIGNATURE, "E002", "https://x/sign/1"
    s.appointment_at = at(300)
    hold(notices, "assigned", 0, engineer="E001")
    hold(notices, "signing_link", 0, url="https://x/sign/1")
    hold(notices, "appointment", 0, appointment_at=iso(at(240)))
    hold(notices, "registered", 0)
    assigned, signing, appointment, registered = notices.take_due(None)
    assert obsolete(assigned, s) == "the assignment was taken away"
    assert obsolete(signing, s) is None
    assert obsolete(appointment, s) == "the visit was moved or is no longer needed"
    assert obsolete(registered, s) is None
    s.signing_url = "https://x/sign/2"  # a new report replaced the link
    assert obsolete(signing, s) == "the report no longer awaits this signature"
    s.stage = Stage.COMPLETED
    assert obsolete(registered, s) == "the request is already finished"

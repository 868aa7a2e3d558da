"""The revisit-call rule (回访), one for the calls after close and the periodic ones: attempts,
giving up on an unreachable customer, the answer, and when and on which calendar to call
again — pure, with exact instants."""

from __future__ import annotations

from models.actions import Actor, RecordRevisitBody
from models.revisits import next_attempt, record_attempt, retry_calendar
from models.state import RevisitRecord
from tests.request_fixtures import at
from tests.sla_fixtures import STANDARD

AGENT = Actor(role="revisit", name="赵敏", key_id=3)
UNREACHABLE = RecordRevisitBody(unreachable=True)
HAPPY = RecordRevisitBody(satisfaction=5, solved=True, attitude=4, suggestions="按时到达")


def test_an_unreachable_customer_is_called_again_until_the_last_attempt():
    call = RevisitRecord(due=at(0), channel="phone")
    assert record_attempt(call, UNREACHABLE, 3, at(1), AGENT.person) == "retry"
    assert record_attempt(call, UNREACHABLE, 3, at(2), AGENT.person) == "retry"
    assert (call.attempts, call.status, call.answered_by) == (2, "due", None)
    assert record_attempt(call, UNREACHABLE, 3, at(3), AGENT.person) == "unreachable"
    assert (call.status, call.answered_at, call.answered_by) == ("unreachable", at(3), AGENT.person)


def test_an_answer_is_kept_with_who_took_it():
    call = RevisitRecord(due=at(0), channel="phone")
    assert record_attempt(call, HAPPY, 3, at(5), AGENT.person) == "answered"
    assert (call.satisfaction, call.solved, call.attitude) == (5, True, 4)
    assert call.suggestions == "按时到达" and call.answered_at == at(5) and call.attempts == 1


def test_the_next_attempt_is_never_before_the_call_was_planned():
    assert next_attempt(at(600), at(100)) == at(600)
    assert next_attempt(at(100), at(600)) == at(600)


def test_a_call_is_retried_on_the_calendar_it_was_planned_on_else_the_office():
    assert retry_calendar(STANDARD, "24x7") == "24x7"
    assert retry_calendar(STANDARD) == "office"
    assert retry_calendar(STANDARD, "no-such-calendar") == "office"

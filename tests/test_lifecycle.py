"""The lifecycle table of SPEC §2, transcribed by hand and checked cell by cell."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.lifecycle import (
    LIFECYCLE,
    Action,
    LifecycleViolation,
    Role,
    Stage,
    TransitionRejected,
    allowed_actions,
    check_allowed,
    check_move,
)
from workflows.service_request.actions import HANDLERS

OPEN = {
    "registered",
    "diagnosing",
    "awaiting_approval",
    "awaiting_dispatch",
    "dispatched",
    "on_site",
    "awaiting_parts",
    "awaiting_signature",
}
BEFORE_ON_SITE = OPEN - {"on_site", "awaiting_parts", "awaiting_signature"}

# (action, stages where it is allowed, roles) — SPEC §2's table; cancel has two rows.
SPEC_TABLE = [
    ("acknowledge", {"registered"}, {"support"}),
    ("diagnose", {"diagnosing"}, {"support"}),
    # not in SPEC §2's table: the 三包 remedy of a return / exchange request (P19, P21)
    ("choose_remedy", {"diagnosing"}, {"customer", "intake", "support"}),
    ("quote", {"diagnosing", "on_site"}, {"support", "engineer"}),
    ("approve_quote", {"awaiting_approval"}, {"customer", "intake"}),
    ("decline_quote", {"awaiting_approval"}, {"customer", "intake"}),
    ("assign", {"awaiting_dispatch", "dispatched"}, {"dispatcher"}),
    ("schedule_visit", {"dispatched"}, {"engineer"}),
    ("check_in", {"dispatched"}, {"engineer"}),
    ("report_repair", {"on_site"}, {"engineer"}),
    # not in SPEC §2's table: a revisit visit's answers, on site (P1, issue 15 item 7)
    ("record_visit", {"on_site"}, {"engineer"}),
    ("parts_arrived", {"awaiting_parts"}, {"dispatcher"}),
    # not in SPEC §2's table: the spare part's shipment and the faulty part's return (002)
    ("parts_shipped", {"awaiting_parts"}, {"dispatcher"}),
    ("faulty_part_returned", OPEN | {"following_up"}, {"dispatcher", "supervisor"}),
    ("sign", {"awaiting_signature"}, {"customer"}),
    ("refuse_signature", {"awaiting_signature"}, {"customer"}),
    ("override_close", {"awaiting_signature"}, {"supervisor"}),
    ("rework", {"awaiting_signature"}, {"supervisor"}),
    ("pause", OPEN, {"support", "engineer", "supervisor"}),
    ("resume", OPEN, {"support", "engineer", "supervisor"}),
    ("record_revisit", {"following_up"}, {"revisit"}),
    ("cancel", BEFORE_ON_SITE, {"intake"}),
    ("cancel", OPEN, {"supervisor"}),
    # not in SPEC §2's table: the severity change that SPEC §3 re-plans every clock for
    ("change_severity", OPEN, {"support", "supervisor"}),
    # not in SPEC §2's table: the customer's own escalation (002)
    ("escalate", OPEN, {"customer", "intake"}),
]
EXPECTED: dict[tuple[str, str], set[str]] = {
    (action, role): stages for action, stages, roles in SPEC_TABLE for role in roles
}


def is_allowed(action, stage, role):
    try:
        check_allowed(action, stage, role)
    except TransitionRejected:
        return False
    return True


def test_every_action_has_a_row_and_a_handler():
    assert set(LIFECYCLE) == set(Action)
    assert {action for action, _, _ in SPEC_TABLE} == {a.value for a in Action}
    assert set(HANDLERS) == set(Action)
    assert all(callable(handler) for handler in HANDLERS.values())


@pytest.mark.parametrize("action", list(Action))
def test_row_matches_spec_for_every_stage_and_role(action):
    for role in Role:
        expected = EXPECTED.get((action.value, role.value), set())
        assert {s.value for s in LIFECYCLE[action].stages_for(role)} == expected, role
        for stage in Stage:
            assert is_allowed(action, stage, role) == (stage.value in expected), (stage, role)


@pytest.mark.parametrize(
    ("action", "stage", "role"),
    [
        (Action.SIGN, Stage.AWAITING_SIGNATURE, Role.ENGINEER),
        (Action.CANCEL, Stage.REGISTERED, Role.SUPPORT),
        (Action.ASSIGN, Stage.AWAITING_DISPATCH, Role.ADMIN),
    ],
)
def test_wrong_role_is_forbidden(action, stage, role):
    with pytest.raises(TransitionRejected) as caught:
        check_allowed(action, stage, role)
    assert caught.value.kind == "forbidden"
    assert f"'{role}'" in caught.value.message


def test_wrong_stage_message_names_stage_where_allowed_and_what_is_allowed_now():
    with pytest.raises(TransitionRejected) as caught:
        check_allowed(Action.CHECK_IN, Stage.REGISTERED, Role.ENGINEER)
    rejected = caught.value
    assert rejected.kind == "wrong_stage"
    assert "'registered'" in rejected.message
    assert "allowed in dispatched" in rejected.message
    assert "pause, resume" in rejected.message
    assert allowed_actions(Stage.REGISTERED, Role.ENGINEER) == [Action.PAUSE, Action.RESUME]


def test_intake_cannot_cancel_on_site_but_supervisor_can():
    with pytest.raises(TransitionRejected) as caught:
        check_allowed(Action.CANCEL, Stage.ON_SITE, Role.INTAKE)
    assert caught.value.kind == "wrong_stage"
    assert "'on_site'" in caught.value.message
    assert "dispatched" in caught.value.message
    check_allowed(Action.CANCEL, Stage.ON_SITE, Role.SUPERVISOR)


@pytest.mark.parametrize(
    ("segment", "action"),
    [
        ("check-in", Action.CHECK_IN),
        ("report-repair", Action.REPORT_REPAIR),
        ("approve-quote", Action.APPROVE_QUOTE),
        ("acknowledge", Action.ACKNOWLEDGE),
        ("teleport", None),
        ("", None),
        ("CHECK-IN", None),
    ],
)
def test_from_path(segment, action):
    assert Action.from_path(segment) == action


@given(st.sampled_from(list(Action)))
def test_path_round_trips(action):
    assert "_" not in action.path
    assert Action.from_path(action.path) == action


def test_every_move_is_one_the_table_names():
    """The workflow checks each move against `leads_to` (`check_move`): a handler that moved
    a request anywhere else would fail its workflow task instead of corrupting the request."""
    check_move(Action.APPROVE_QUOTE, Stage.AWAITING_APPROVAL, Stage.AWAITING_PARTS)
    check_move(Action.ASSIGN, Stage.DISPATCHED, Stage.DISPATCHED)  # a reassignment
    check_move(None, Stage.CLOSED, Stage.FOLLOWING_UP)
    with pytest.raises(LifecycleViolation, match=r"sign may not move .* to completed"):
        check_move(Action.SIGN, Stage.AWAITING_SIGNATURE, Stage.COMPLETED)
    with pytest.raises(LifecycleViolation, match="the workflow may not move"):
        check_move(None, Stage.DIAGNOSING, Stage.CLOSED)
    staying = {action for action, t in LIFECYCLE.items() if t.stays}
    assert staying == {
        Action.ASSIGN,
        Action.SCHEDULE_VISIT,
        Action.REFUSE_SIGNATURE,
        Action.PAUSE,
        Action.RESUME,
        Action.RECORD_REVISIT,
        Action.CHANGE_SEVERITY,
        Action.PARTS_SHIPPED,
        Action.FAULTY_PART_RETURNED,
        Action.ESCALATE,
        Action.CHOOSE_REMEDY,
    }
    assert all(t.leads_to or t.stays for t in LIFECYCLE.values())
    assert LIFECYCLE[Action.ASSIGN].goes_to == (
        "dispatched or the same stage (stays when no engineer qualifies: the dispatcher is told)"
    )

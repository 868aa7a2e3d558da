"""The lifecycle table of SPEC §2: stage × action → who may act and where it leads.

The workflow's validators, the API's role checks and the README's action table all read
`LIFECYCLE`, so a new action is one row here rather than edits in five places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel

from models import actions as a


class Stage(StrEnum):
    REGISTERED = "registered"
    DIAGNOSING = "diagnosing"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_DISPATCH = "awaiting_dispatch"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    AWAITING_PARTS = "awaiting_parts"
    AWAITING_SIGNATURE = "awaiting_signature"
    CLOSED = "closed"
    FOLLOWING_UP = "following_up"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    INTAKE = "intake"
    SUPPORT = "support"
    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"
    CUSTOMER = "customer"
    REVISIT = "revisit"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DIAGNOSE = "diagnose"
    CHOOSE_REMEDY = "choose_remedy"
    QUOTE = "quote"
    APPROVE_QUOTE = "approve_quote"
    DECLINE_QUOTE = "decline_quote"
    ASSIGN = "assign"
    SCHEDULE_VISIT = "schedule_visit"
    CHECK_IN = "check_in"
    REPORT_REPAIR = "report_repair"
    PARTS_SHIPPED = "parts_shipped"
    PARTS_ARRIVED = "parts_arrived"
    FAULTY_PART_RETURNED = "faulty_part_returned"
    SIGN = "sign"
    REFUSE_SIGNATURE = "refuse_signature"
    OVERRIDE_CLOSE = "override_close"
    REWORK = "rework"
    PAUSE = "pause"
    RESUME = "resume"
    RECORD_REVISIT = "record_revisit"
    RECORD_VISIT = "record_visit"
    CANCEL = "cancel"
    CHANGE_SEVERITY = "change_severity"
    ESCALATE = "escalate"

    @property
    def path(self) -> str:
        """The action as it appears in a URL (`check-in`, `report-repair`)."""
        return self.value.replace("_", "-")

    @classmethod
    def from_path(cls, segment: str) -> Action | None:
        try:
            return cls(segment.replace("-", "_"))
        except ValueError:
            return None


#: Stages in which a request is still being worked on (SPEC: "any open stage").
OPEN_STAGES = frozenset(
    {
        Stage.REGISTERED,
        Stage.DIAGNOSING,
        Stage.AWAITING_APPROVAL,
        Stage.AWAITING_DISPATCH,
        Stage.DISPATCHED,
        Stage.ON_SITE,
        Stage.AWAITING_PARTS,
        Stage.AWAITING_SIGNATURE,
    }
)
#: Cancellable by intake: the engineer is not on site yet.
BEFORE_ON_SITE = frozenset(
    {
        Stage.REGISTERED,
        Stage.DIAGNOSING,
        Stage.AWAITING_APPROVAL,
        Stage.AWAITING_DISPATCH,
        Stage.DISPATCHED,
    }
)
#: Open, and the asset not fixed yet (no repair reported that awaits the signature).
NOT_YET_FIXED = OPEN_STAGES - {Stage.AWAITING_SIGNATURE}
TERMINAL_STAGES = frozenset({Stage.COMPLETED, Stage.CANCELLED})


@dataclass(frozen=True)
class Transition:
    """One row of the lifecycle table."""

    action: Action
    allowed_in: frozenset[Stage]
    roles: frozenset[Role]
    body: type[BaseModel]
    #: The stages the action may move the request to (the workflow checks every move), and
    #: whether it may leave the stage as it is.
    leads_to: frozenset[Stage]
    stays: bool
    #: When it goes where, for people.
    note: str
    #: Roles that may act in more stages than `allowed_in` (the supervisor's cancel).
    extended: Mapping[Role, frozenset[Stage]] = field(default_factory=dict)

    @property
    def goes_to(self) -> str:
        """Where it leads, as the API docs and the README say it."""
        stages = [s.value for s in Stage if s in self.leads_to]
        where = " or ".join(stages + (["the same stage"] if self.stays else []))
        return f"{where} ({self.note})" if self.note else where

    def stages_for(self, role: Role) -> frozenset[Stage]:
        if role not in self.roles:
            return frozenset()
        return self.allowed_in | self.extended.get(role, frozenset())

    @property
    def all_stages(self) -> frozenset[Stage]:
        return self.allowed_in.union(*self.extended.values())


SAME = "same"


def _row(
    action: Action,
    allowed_in: set[Stage] | frozenset[Stage],
    roles: set[Role],
    body: type[BaseModel],
    leads_to: set[Stage | str],
    note: str = "",
    extended: Mapping[Role, frozenset[Stage]] | None = None,
) -> tuple[Action, Transition]:
    stages = frozenset(Stage(s) for s in leads_to if s != SAME)
    return action, Transition(
        action,
        frozenset(allowed_in),
        frozenset(roles),
        body,
        stages,
        SAME in leads_to,
        note,
        extended or {},
    )


S, R = Stage, Role
LIFECYCLE: Mapping[Action, Transition] = dict(
    [
        _row(Action.ACKNOWLEDGE, {S.REGISTERED}, {R.SUPPORT}, a.AcknowledgeBody, {S.DIAGNOSING}),
        _row(
            Action.DIAGNOSE,
            {S.DIAGNOSING},
            {R.SUPPORT},
            a.DiagnoseBody,
            {S.AWAITING_SIGNATURE, S.AWAITING_APPROVAL, S.AWAITING_DISPATCH},
            "resolved_remotely: awaiting_signature; needs_onsite: awaiting_approval if "
            "chargeable, else awaiting_dispatch",
        ),
        _row(
            Action.CHOOSE_REMEDY,
            {S.DIAGNOSING},
            {R.CUSTOMER, R.INTAKE, R.SUPPORT},
            a.ChooseRemedyBody,
            {S.AWAITING_SIGNATURE, SAME},
            "a return / exchange request (三包), within the remedy's window: return, exchange: "
            "awaiting_signature of the return / exchange form; repair: stays, to be diagnosed",
        ),
        _row(
            Action.QUOTE,
            {S.DIAGNOSING, S.ON_SITE},
            {R.SUPPORT, R.ENGINEER},
            a.QuoteActionBody,
            {S.AWAITING_APPROVAL},
        ),
        _row(
            Action.APPROVE_QUOTE,
            {S.AWAITING_APPROVAL},
            {R.CUSTOMER, R.INTAKE},
            a.ApproveQuoteBody,
            {S.AWAITING_DISPATCH, S.ON_SITE, S.AWAITING_PARTS, S.AWAITING_SIGNATURE},
            "back where the quote was made: to dispatch after a diagnosis, on site, or for an "
            "exclusion found on site to awaiting_parts or awaiting_signature",
        ),
        _row(
            Action.DECLINE_QUOTE,
            {S.AWAITING_APPROVAL},
            {R.CUSTOMER, R.INTAKE},
            a.DeclineQuoteBody,
            {S.CLOSED},
            "outcome declined",
        ),
        _row(
            Action.ASSIGN,
            {S.AWAITING_DISPATCH, S.DISPATCHED},
            {R.DISPATCHER},
            a.AssignBody,
            {S.DISPATCHED, SAME},
            "stays when no engineer qualifies: the dispatcher is told",
        ),
        _row(Action.SCHEDULE_VISIT, {S.DISPATCHED}, {R.ENGINEER}, a.ScheduleVisitBody, {SAME}),
        _row(Action.CHECK_IN, {S.DISPATCHED}, {R.ENGINEER}, a.CheckInBody, {S.ON_SITE}),
        _row(
            Action.REPORT_REPAIR,
            {S.ON_SITE},
            {R.ENGINEER},
            a.ReportRepairBody,
            {S.AWAITING_SIGNATURE, S.AWAITING_PARTS, S.AWAITING_APPROVAL},
            "fixed, replace: awaiting_signature; needs_parts, needs_factory_repair: "
            "awaiting_parts; an exclusion found on site: awaiting_approval first",
        ),
        _row(
            Action.RECORD_VISIT,
            {S.ON_SITE},
            {R.ENGINEER},
            a.RecordVisitBody,
            {S.CLOSED},
            "a revisit visit's answers, outcome visited; a hidden fault opens a linked repair",
        ),
        _row(
            Action.PARTS_SHIPPED,
            {S.AWAITING_PARTS},
            {R.DISPATCHER},
            a.PartsShippedBody,
            {SAME},
            "the ship clock stops",
        ),
        _row(
            Action.PARTS_ARRIVED,
            {S.AWAITING_PARTS},
            {R.DISPATCHER},
            a.PartsArrivedBody,
            {S.DISPATCHED},
            "same engineer",
        ),
        _row(
            Action.FAULTY_PART_RETURNED,
            OPEN_STAGES | {S.FOLLOWING_UP},
            {R.DISPATCHER, R.SUPERVISOR},
            a.FaultyPartReturnedBody,
            {SAME, S.COMPLETED},
            "after the spare arrived; the return clock stops; completed when nothing else is "
            "due after close",
        ),
        _row(Action.SIGN, {S.AWAITING_SIGNATURE}, {R.CUSTOMER}, a.SignBody, {S.CLOSED}),
        _row(
            Action.REFUSE_SIGNATURE,
            {S.AWAITING_SIGNATURE},
            {R.CUSTOMER},
            a.RefuseSignatureBody,
            {SAME},
            "escalated to the supervisor",
        ),
        _row(
            Action.OVERRIDE_CLOSE,
            {S.AWAITING_SIGNATURE},
            {R.SUPERVISOR},
            a.OverrideCloseBody,
            {S.CLOSED},
            "outcome closed_without_signature",
        ),
        _row(Action.REWORK, {S.AWAITING_SIGNATURE}, {R.SUPERVISOR}, a.ReworkBody, {S.DIAGNOSING}),
        _row(
            Action.PAUSE,
            OPEN_STAGES,
            {R.SUPPORT, R.ENGINEER, R.SUPERVISOR},
            a.PauseBody,
            {SAME},
            "clocks paused",
        ),
        _row(
            Action.RESUME,
            OPEN_STAGES,
            {R.SUPPORT, R.ENGINEER, R.SUPERVISOR},
            a.ResumeBody,
            {SAME},
            "clocks running",
        ),
        _row(
            Action.RECORD_REVISIT,
            {S.FOLLOWING_UP},
            {R.REVISIT},
            a.RecordRevisitBody,
            {S.COMPLETED, SAME},
            "completed after the last call; stays while a call is due or retried",
        ),
        _row(
            Action.CANCEL,
            BEFORE_ON_SITE,
            {R.INTAKE, R.SUPERVISOR},
            a.CancelBody,
            {S.CANCELLED},
            "",
            {R.SUPERVISOR: OPEN_STAGES},
        ),
        _row(
            Action.CHANGE_SEVERITY,
            OPEN_STAGES,
            {R.SUPPORT, R.SUPERVISOR},
            a.ChangeSeverityBody,
            {SAME},
            "every running clock re-planned from its start",
        ),
        _row(
            Action.ESCALATE,
            OPEN_STAGES,
            {R.CUSTOMER, R.INTAKE},
            a.EscalateBody,
            {SAME},
            "the profile's next customer_escalation level is told at once; once per level",
        ),
    ]
)
#: The moves the workflow makes by itself, not as an action: after close, the follow-up.
SYSTEM_MOVES: Mapping[Stage, frozenset[Stage]] = {
    Stage.CLOSED: frozenset({Stage.FOLLOWING_UP, Stage.COMPLETED}),
}


class LifecycleViolation(Exception):
    """A move the lifecycle table does not have: a bug in the workflow, never bad input. It
    fails the workflow task, so the request waits, unchanged, for the fixed code."""


def check_move(action: Action | None, previous: Stage, stage: Stage) -> None:
    """Raise `LifecycleViolation` unless `action` (None: the workflow by itself) may move a
    request from `previous` to `stage`."""
    allowed = LIFECYCLE[action].leads_to if action else SYSTEM_MOVES.get(previous, frozenset())
    if stage not in allowed:
        raise LifecycleViolation(
            f"{action or 'the workflow'} may not move a request from {previous} to {stage}"
        )


class TransitionRejected(Exception):
    """An action that the lifecycle does not allow; `kind` maps to the HTTP status."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def allowed_actions(stage: Stage, role: Role | None = None) -> list[Action]:
    return [
        t.action
        for t in LIFECYCLE.values()
        if stage in (t.stages_for(role) if role else t.all_stages)
    ]


def check_allowed(action: Action, stage: Stage, role: Role) -> None:
    """Raise `TransitionRejected` unless `role` may take `action` in `stage`."""
    transition = LIFECYCLE[action]
    if role not in transition.roles:
        roles = ", ".join(sorted(transition.roles))
        raise TransitionRejected(
            "forbidden", f"role '{role}' may not {action}; allowed roles: {roles}"
        )
    if stage not in transition.stages_for(role):
        where = ", ".join(s for s in Stage if s in transition.stages_for(role))
        now = ", ".join(allowed_actions(stage, role)) or "none"
        raise TransitionRejected(
            "wrong_stage",
            f"cannot {action} while the request is '{stage}': {action} is allowed in {where}; "
            f"actions allowed now for role '{role}': {now}",
        )

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
    QUOTE = "quote"
    APPROVE_QUOTE = "approve_quote"
    DECLINE_QUOTE = "decline_quote"
    ASSIGN = "assign"
    SCHEDULE_VISIT = "schedule_visit"
    CHECK_IN = "check_in"
    REPORT_REPAIR = "report_repair"
    PARTS_ARRIVED = "parts_arrived"
    SIGN = "sign"
    REFUSE_SIGNATURE = "refuse_signature"
    OVERRIDE_CLOSE = "override_close"
    REWORK = "rework"
    PAUSE = "pause"
    RESUME = "resume"
    RECORD_REVISIT = "record_revisit"
    CANCEL = "cancel"
    CHANGE_SEVERITY = "change_severity"

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
    goes_to: str
    #: Roles that may act in more stages than `allowed_in` (the supervisor's cancel).
    extended: Mapping[Role, frozenset[Stage]] = field(default_factory=dict)

    def stages_for(self, role: Role) -> frozenset[Stage]:
        if role not in self.roles:
            return frozenset()
        return self.allowed_in | self.extended.get(role, frozenset())

    @property
    def all_stages(self) -> frozenset[Stage]:
        return self.allowed_in.union(*self.extended.values())


def _row(
    action: Action,
    allowed_in: set[Stage] | frozenset[Stage],
    roles: set[Role],
    body: type[BaseModel],
    goes_to: str,
    extended: Mapping[Role, frozenset[Stage]] | None = None,
) -> tuple[Action, Transition]:
    return action, Transition(
        action, frozenset(allowed_in), frozenset(roles), body, goes_to, extended or {}
    )


S, R = Stage, Role
LIFECYCLE: Mapping[Action, Transition] = dict(
    [
        _row(Action.ACKNOWLEDGE, {S.REGISTERED}, {R.SUPPORT}, a.AcknowledgeBody, "diagnosing"),
        _row(
            Action.DIAGNOSE,
            {S.DIAGNOSING},
            {R.SUPPORT},
            a.DiagnoseBody,
            "awaiting_signature (resolved_remotely); awaiting_approval if chargeable, "
            "else awaiting_dispatch (needs_onsite)",
        ),
        _row(
            Action.QUOTE,
            {S.DIAGNOSING, S.ON_SITE},
            {R.SUPPORT, R.ENGINEER},
            a.QuoteActionBody,
            "awaiting_approval",
        ),
        _row(
            Action.APPROVE_QUOTE,
            {S.AWAITING_APPROVAL},
            {R.CUSTOMER, R.INTAKE},
            a.ApproveQuoteBody,
            "awaiting_dispatch, or back to on_site for a quote made on site",
        ),
        _row(
            Action.DECLINE_QUOTE,
            {S.AWAITING_APPROVAL},
            {R.CUSTOMER, R.INTAKE},
            a.DeclineQuoteBody,
            "closed (outcome declined)",
        ),
        _row(
            Action.ASSIGN,
            {S.AWAITING_DISPATCH, S.DISPATCHED},
            {R.DISPATCHER},
            a.AssignBody,
            "dispatched",
        ),
        _row(
            Action.SCHEDULE_VISIT, {S.DISPATCHED}, {R.ENGINEER}, a.ScheduleVisitBody, "dispatched"
        ),
        _row(Action.CHECK_IN, {S.DISPATCHED}, {R.ENGINEER}, a.CheckInBody, "on_site"),
        _row(
            Action.REPORT_REPAIR,
            {S.ON_SITE},
            {R.ENGINEER},
            a.ReportRepairBody,
            "awaiting_signature (fixed, replace); awaiting_parts (needs_parts, "
            "needs_factory_repair)",
        ),
        _row(
            Action.PARTS_ARRIVED,
            {S.AWAITING_PARTS},
            {R.DISPATCHER},
            a.PartsArrivedBody,
            "dispatched (same engineer)",
        ),
        _row(Action.SIGN, {S.AWAITING_SIGNATURE}, {R.CUSTOMER}, a.SignBody, "closed"),
        _row(
            Action.REFUSE_SIGNATURE,
            {S.AWAITING_SIGNATURE},
            {R.CUSTOMER},
            a.RefuseSignatureBody,
            "awaiting_signature, escalated to the supervisor",
        ),
        _row(
            Action.OVERRIDE_CLOSE,
            {S.AWAITING_SIGNATURE},
            {R.SUPERVISOR},
            a.OverrideCloseBody,
            "closed (outcome closed_without_signature)",
        ),
        _row(Action.REWORK, {S.AWAITING_SIGNATURE}, {R.SUPERVISOR}, a.ReworkBody, "diagnosing"),
        _row(
            Action.PAUSE,
            OPEN_STAGES,
            {R.SUPPORT, R.ENGINEER, R.SUPERVISOR},
            a.PauseBody,
            "same stage, clocks paused",
        ),
        _row(
            Action.RESUME,
            OPEN_STAGES,
            {R.SUPPORT, R.ENGINEER, R.SUPERVISOR},
            a.ResumeBody,
            "same stage, clocks running",
        ),
        _row(
            Action.RECORD_REVISIT,
            {S.FOLLOWING_UP},
            {R.REVISIT},
            a.RecordRevisitBody,
            "completed (or retried while the customer is unreachable)",
        ),
        _row(
            Action.CANCEL,
            BEFORE_ON_SITE,
            {R.INTAKE, R.SUPERVISOR},
            a.CancelBody,
            "cancelled",
            {R.SUPERVISOR: OPEN_STAGES},
        ),
        _row(
            Action.CHANGE_SEVERITY,
            OPEN_STAGES,
            {R.SUPPORT, R.SUPERVISOR},
            a.ChangeSeverityBody,
            "same stage, every running clock re-planned from its start",
        ),
    ]
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

"""`ServiceRequestWorkflow`: one service request (维修服务单) from intake to the last revisit.

Every human step is an update (one dynamic handler driven by the lifecycle table, with a
validator so that rejected actions never reach history); side effects are activities; the SLA
clocks are one loop that sleeps until the earliest due instant, so pauses, reassignments and
severity changes only change the next instant (the `updatable_timer` idea).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.workflow import ParentClosePolicy

from workflows.complaint import open_complaint
from workflows.rejections import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, WRONG_STAGE, reject

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from models import actions as a
    from models.activity_io import (
        ActivityName,
        AutoAssignRequest,
        BusinessInstantRequest,
        EngineerInfo,
        EngineerLookup,
        LinkPurpose,
        LoanerIssue,
        LoanerRequest,
        NotificationRequest,
        QuietReleaseRequest,
        RecordRequest,
        RevisitPlan,
        RevisitPlanRequest,
        ReworkRequest,
        SigningLinkRequest,
        plan_request,
    )
    from models.common import ClockName, ClockStatus
    from models.complaints import ComplaintSource
    from models.display import local_minute
    from models.intake import ServiceRequestStart
    from models.lifecycle import (
        LIFECYCLE,
        NOT_YET_FIXED,
        TERMINAL_STAGES,
        Action,
        Role,
        Stage,
        TransitionRejected,
        check_allowed,
    )
    from models.ownership import NotYours, Owners, check_owner
    from models.plan import ClockPlan, EscalationPoint
    from models.profile import DEFAULT_COMPLAINT_RESPONSE
    from models.revisits import next_attempt
    from models.search_attributes import (
        initial_search_attributes,
        search_attribute_updates,
        search_attribute_values,
        static_summary,
    )
    from models.state import (
        ClockState,
        ComplaintRecord,
        Diagnosis,
        EscalationRecord,
        OwnEscalation,
        PauseInterval,
        QuoteRecord,
        RepairRecord,
        RevisitRecord,
        ServiceRequestState,
        TimelineEvent,
        signature_of,
    )

#: workflow.patched markers: each changes the commands of running requests.
REVISITS_ON_CALENDAR = "revisits-on-business-calendar"
PEOPLE_NOTICES = "registration-assignment-appointment-revisit-notices"
SIGNING_LINKS = "signing-links"
QUIET_FOR_ALL = "quiet-calendar-for-every-notice"
REVISIT_RETRIES = "revisit-retries-on-calendar"
COMPLAINTS = "complaints-open-rework"
COMPLAINT_WORKFLOWS = "complaints-with-their-own-workflow"
#: Actions held to the actor's bound engineer / customer in the handler too (validators do
#: not run on replay, so only the handler's re-check needs the marker).
OWNERSHIP = "actions-held-to-their-person"
QUOTE_LINKS = "quote-approval-links"
#: Notices asking someone to act on a running clock go out on that clock's calendar; held
#: notices that no longer hold are dropped; the engineer who loses a job is told; a named
#: engineer must have the asset's skill and region (or an override with a reason).
NOTICE_RULES = "notices-on-the-clock-calendar-dropped-when-obsolete"
ASSIGN_FIT = "assign-checks-skill-and-region"
FOLLOW_UP_IN_ACTION = "closing-action-starts-the-follow-up"
#: SlaStatus for open work only; BreachedClocks keeps what breached.
FINISHED_APART = "sla-status-for-open-work-breached-clocks-kept"
#: The notices that ask someone to act on a clock, released on that clock's calendar.
ACTION_NOTICES = {
    "assigned": ClockName.ARRIVAL,
    "unassigned": ClockName.ARRIVAL,
    "signing_link": ClockName.SIGNATURE,
}
#: How long a customer has to sign before a new link is needed (a supervisor's rework).
SIGNING_LINK_VALIDITY = timedelta(days=7)

SYSTEM = "system"
#: The customer's quote decision stops every clock like a pause (SPEC §2).
APPROVAL_PAUSE = "awaiting_approval"

_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))


@dataclass
class _Notice:
    """A notification held until its instant (the quiet calendar's next opening)."""

    at: datetime
    request: NotificationRequest
    #: `at` already respects the quiet calendar (escalation levels are planned that way).
    quiet_checked: bool = False
    #: The calendar whose opening releases it (None: the profile's quiet calendar).
    calendar: str | None = None


def _iso(instant: datetime | None) -> str:
    return instant.isoformat() if instant else ""


Handler = Callable[["ServiceRequestWorkflow", a.Actor, Any], Awaitable[None]]


@workflow.defn
class ServiceRequestWorkflow:
    @workflow.init
    def __init__(self, start: ServiceRequestStart) -> None:
        self._start = start
        self._lock = asyncio.Lock()
        self._changes = 0
        self._pending: list[TimelineEvent] = []
        self._seq = 0
        self._points: dict[ClockName, list[EscalationPoint]] = dict(start.initial_plan.escalations)
        self._notices: list[_Notice] = []
        self._loaner_requested = False
        self.state = ServiceRequestState.registered(start)
        self._published = search_attribute_values(self.state)
        # Here, not in run(): an action may arrive with the start and be handled before run().
        self._emit(
            "registered",
            start.registrar or start.registered_by,
            {"channel": start.channel, "entitlement": start.entitlement.status}
            | ({"rework_of": start.linked_to} if start.linked_to else {}),
        )

    # ----------------------------------------------------------------- main loop
    @workflow.run
    async def run(self, start: ServiceRequestStart) -> ServiceRequestState:
        if workflow.patched(PEOPLE_NOTICES):
            clocks = self.state.clocks
            self._notify(
                "registered",
                ["customer"],
                response_due=_iso(clocks[ClockName.RESPONSE].due),
                resolution_due=_iso(clocks[ClockName.RESOLUTION].due),
            )
        # Requests the hotline registered as complaints before a complaint started its own
        # workflow from the intake (its number `CP-…`): they file it here, and replay this.
        if self.state.type == "complaint" and workflow.patched(COMPLAINT_WORKFLOWS):
            async with self._lock:
                await self._file_complaint("intake", start.description, start.registered_by)
        while True:
            async with self._lock:
                await self._on_time_passed()
                await self._commit()
                if self.state.stage in TERMINAL_STAGES:
                    break
                # Read under the lock: a change made after this point wakes the wait below.
                seen = self._changes
            await self._sleep_until_next_instant(seen)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    async def _on_time_passed(self) -> None:
        """Everything that is due now: escalation levels, breaches, the loaner, the return of
        the loaner and the follow-up after close, and held notifications."""
        now = workflow.now()
        self._account_for_time_passed(now)
        if self._loaner_needed():
            await self._issue_loaner()
        if not self.state.is_open and self.state.loaner and not self.state.loaner_returned_at:
            await self._return_loaner()
        if self.state.stage == Stage.CLOSED:
            await self._begin_follow_up()
        # A request that ends sends what it still holds: an escalation that happened is told.
        ended = self.state.stage in TERMINAL_STAGES
        await self._send_due_notices(None if ended else now)

    def _account_for_time_passed(self, now: datetime) -> None:
        self._fire_escalations(now)  # percentage levels first: 100 % fires with the breach
        self._breach_overdue_clocks(now)
        self._fire_escalations(now)  # then the levels counted from the breach

    def _pending_instants(self) -> list[tuple[datetime, str]]:
        """Every future instant the workflow must wake for, with a label for the UI."""
        instants: list[tuple[datetime, str]] = []
        for name, clock in self.state.clocks.items():
            if clock.status == ClockStatus.RUNNING and clock.due is not None:
                instants.append((clock.due, f"{name} SLA"))
            for point in self._points.get(name, []):
                if point.at is not None and self._may_fire(name, point, waking=True):
                    label = f"{point.at_percent} %" if point.at_percent else "after breach"
                    instants.append((point.at, f"{name} SLA level {point.level} ({label})"))
        for notice in self._notices:
            instants.append((notice.at, f"notify {', '.join(notice.request.recipients)}"))
        return instants

    async def _sleep_until_next_instant(self, seen: int) -> None:
        """Wait for the earliest pending instant, or for any action."""
        changed = lambda: self._changes != seen  # noqa: E731
        instants = self._pending_instants()
        if not instants:
            await workflow.wait_condition(changed)
            return
        at, label = min(instants)
        remaining = at - workflow.now()
        if remaining <= timedelta(0):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(changed, timeout=remaining, timeout_summary=label)

    def _breach_overdue_clocks(self, now: datetime) -> None:
        for name, clock in self.state.clocks.items():
            if clock.status == ClockStatus.RUNNING and clock.due is not None and clock.due <= now:
                clock.status = ClockStatus.BREACHED
                self.state.breaches.append(name)
                self._emit("clock_breached", SYSTEM, {"clock": name, "due": clock.due.isoformat()})

    # ----------------------------------------------------------------- escalations
    def _may_fire(self, clock: ClockName, point: EscalationPoint, *, waking: bool = False) -> bool:
        """Each level fires once per clock of an open request: percentage levels while the
        clock runs (or, past 100 %, while it is breached), levels counted from the breach while
        it is breached and still unresolved."""
        if not self.state.is_open:
            return False
        if any(e.clock == clock and e.level == point.level for e in self.state.escalations):
            return False
        state = self.state.clocks[clock]
        unresolved_breach = state.status == ClockStatus.BREACHED and state.met_at is None
        if point.at_percent is not None:
            # a level past 100 % falls after the breach
            return state.status == ClockStatus.RUNNING or unresolved_breach
        # While the clock still runs, its breach comes first and wakes the loop anyway.
        return unresolved_breach or (waking and state.status == ClockStatus.RUNNING)

    def _fire_escalations(self, now: datetime) -> None:
        for clock, points in self._points.items():
            for point in points:
                if point.at is not None and point.at <= now and self._may_fire(clock, point):
                    self._escalate(
                        clock,
                        point.level,
                        point.notify,
                        point.notify_at or now,
                        point.at_percent,
                        quiet_checked=True,
                    )

    def _escalate(
        self,
        clock: str,
        level: int,
        roles: list[str],
        notify_at: datetime,
        at_percent: int | None = None,
        *,
        quiet_checked: bool = False,
    ) -> None:
        """A level of the profile's escalation rules fires."""
        self._record_escalation(clock, level, "level", roles, notify_at, at_percent, None)
        self._hold_notice(
            notify_at,
            kind="escalation",
            key=f"escalation/{clock}/{level}/{len(self.state.escalations)}",
            recipients=roles,
            data={"clock": clock, "level": str(level), "reason": ""},
            quiet_checked=quiet_checked,
        )

    def _raise(self, clock: str, kind: OwnEscalation, roles: list[str], reason: str) -> None:
        """The workflow escalates by itself (nobody to send, no loaner free, a refusal): no
        level of the profile, a reason, told now."""
        now = workflow.now()
        self._record_escalation(clock, None, kind, roles, now, None, reason)
        self._hold_notice(
            now,
            kind="escalation",
            key=f"escalation/{clock}/0/{len(self.state.escalations)}",
            recipients=roles,
            data={"clock": clock, "level": "", "reason": reason},
        )

    def _record_escalation(
        self,
        clock: str,
        level: int | None,
        kind: Literal["level"] | OwnEscalation,
        roles: list[str],
        notify_at: datetime,
        at_percent: int | None,
        reason: str | None,
    ) -> None:
        self.state.escalations.append(
            EscalationRecord(
                clock=clock,
                level=level,
                kind=kind,
                at=workflow.now(),
                notified=roles,
                at_percent=at_percent,
            )
        )
        data = {"clock": clock, "level": level, "kind": kind, "notify": roles}
        data |= {"notify_at": notify_at.isoformat()} | ({"reason": reason} if reason else {})
        self._emit("escalated", SYSTEM, data)

    def _hold_notice(
        self,
        at: datetime,
        *,
        kind: str,
        key: str,
        recipients: list[str],
        data: dict[str, str],
        quiet_checked: bool = False,
    ) -> None:
        context = {
            "severity": str(self.state.severity),
            "engineer": self.state.engineer or "",
            "customer_id": self.state.customer_id,
        }
        request = NotificationRequest(
            key=f"{self.state.number}/{key}",
            number=self.state.number,
            kind=kind,
            recipients=recipients,
            data=context | data,
        )
        checked = quiet_checked or self.state.severity == 1  # severity 1 is told at any hour
        clock = ACTION_NOTICES.get(kind)
        calendar = None
        if clock is not None:
            targets = self._start.profile.targets[clock]
            calendar = targets.for_request(self.state.severity, self.state.region).calendar
        self._notices.append(
            _Notice(at=at, request=request, quiet_checked=checked, calendar=calendar)
        )

    def _obsolete(self, notice: _Notice) -> str | None:
        """Why a held notice no longer holds when it is released, or None when it still does:
        a signing link for a request that is closed, a job taken away, a visit moved."""
        s, kind, data = self.state, notice.request.kind, notice.request.data
        if kind == "assigned" and (not s.is_open or s.engineer != data.get("engineer")):
            return "the assignment was taken away"
        if kind == "signing_link" and (
            s.stage != Stage.AWAITING_SIGNATURE or s.signing_url != data.get("url")
        ):
            return "the report no longer awaits this signature"
        if kind == "quote_link" and (
            s.stage != Stage.AWAITING_APPROVAL or s.quote_url != data.get("url")
        ):
            return "the quote no longer awaits this answer"
        if kind == "appointment" and (
            not s.is_open or _iso(s.appointment_at) != data.get("appointment_at")
        ):
            return "the visit was moved or is no longer needed"
        if kind == "registered" and not s.is_open:
            return "the request is already finished"
        return None

    def _notify(
        self, kind: str, recipients: list[str], key: str | None = None, **data: str
    ) -> None:
        """A notice to send now (held, for other severities than 1, by nothing: these are
        answers to what people just did, not alarms)."""
        self._hold_notice(
            workflow.now(), kind=kind, key=key or kind, recipients=recipients, data=data
        )

    async def _send_due_notices(self, now: datetime | None) -> None:
        """Queue the held notices due by `now` (every one when `now` is None)."""
        due = [n for n in self._notices if now is None or n.at <= now]
        self._notices = [n for n in self._notices if n not in due]
        for notice in due:
            rules = workflow.patched(NOTICE_RULES)
            if rules and (reason := self._obsolete(notice)):
                self._emit(
                    "notification_dropped",
                    SYSTEM,
                    {"kind": notice.request.kind, "key": notice.request.key, "reason": reason},
                )
                continue
            if now is not None and not notice.quiet_checked and workflow.patched(QUIET_FOR_ALL):
                # Not severity 1: wait for the calendar to open (no mail at midnight); a
                # notice asking to act on a clock waits for that clock's calendar only.
                release: datetime = await self._activity(
                    ActivityName.QUIET_RELEASE,
                    QuietReleaseRequest(
                        profile=self._start.profile,
                        at=now,
                        calendar=notice.calendar if rules else None,
                    ),
                    datetime,
                    "quiet calendar",
                )
                notice.quiet_checked = True
                if release > now:
                    notice.at = release
                    self._notices.append(notice)
                    continue
            await self._activity(
                ActivityName.QUEUE_NOTIFICATION,
                notice.request,
                type(None),
                f"notify {', '.join(notice.request.recipients)}",
            )
            self._emit(
                "notification_queued",
                SYSTEM,
                {"kind": notice.request.kind, "recipients": notice.request.recipients},
            )

    # ----------------------------------------------------------------- loaner (备用机)
    def _loaner_needed(self) -> bool:
        resolution = self.state.clocks[ClockName.RESOLUTION]
        return (
            resolution.status == ClockStatus.BREACHED
            and self.state.severity in self._start.profile.loaner.severities
            and self.state.stage in NOT_YET_FIXED  # a loaner covers a late fix
            and self.state.loaner is None
            and not self._loaner_requested
        )

    async def _issue_loaner(self) -> None:
        self._loaner_requested = True
        issue: LoanerIssue = await self._activity(
            ActivityName.ISSUE_LOANER,
            LoanerRequest(
                number=self.state.number,
                customer_id=self.state.customer_id,
                category=self._start.asset_category,
            ),
            LoanerIssue,
            "issue loaner",
        )
        now = workflow.now()
        if issue.unit_serial is None:
            self._raise("resolution", "no_loaner", ["supervisor"], "no loaner unit free")
            return
        self.state.loaner = issue.unit_serial
        self._emit("loaner_issued", SYSTEM, {"unit": issue.unit_serial, "model": issue.model or ""})
        self._hold_notice(
            now,
            kind="loaner_issued",
            key="loaner",
            recipients=["customer"],
            data={"unit": issue.unit_serial, "model": issue.model or ""},
        )

    async def _return_loaner(self) -> None:
        await self._activity(
            ActivityName.RETURN_LOANER, self.state.number, type(None), "return loaner"
        )
        self.state.loaner_returned_at = workflow.now()
        self._emit("loaner_returned", SYSTEM, {"unit": self.state.loaner})

    async def _begin_follow_up(self) -> None:
        closed_at = self.state.closed_at or workflow.now()
        if workflow.patched(REVISITS_ON_CALENDAR):
            planned: RevisitPlan = await self._activity(
                ActivityName.PLAN_REVISITS,
                RevisitPlanRequest(profile=self._start.profile, closed_at=closed_at),
                RevisitPlan,
                "plan revisits",
            )
            self.state.revisits = [RevisitRecord(due=r.due, channel=r.channel) for r in planned.due]
        else:  # requests closed before revisits followed the business calendar
            self.state.revisits = [
                RevisitRecord(
                    due=closed_at + timedelta(days=p.working_days or 0, minutes=p.minutes or 0),
                    channel=p.channel,
                )
                for p in self._start.profile.revisits.after_close
            ]
        if not self.state.revisits:
            self._move(Stage.COMPLETED, SYSTEM)
            return
        self._move(Stage.FOLLOWING_UP, SYSTEM)
        if workflow.patched(PEOPLE_NOTICES):
            for i, revisit in enumerate(self.state.revisits):
                self._remind_revisit(i, revisit, f"revisit/{i}")

    # ----------------------------------------------------------------- queries and updates
    @workflow.query
    def state_view(self) -> ServiceRequestState:
        return self.state

    @workflow.update(dynamic=True)
    async def act(self, name: str, args: Sequence[RawValue]) -> ServiceRequestState:
        async with self._lock:
            # Checked again under the lock: another action may have moved the stage (or the
            # assignment) since the validator ran.
            action, actor, body = self._admit(name, args, owners=workflow.patched(OWNERSHIP))
            # A deadline that passed while this action waited (a worker outage, the lock) is a
            # breach, even if the loop has not woken for it yet.
            self._account_for_time_passed(workflow.now())
            await _HANDLERS[action](self, actor, body)
            if self.state.stage == Stage.CLOSED and workflow.patched(FOLLOW_UP_IN_ACTION):
                # What the loop would do next (return the loaner, plan the revisits), done now:
                # the answer shows `following_up`, so a revisit recorded at once is accepted.
                await self._on_time_passed()
            await self._commit()
            self._changes += 1
            return self.state

    @act.validator
    def _validate(self, name: str, args: Sequence[RawValue]) -> None:
        self._admit(name, args)

    def _admit(
        self, name: str, args: Sequence[RawValue], owners: bool = True
    ) -> tuple[Action, a.Actor, BaseModel]:
        """Decode and check an action; raise the ApplicationError that rejects it. `owners`
        False: re-checking an update accepted before the person and quote rules existed."""
        try:
            action = Action(name)
        except ValueError:
            raise reject(INVALID, f"unknown action {name!r}") from None
        if len(args) != 1:
            raise reject(INVALID, f"{action} takes exactly one argument")
        try:
            command = workflow.payload_converter().from_payload(args[0].payload, a.ActionCommand)
            body = LIFECYCLE[action].body.model_validate(command.body)
        except (ValidationError, ValueError) as exc:
            raise reject(INVALID, f"{action}: {exc}") from None
        try:
            role = Role(command.actor.role)
        except ValueError:
            raise reject(FORBIDDEN, f"unknown role {command.actor.role!r}") from None
        whose = Owners(customer_id=self.state.customer_id, engineer_id=self.state.engineer)
        try:
            if owners and role == Role.CUSTOMER:  # learns nothing of someone else's request
                check_owner(command.actor, self.state.number, whose)
            check_allowed(action, self.state.stage, role)
            if owners:
                check_owner(command.actor, self.state.number, whose)
        except TransitionRejected as exc:
            raise reject(
                FORBIDDEN if exc.kind == "forbidden" else WRONG_STAGE, exc.message
            ) from None
        except NotYours as exc:
            raise reject(NOT_FOUND if exc.kind == "not_found" else FORBIDDEN, exc.message) from None
        check = _DATA_CHECKS.get(action)
        if check is not None:
            check(self, body, role, owners)
        return action, command.actor, body

    # ----------------------------------------------------------------- data checks (need state)
    def _check_diagnose(self, body: a.DiagnoseBody, role: Role, current: bool) -> None:
        if body.outcome == "needs_onsite" and self._chargeable(body) and body.quote is None:
            raise reject(
                INVALID,
                "this visit is chargeable (out of warranty or excluded): diagnose needs_onsite "
                "must include a quote for the customer to approve",
            )

    def _check_assign(self, body: a.AssignBody, role: Role, current: bool) -> None:
        reassigning = self.state.stage == Stage.DISPATCHED
        if reassigning and body.engineer_id is not None and body.engineer_id == self.state.engineer:
            raise reject(INVALID, f"{body.engineer_id} is already assigned to this request")

    def _check_schedule(self, body: a.ScheduleVisitBody, role: Role, current: bool) -> None:
        if body.appointment_at < workflow.now() - timedelta(minutes=5):
            raise reject(INVALID, "appointment_at is in the past")

    def _check_pause(self, body: a.PauseBody, role: Role, current: bool) -> None:
        reasons = self._start.profile.pause_reasons
        if body.reason not in reasons:
            raise reject(
                INVALID,
                f"pause reason {body.reason!r} is not allowed; use one of: {', '.join(reasons)}",
            )
        if self._open_pause(manual=True) is not None:
            raise reject(CONFLICT, "the request is already paused; resume it first")

    def _check_resume(self, body: a.ResumeBody, role: Role, current: bool) -> None:
        if self._open_pause(manual=True) is None:
            raise reject(CONFLICT, "the request is not paused")

    def _check_quote(self, body: a.QuoteActionBody, role: Role, current: bool) -> None:
        diagnosing = self.state.stage == Stage.DIAGNOSING and self.state.diagnosis is None
        if current and diagnosing and not body.notes:
            raise reject(
                INVALID,
                "a quote made while diagnosing is the proposed solution: give the diagnosis "
                "in notes (the service report prints it)",
            )

    def _check_report(self, body: a.ReportRepairBody, role: Role, current: bool) -> None:
        if body.exclusion is not None and body.quote is None:
            raise reject(
                INVALID,
                f"an exclusion ({body.exclusion}) makes the work chargeable: include a quote for "
                "the customer to approve before the request goes on",
            )
        if body.quote is not None and body.exclusion is None:
            raise reject(
                INVALID,
                "a quote in a repair report goes with an exclusion found on site; otherwise "
                "propose it with the quote action",
            )
        required = self._start.checklist
        done = {entry.item for entry in body.checklist}
        missing = [item for item in required if item not in done]
        if missing:
            raise reject(
                INVALID,
                f"an inspection report covers the whole checklist; missing: {'; '.join(missing)}",
            )

    def _check_cancel(self, body: a.CancelBody, role: Role, current: bool) -> None:
        # The table allows intake before on_site; a request that has been on site before
        # (a second visit, a quote made on site) is past that point for good.
        if self.state.visited and role == Role.INTAKE:
            raise reject(
                WRONG_STAGE,
                f"cannot cancel while the request is '{self.state.stage}': the engineer has "
                "already been on site, so only a supervisor may cancel",
            )

    def _check_severity(self, body: a.ChangeSeverityBody, role: Role, current: bool) -> None:
        if body.severity == self.state.severity:
            raise reject(INVALID, f"the request already has severity {body.severity}")

    # ----------------------------------------------------------------- action handlers
    async def _acknowledge(self, actor: a.Actor, body: a.AcknowledgeBody) -> None:
        self._stop_clock(ClockName.RESPONSE)
        self._move(Stage.DIAGNOSING, actor, {"note": body.note})

    async def _diagnose(self, actor: a.Actor, body: a.DiagnoseBody) -> None:
        now = workflow.now()
        self.state.diagnosis = Diagnosis(
            outcome=body.outcome, notes=body.notes, exclusion=body.exclusion, by=actor.label, at=now
        )
        self._stop_clock(ClockName.DIAGNOSIS)
        if body.outcome == "resolved_remotely":
            self.state.outcome = "resolved_remotely"
            await self._enter_signature(actor, {"outcome": body.outcome})
        elif self._chargeable(body):
            assert body.quote is not None
            await self._propose_quote(actor, body.quote)
        else:
            self._move(Stage.AWAITING_DISPATCH, actor, {"outcome": body.outcome})

    async def _quote(self, actor: a.Actor, body: a.QuoteActionBody) -> None:
        if self.state.diagnosis is None and body.notes:  # the quote is the proposed solution
            self.state.diagnosis = Diagnosis(
                outcome="needs_onsite",
                notes=body.notes,
                exclusion=None,
                by=actor.label,
                at=workflow.now(),
            )
        self._stop_clock(ClockName.DIAGNOSIS)
        await self._propose_quote(actor, body)

    async def _propose_quote(
        self, actor: a.Actor, body: a.QuoteBody, back_to: Stage | None = None
    ) -> None:
        """The customer decides; approval leads to `back_to` (by default: back on site for a
        quote made there, else to dispatch)."""
        if back_to is None:
            on_site = self.state.stage == Stage.ON_SITE
            back_to = Stage.ON_SITE if on_site else Stage.AWAITING_DISPATCH
        self.state.quote = QuoteRecord(
            lines=body.lines,
            currency=body.currency,
            total=body.total,
            status="proposed",
            proposed_by=actor.label,
            proposed_at=workflow.now(),
            return_to=back_to,
        )
        self._open_pause_interval(APPROVAL_PAUSE, SYSTEM)
        self._move(Stage.AWAITING_APPROVAL, actor, {"total": str(body.total)})
        if workflow.patched(QUOTE_LINKS):
            url, nonce = await self._customer_link("quote")
            self.state.quote_url = url
            self._notify(
                "quote_link",
                ["customer"],
                key=f"quote/{nonce}",
                url=url,
                total=f"{body.total} {body.currency}",
            )

    async def _approve_quote(self, actor: a.Actor, body: a.ApproveQuoteBody) -> None:
        quote = self._current_quote()
        quote.status, quote.decided_at = "approved", workflow.now()
        self._close_pause_interval(APPROVAL_PAUSE)
        await self._plan_clocks()
        if quote.return_to == Stage.AWAITING_SIGNATURE:  # a repair done, then found chargeable
            await self._enter_signature(actor, {"quote": "approved"})
        else:
            self._move(quote.return_to, actor)

    async def _decline_quote(self, actor: a.Actor, body: a.DeclineQuoteBody) -> None:
        quote = self._current_quote()
        quote.status, quote.decided_at = "declined", workflow.now()
        quote.decline_reason = body.reason
        self._close_pause_interval(APPROVAL_PAUSE)
        self._close(actor, "declined", {"reason": body.reason})

    async def _assign(self, actor: a.Actor, body: a.AssignBody) -> None:
        engineer = await self._choose_engineer(body.engineer_id, body.override)
        if engineer is None:
            # Nobody to send: the request waits where it is and the dispatcher is told.
            reason = (
                f"no on-duty engineer for {self._start.asset_category} "
                f"in region {self.state.region}"
            )
            self._raise("arrival", "no_engineer", ["dispatcher"], reason)
            return
        previous = self.state.engineer
        self.state.engineer, self.state.engineer_name = engineer.id, engineer.name
        self.state.clocks[ClockName.ARRIVAL] = ClockState(
            started_at=workflow.now(), status=ClockStatus.RUNNING
        )
        await self._plan_clocks()
        kind = "reassigned" if previous else "assigned"
        override = {"override": body.reason} if body.override else {}
        self._emit(kind, actor, {"engineer": engineer.id, "previous": previous} | override)
        if workflow.patched(PEOPLE_NOTICES):
            self._notify_assignment(engineer, previous)
        self._move(Stage.DISPATCHED, actor)

    def _notify_assignment(self, engineer: EngineerInfo, previous: str | None) -> None:
        start, s = self._start, self.state
        contact = f"{s.contact.name} {s.contact.phone}" if s.contact else start.site_contact
        self._notify(
            "assigned",
            ["assigned"],
            key=f"assigned/{engineer.id}/{self._seq}",
            engineer_name=engineer.name,
            customer=start.customer_name,
            address=start.site_address or s.region,
            contact=contact or "—",
            fault=f"{s.fault_code} — {s.description}",
            arrival_due=_iso(s.clocks[ClockName.ARRIVAL].due),
        )
        if previous and previous != engineer.id and workflow.patched(NOTICE_RULES):
            self._notify(
                "unassigned",
                ["assigned"],
                key=f"unassigned/{previous}/{self._seq}",
                engineer=previous,  # the engineer who lost the job, not the new one
                successor=engineer.name,
            )

    async def _schedule_visit(self, actor: a.Actor, body: a.ScheduleVisitBody) -> None:
        self.state.appointment_at = body.appointment_at
        self._emit("visit_scheduled", actor, {"appointment_at": body.appointment_at.isoformat()})
        if workflow.patched(PEOPLE_NOTICES):
            self._notify(
                "appointment",
                ["customer"],
                key=f"appointment/{body.appointment_at.isoformat()}",
                appointment_at=body.appointment_at.isoformat(),
            )

    async def _check_in(self, actor: a.Actor, body: a.CheckInBody) -> None:
        self.state.visited = True
        self._stop_clock(ClockName.ARRIVAL)
        self._move(Stage.ON_SITE, actor)

    async def _report_repair(self, actor: a.Actor, body: a.ReportRepairBody) -> None:
        self.state.repair = RepairRecord(
            result=body.result,
            work_done=body.work_done,
            parts=body.parts,
            test_result=body.test_result,
            replacement_serial=body.replacement_serial,
            checklist=body.checklist,
            engineer=self.state.engineer,
            at=workflow.now(),
            exclusion=body.exclusion,
        )
        data: dict[str, Any] = {"result": body.result}
        done = body.result in ("fixed", "replace")
        if done:
            self.state.outcome = "replaced" if body.result == "replace" else "fixed"
            if body.result == "replace":
                data |= {
                    "old_serial": self.state.asset_serial,
                    "new_serial": body.replacement_serial,
                }
        if body.exclusion is not None:
            # Found on site: chargeable now; nothing goes on before the customer approves.
            assert body.quote is not None  # the validator asks for it
            self.state.entitlement = self.state.entitlement.model_copy(
                update={"remedies": ["paid_repair"], "chargeable": True}
            )
            if done:
                self._stop_clock(ClockName.RESOLUTION)
            after = Stage.AWAITING_SIGNATURE if done else Stage.AWAITING_PARTS
            self._emit("exclusion_found", actor, data | {"exclusion": body.exclusion})
            await self._propose_quote(actor, body.quote, after)
        elif done:
            await self._enter_signature(actor, data)
        else:
            self._move(Stage.AWAITING_PARTS, actor, data)

    async def _parts_arrived(self, actor: a.Actor, body: a.PartsArrivedBody) -> None:
        self._move(Stage.DISPATCHED, actor, {"engineer": self.state.engineer})

    async def _sign(self, actor: a.Actor, body: a.SignBody) -> None:
        self.state.signature = signature_of(body, workflow.now(), actor.person)
        self._stop_clock(ClockName.SIGNATURE)
        # The drawn image itself goes to the timeline (the database), not into the state.
        image = {"signature_png": body.signature_png} if body.signature_png else {}
        self._close(actor, self.state.outcome or "fixed", {"signer": body.signer} | image)

    async def _refuse_signature(self, actor: a.Actor, body: a.RefuseSignatureBody) -> None:
        refusal = {"reason": body.reason, "at": workflow.now().isoformat(), "by": actor.label}
        self.state.signature_refusals.append(refusal)
        self._emit("signature_refused", actor, {"reason": body.reason})
        self._raise(
            "signature", "signature_refused", ["supervisor"], f"signature refused: {body.reason}"
        )

    async def _change_severity(self, actor: a.Actor, body: a.ChangeSeverityBody) -> None:
        previous = self.state.severity
        self.state.severity = body.severity
        await self._plan_clocks()
        self._emit(
            "severity_changed",
            actor,
            {"from": previous, "to": body.severity, "reason": body.reason},
        )

    async def _override_close(self, actor: a.Actor, body: a.OverrideCloseBody) -> None:
        self._stop_clock(ClockName.SIGNATURE)
        self._close(actor, "closed_without_signature", {"reason": body.reason})

    async def _rework(self, actor: a.Actor, body: a.ReworkBody) -> None:
        # The fix was not accepted: the resolution clock runs again from the original report.
        self.state.clocks[ClockName.SIGNATURE] = ClockState()
        resolution = self.state.clocks[ClockName.RESOLUTION]
        self.state.clocks[ClockName.RESOLUTION] = ClockState(
            started_at=resolution.started_at, status=ClockStatus.RUNNING
        )
        self.state.outcome = None
        await self._plan_clocks()
        self._move(Stage.DIAGNOSING, actor, {"reason": body.reason})

    async def _pause(self, actor: a.Actor, body: a.PauseBody) -> None:
        self._open_pause_interval(body.reason, actor.label)
        self._emit("paused", actor, {"reason": body.reason})

    async def _resume(self, actor: a.Actor, body: a.ResumeBody) -> None:
        pause = self._open_pause(manual=True)
        assert pause is not None
        self._close_pause_interval(pause.reason)
        await self._plan_clocks()
        self._emit("resumed", actor, {"reason": pause.reason})

    async def _record_revisit(self, actor: a.Actor, body: a.RecordRevisitBody) -> None:
        revisit = next(r for r in self.state.revisits if r.status == "due")
        revisit.attempts += 1
        now = workflow.now()
        policy = self._start.profile.revisits
        if body.unreachable:
            if revisit.attempts < policy.max_attempts:
                self._emit("revisit_unreachable", actor, {"attempt": revisit.attempts})
                if workflow.patched(REVISIT_RETRIES):
                    await self._retry_revisit(revisit)
                return
            revisit.status, revisit.answered_at = "unreachable", now
        else:
            revisit.status, revisit.answered_at = "answered", now
            revisit.satisfaction, revisit.solved = body.satisfaction, body.solved
            revisit.attitude, revisit.suggestions = body.attitude, body.suggestions
        revisit.answered_by = actor.person
        self._emit("revisit_recorded", actor, body.model_dump(exclude_none=True))
        if body.complaint is not None and workflow.patched(COMPLAINTS):
            await self._open_complaint(actor, body.complaint)
        if all(r.status != "due" for r in self.state.revisits):
            # calls made before they fell due need no reminder any more
            self._notices = [n for n in self._notices if n.request.kind != "revisit_due"]
            self._move(Stage.COMPLETED, actor)

    async def _retry_revisit(self, revisit: RevisitRecord) -> None:
        """The customer did not answer: call again after the profile's working days."""
        policy = self._start.profile.revisits
        index = self.state.revisits.index(revisit)
        plans = policy.after_close
        calendar = plans[index].calendar if index < len(plans) else "24x7"
        retry: datetime = await self._activity(
            ActivityName.BUSINESS_INSTANT,
            BusinessInstantRequest(
                profile=self._start.profile,
                calendar=calendar,
                start=workflow.now(),
                working_days=policy.retry_working_days,
            ),
            datetime,
            "plan revisit retry",
        )
        revisit.due = next_attempt(revisit.due, retry)
        self._remind_revisit(index, revisit, f"revisit/{index}/attempt-{revisit.attempts + 1}")

    def _remind_revisit(self, index: int, revisit: RevisitRecord, key: str) -> None:
        """Held until the call is due: then it lands on the revisit desk."""
        self._hold_notice(
            revisit.due,
            kind="revisit_due",
            key=key,
            recipients=["revisit"],
            data={"due": revisit.due.isoformat()},
        )

    async def _open_complaint(self, actor: a.Actor, reason: str) -> None:
        """Satisfaction ≤ 2 or not solved: a linked rework request for the same asset, and a
        complaint for the supervisor with its own response deadline."""
        rework: ServiceRequestStart = await self._activity(
            ActivityName.OPEN_REWORK,
            ReworkRequest(
                original=self.state.number,
                customer_id=self.state.customer_id,
                asset_serial=self.state.asset_serial,
                fault_code=self.state.fault_code,
                severity=self.state.severity,
                reason=reason,
            ),
            ServiceRequestStart,
            "open rework request",
        )
        await workflow.start_child_workflow(
            ServiceRequestWorkflow.run,
            rework,
            id=f"service-request-{rework.number}",
            task_queue=workflow.info().task_queue,
            parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=initial_search_attributes(ServiceRequestState.registered(rework)),
            static_summary=static_summary(rework),
        )
        self.state.reworks.append(rework.number)
        if workflow.patched(COMPLAINT_WORKFLOWS):
            await self._file_complaint("revisit", reason, actor.label, rework.number)
            return
        # Requests that went this way before complaints had their own workflow replay this.
        now, within = workflow.now(), DEFAULT_COMPLAINT_RESPONSE
        self.state.complaints.append(
            ComplaintRecord(
                opened_at=now, reason=reason, respond_by=now + within, rework=rework.number
            )
        )
        self._emit("complaint", SYSTEM, {"reason": reason, "rework": rework.number})
        self._raise(
            "complaint", "complaint", ["supervisor"], f"complaint: {reason} → {rework.number}"
        )

    async def _file_complaint(
        self, source: ComplaintSource, reason: str, by: str, rework: str | None = None
    ) -> None:
        record = await open_complaint(
            profile=self._start.profile,
            source=source,
            about=self.state.number,
            ordinal=len(self.state.complaints) + 1,
            customer_id=self.state.customer_id,
            asset_serial=self.state.asset_serial,
            reason=reason,
            opened_by=by,
            rework=rework,
        )
        self.state.complaints.append(record)
        data = {"complaint": record.number, "reason": reason, "respond_by": _iso(record.respond_by)}
        self._emit("complaint", by, data | ({"rework": rework} if rework else {}))

    async def _cancel(self, actor: a.Actor, body: a.CancelBody) -> None:
        self.state.cancel_reason = body.reason
        self._end("cancelled")
        self._move(Stage.CANCELLED, actor, {"reason": body.reason})

    # ----------------------------------------------------------------- building blocks
    def _chargeable(self, body: a.DiagnoseBody) -> bool:
        return self.state.entitlement.chargeable or body.exclusion is not None

    def _current_quote(self) -> QuoteRecord:
        assert self.state.quote is not None  # awaiting_approval is only entered with a quote
        return self.state.quote

    async def _enter_signature(self, actor: a.Actor, data: dict[str, Any]) -> None:
        self._stop_clock(ClockName.RESOLUTION)
        self.state.clocks[ClockName.SIGNATURE] = ClockState(
            started_at=workflow.now(), status=ClockStatus.RUNNING
        )
        await self._plan_clocks()
        self._move(Stage.AWAITING_SIGNATURE, actor, data)
        if workflow.patched(SIGNING_LINKS):
            url, nonce = await self._customer_link("sign")
            self.state.signing_url = url
            self._notify("signing_link", ["customer"], key=f"signing/{nonce}", url=url)

    async def _customer_link(self, purpose: LinkPurpose) -> tuple[str, str]:
        """A one-time, expiring, signed link for the customer (no key needed) and its nonce."""
        link = SigningLinkRequest(
            number=self.state.number,
            nonce=str(workflow.uuid4()),
            expires_at=workflow.now() + SIGNING_LINK_VALIDITY,
            purpose=purpose,
        )
        summary = "create signing link" if purpose == "sign" else "create quote approval link"
        url: str = await self._activity(ActivityName.CREATE_SIGNING_LINK, link, str, summary)
        return url, link.nonce

    def _close(self, actor: a.Actor, outcome: str, data: dict[str, Any]) -> None:
        self._end(outcome)
        self._move(Stage.CLOSED, actor, {"outcome": outcome} | data)

    def _end(self, outcome: str) -> None:
        """The request stops being worked on: clocks whose goal was never reached are
        cancelled rather than left to breach, and open pauses end now."""
        now = workflow.now()
        self.state.outcome, self.state.closed_at = outcome, now
        for clock in self.state.clocks.values():
            if clock.ticking:
                clock.status = ClockStatus.CANCELLED
        for pause in self.state.pauses:
            if pause.end is None:
                pause.end = now
        self.state.paused = False

    def _check_fit(self, engineer: EngineerInfo) -> None:
        category, region = self._start.asset_category, self.state.region
        missing = [
            f"the skill {category!r}" if category not in engineer.skills else "",
            f"the region {region!r}" if region not in engineer.regions else "",
        ]
        if any(missing):
            lacks = " and ".join(m for m in missing if m)
            raise reject(
                INVALID,
                f"engineer {engineer.id} ({engineer.name}) lacks {lacks} of this request; send "
                'them anyway with "override": true and a "reason"',
            )

    async def _choose_engineer(
        self, engineer_id: str | None, override: bool = False
    ) -> EngineerInfo | None:
        """The named engineer (rejected when unknown or off duty), or the auto-assign choice
        (None when nobody qualifies)."""
        if engineer_id is not None:
            found: EngineerInfo | None = await self._activity(
                ActivityName.FIND_ENGINEER,
                EngineerLookup(engineer_id=engineer_id),
                EngineerInfo | None,
                "look up engineer",
            )
            if found is None:
                raise reject(INVALID, f"there is no engineer {engineer_id!r}")
            if not found.on_duty:
                raise reject(CONFLICT, f"engineer {engineer_id} is not on duty")
            if not override and workflow.patched(ASSIGN_FIT):
                self._check_fit(found)
            return found
        request = AutoAssignRequest(
            region=self.state.region,
            category=self._start.asset_category,
            # a reassignment wants someone else; a new dispatch (after rework) may reuse anyone
            exclude=[self.state.engineer]
            if self.state.engineer and self.state.stage == Stage.DISPATCHED
            else [],
        )
        chosen: EngineerInfo | None = await self._activity(
            ActivityName.AUTO_ASSIGN,
            request,
            EngineerInfo | None,
            "auto-assign engineer",
        )
        return chosen

    def _open_pause(self, *, manual: bool) -> PauseInterval | None:
        for pause in self.state.pauses:
            if pause.end is None and (pause.reason != APPROVAL_PAUSE) == manual:
                return pause
        return None

    def _open_pause_interval(self, reason: str, by: str) -> None:
        self.state.pauses.append(PauseInterval(reason=reason, start=workflow.now(), by=by))
        self.state.paused = True
        for clock in self.state.clocks.values():
            if clock.status == ClockStatus.RUNNING:
                clock.status, clock.due = ClockStatus.PAUSED, None

    def _close_pause_interval(self, reason: str) -> None:
        for pause in self.state.pauses:
            if pause.end is None and pause.reason == reason:
                pause.end = workflow.now()
        self.state.paused = any(p.end is None for p in self.state.pauses)

    def _stop_clock(self, name: ClockName) -> None:
        clock = self.state.clocks[name]
        if not clock.ticking and clock.status != ClockStatus.BREACHED:
            return
        now = workflow.now()
        clock.met_at = now
        if clock.due is not None:
            clock.variance_minutes = round((now - clock.due).total_seconds() / 60, 2)
        if clock.status != ClockStatus.BREACHED:
            clock.status = ClockStatus.MET
            self._emit("clock_met", SYSTEM, {"clock": name})

    async def _plan_clocks(self) -> None:
        """Recompute every ticking clock's due instant from its start and the whole pause
        history, in an activity so that a change of engine code cannot alter a replay."""
        request = plan_request(self.state, self._start.profile)
        if not request.starts:
            return
        plan: ClockPlan = await self._activity(
            ActivityName.PLAN_CLOCKS, request, ClockPlan, "plan SLA clocks"
        )
        for name, due in plan.due.items():
            clock = self.state.clocks[name]
            clock.due = due
            clock.status = ClockStatus.PAUSED if due is None else ClockStatus.RUNNING
        self._points.update(plan.escalations)

    def _move(self, stage: Stage, actor: a.Actor | str, data: dict[str, Any] | None = None) -> None:
        previous = self.state.stage
        self.state.stage = stage
        if previous == Stage.AWAITING_SIGNATURE:
            self.state.signing_url = None  # the link served its purpose or was replaced
        if previous == Stage.AWAITING_APPROVAL:
            self.state.quote_url = None
        payload = {"from": previous, "to": stage} | {k: v for k, v in (data or {}).items() if v}
        self._emit("stage_changed", actor, payload)

    def _emit(self, kind: str, actor: a.Actor | str, data: dict[str, Any]) -> None:
        """Append to the timeline; `actor` is the acting person, or a name for the system."""
        self._seq += 1
        person = actor.person if isinstance(actor, a.Actor) else None
        self._pending.append(
            TimelineEvent(
                seq=self._seq,
                kind=kind,
                at=workflow.now(),
                actor=actor.name if isinstance(actor, a.Actor) else actor,
                by=person,
                stage=self.state.stage,
                data=data,
            )
        )

    async def _commit(self) -> None:
        """Publish what changed: search attributes, UI details, and the timeline + read model."""
        if not self._pending:
            return
        self.state.version += 1
        updates = search_attribute_updates(
            self.state, self._published, workflow.patched(FINISHED_APART)
        )
        if updates:
            workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self._details())
        events, self._pending = self._pending, []
        await self._activity(
            ActivityName.RECORD_EVENTS,
            RecordRequest(events=events, state=self.state),
            type(None),
            f"record {events[-1].kind}",
        )

    def _details(self) -> str:
        """The Web UI's current details: stage, engineer, every clock and every escalation,
        instants in the service's time zone to the minute."""
        s = self.state

        def local(instant: datetime | None) -> str:
            return local_minute(instant, self._start.timezone)

        engineer = f"{s.engineer_name} ({s.engineer})" if s.engineer_name else s.engineer
        lines = [
            f"**{s.number}** · stage **{s.stage}** · severity {s.severity} · {s.sla_status}",
            f"engineer: {engineer or '—'}" + (" · paused" if s.paused else ""),
            "",
            f"| clock | status | due ({self._start.timezone}) | met |",
            "|---|---|---|---|",
        ]
        for name, c in s.clocks.items():
            lines.append(f"| {name} | {c.status} | {local(c.due)} | {local(c.met_at)} |")
        if s.escalations:
            lines += ["", "| escalation | clock | at | notified |", "|---|---|---|---|"]
            for e in s.escalations:
                what = f"level {e.level}" if e.level else e.kind.replace("_", " ")
                lines.append(f"| {what} | {e.clock} | {local(e.at)} | {', '.join(e.notified)} |")
        return "\n".join(lines)

    async def _activity(
        self, name: ActivityName, arg: BaseModel | str, result_type: Any, summary: str
    ) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_RETRY,
            summary=summary,
        )


_HANDLERS: dict[Action, Handler] = {
    Action.ACKNOWLEDGE: ServiceRequestWorkflow._acknowledge,
    Action.DIAGNOSE: ServiceRequestWorkflow._diagnose,
    Action.QUOTE: ServiceRequestWorkflow._quote,
    Action.APPROVE_QUOTE: ServiceRequestWorkflow._approve_quote,
    Action.DECLINE_QUOTE: ServiceRequestWorkflow._decline_quote,
    Action.ASSIGN: ServiceRequestWorkflow._assign,
    Action.SCHEDULE_VISIT: ServiceRequestWorkflow._schedule_visit,
    Action.CHECK_IN: ServiceRequestWorkflow._check_in,
    Action.REPORT_REPAIR: ServiceRequestWorkflow._report_repair,
    Action.PARTS_ARRIVED: ServiceRequestWorkflow._parts_arrived,
    Action.SIGN: ServiceRequestWorkflow._sign,
    Action.REFUSE_SIGNATURE: ServiceRequestWorkflow._refuse_signature,
    Action.OVERRIDE_CLOSE: ServiceRequestWorkflow._override_close,
    Action.REWORK: ServiceRequestWorkflow._rework,
    Action.PAUSE: ServiceRequestWorkflow._pause,
    Action.RESUME: ServiceRequestWorkflow._resume,
    Action.RECORD_REVISIT: ServiceRequestWorkflow._record_revisit,
    Action.CANCEL: ServiceRequestWorkflow._cancel,
    Action.CHANGE_SEVERITY: ServiceRequestWorkflow._change_severity,
}
#: Checks that need the request's state; they run in the validator, so they write nothing.
#: `current` is False when the handler re-checks an update that older code accepted (a replay):
#: checks added since then must not refuse it.
_DATA_CHECKS: dict[Action, Callable[[ServiceRequestWorkflow, Any, Role, bool], None]] = {
    Action.DIAGNOSE: ServiceRequestWorkflow._check_diagnose,
    Action.ASSIGN: ServiceRequestWorkflow._check_assign,
    Action.SCHEDULE_VISIT: ServiceRequestWorkflow._check_schedule,
    Action.PAUSE: ServiceRequestWorkflow._check_pause,
    Action.RESUME: ServiceRequestWorkflow._check_resume,
    Action.CHANGE_SEVERITY: ServiceRequestWorkflow._check_severity,
    Action.CANCEL: ServiceRequestWorkflow._check_cancel,
    Action.REPORT_REPAIR: ServiceRequestWorkflow._check_report,
    Action.QUOTE: ServiceRequestWorkflow._check_quote,
}

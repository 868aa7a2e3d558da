"""The `workflow.patched` markers of `ServiceRequestWorkflow`: each one changed the commands
of requests already running when it came, so both branches stay until no such request is
left (then the marker is deprecated, then removed: README "Replay safety")."""

from temporalio import workflow

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
#: notices that no longer hold are dropped; the engineer who loses a job is told.
NOTICE_RULES = "notices-on-the-clock-calendar-dropped-when-obsolete"
#: A named engineer must have the asset's skill and region (or an override with a reason).
ASSIGN_FIT = "assign-checks-skill-and-region"
FOLLOW_UP_IN_ACTION = "closing-action-starts-the-follow-up"
#: SlaStatus for open work only; BreachedClocks keeps what breached.
FINISHED_APART = "sla-status-for-open-work-breached-clocks-kept"
#: Fewer workflow tasks per action: the pure computations (plans, calendars) run as local
#: activities, an action's notices go out in its own task and do not hold the lock.
LEAN_TASKS = "pure-computations-local-notices-in-the-action"
#: New requests take every change above at once and record this one marker only: each
#: `workflow.patched` call that returns True records a marker and an upsert of
#: `TemporalChangeVersion`, 18 events per lifecycle for the nine a lifecycle met. The markers
#: above stay for the requests that started before it. It also brings what came with it: the
#: action's notices written to the outbox in its record's transaction (no activity of their
#: own), the wake-up timer kept when the next instant moves later, and the record, the
#: engineer lookups and the signing link as local activities.
CURRENT = "one-marker-notices-with-the-record-timer-kept"


class Patches:
    """Which markers hold for this run: all of them when it started on the current shape."""

    def __init__(self) -> None:
        self.current = workflow.patched(CURRENT)

    def __call__(self, marker: str) -> bool:
        return self.current or workflow.patched(marker)

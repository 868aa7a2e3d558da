"""The loaner unit (备用机): lent when the fix is late, returned when the request ends."""

from __future__ import annotations

from temporalio import workflow

from workflows.service_request.escalations import alarm
from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models.activity_io import ActivityName, LoanerIssue, LoanerRequest
    from models.common import ClockName, ClockStatus
    from models.lifecycle import NOT_YET_FIXED
    from workflows.service_request.timeline import SYSTEM


#: What a result recorded before `LoanerIssue.reason` existed meant.
NO_UNIT_FREE = "no loaner unit free"


def loaner_needed(r: Request) -> bool:
    resolution = r.state.clocks[ClockName.RESOLUTION]
    return (
        resolution.status == ClockStatus.BREACHED
        and r.state.severity in r.profile.loaner.severities
        and r.state.stage in NOT_YET_FIXED  # a loaner covers a late fix
        and r.state.loaner is None
        and not r.loaner_requested
    )


async def issue_loaner(r: Request) -> None:
    r.loaner_requested = True
    issue: LoanerIssue = await r.activity(
        ActivityName.ISSUE_LOANER,
        LoanerRequest(
            number=r.state.number,
            customer_id=r.state.customer_id,
            category=r.start.asset_category,
        ),
        LoanerIssue,
        "issue loaner",
    )
    now = workflow.now()
    if issue.unit_serial is None:
        alarm(r, "resolution", "no_loaner", ["supervisor"], issue.reason or NO_UNIT_FREE)
        return
    r.state.loaner = issue.unit_serial
    r.emit("loaner_issued", SYSTEM, {"unit": issue.unit_serial, "model": issue.model or ""})
    r.notices.hold(
        now,
        kind="loaner_issued",
        key="loaner",
        recipients=["customer"],
        data={"unit": issue.unit_serial, "model": issue.model or ""},
    )


def loaner_out(r: Request) -> bool:
    """The request has ended and the customer still has the loaner."""
    return not r.state.is_open and bool(r.state.loaner) and not r.state.loaner_returned_at


async def return_loaner(r: Request) -> None:
    await r.activity(ActivityName.RETURN_LOANER, r.state.number, type(None), "return loaner")
    r.state.loaner_returned_at = workflow.now()
    r.emit("loaner_returned", SYSTEM, {"unit": r.state.loaner})

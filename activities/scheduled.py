"""Activities of the scheduled revisits and inspections: the working-date rule, the inspection
intake and the periodic call.

The inspection is registered here through `intake.reservation.reserve` and started through
`gateway.start` rather than as a child workflow: it then goes exactly the way of a hotline
intake (number, entitlement, first plan, search attributes, summary), and both steps are
idempotent (the external_ref finds the first intake, the workflow ID the first workflow), so a
retried activity or a re-run of the scheduled workflow never registers twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

import gateway
from db.profiles import latest_profile
from db.replacements import IN_SERVICE
from db.session import SessionFactory
from db.tables import Asset, Customer
from intake.reservation import reserve
from models.errors import DomainError
from models.intake import IntakeRequest, RequestType
from models.revisits import CHANNELS, RevisitCallStart
from models.schedules import (
    InspectionRegistered,
    InspectionRequest,
    RevisitCallRequest,
    RunDue,
    ScheduledActivity,
    WorkingDateRequest,
    inspection_ref,
    is_calendar_slot,
    revisit_call_id,
)
from models.service_plan import OFFICE_CALENDAR
from sla.calendar import BusinessCalendar

#: Who the timeline names as having registered a scheduled inspection.
REGISTERED_BY = "schedule"


def next_working_instant(calendar: BusinessCalendar, instant: datetime) -> datetime:
    """`instant` when its local date is a working date, else the opening of the next one:
    nobody is sent on a holiday, and on a working date the admin's chosen hour stands."""
    if calendar.is_working_date(calendar.local_date(instant)):
        return calendar.local(instant)
    return calendar.open_at_or_after(instant)


#: What a run that sends an engineer registers, by the schedule's kind: the request's type,
#: its fault code and what its description says.
VISITS: dict[str, tuple[RequestType, str, str]] = {
    "inspection": ("inspection", "INSPECTION", "Preventive inspection"),
    "revisit_visit": ("revisit_visit", "REVISIT_VISIT", "On-site revisit 上门回访"),
}


class ScheduledActivities:
    def __init__(self, sessions: SessionFactory, client: Client, timezone: str) -> None:
        self._sessions = sessions
        self._client = client
        self._timezone = timezone

    @activity.defn(name=ScheduledActivity.NEXT_WORKING_DATE)
    def next_working_date(self, request: WorkingDateRequest) -> RunDue:
        """When this run acts: a manual trigger at once, a calendar run on a working date of the
        customer's profile's office calendar (the profile as it is now, not when scheduled)."""
        run, zone = request.run, ZoneInfo(request.run.time_zone)
        at = request.at
        if is_calendar_slot(run.definition, at, run.time_zone):
            with self._sessions() as session:
                customer = session.get(Customer, run.definition.customer_id)
                found = latest_profile(session, customer.sla_profile) if customer else None
            if found is not None and OFFICE_CALENDAR in found[0].calendars:
                calendar = BusinessCalendar.from_spec(found[0].calendars[OFFICE_CALENDAR])
                at = next_working_instant(calendar, at)
        return RunDue(at=at, local_date=at.astimezone(zone).date())

    @activity.defn(name=ScheduledActivity.CONTRACT_ASSETS)
    def contract_assets(self, customer_id: str) -> list[str]:
        """What a contract-wide inspection covers: the customer's main equipment (every asset
        when none is marked main) in service: a replaced unit is not inspected."""
        with self._sessions() as session:
            assets = session.scalars(
                select(Asset)
                .where(Asset.customer_id == customer_id, IN_SERVICE)
                .order_by(Asset.serial)
            ).all()
        main = [a.serial for a in assets if a.main_equipment]
        return main or [a.serial for a in assets]

    @activity.defn(name=ScheduledActivity.PREPARE_REVISIT_CALL)
    def prepare_revisit_call(self, request: RevisitCallRequest) -> RevisitCallStart:
        """The periodic call, with the customer's profile as it is now (its retry and
        complaint rules)."""
        run = request.run
        definition = run.definition
        with self._sessions() as session:
            customer = session.get(Customer, definition.customer_id)
            found = latest_profile(session, customer.sla_profile) if customer else None
        if found is None:
            raise ApplicationError(
                f"customer {definition.customer_id} or its SLA profile no longer exists",
                type="RevisitRejected",
                non_retryable=True,
            )
        return RevisitCallStart(
            id=revisit_call_id(run.schedule_id, request.due.local_date),
            schedule_id=run.schedule_id,
            customer_id=definition.customer_id,
            asset_serial=definition.asset_serial,
            channel=CHANNELS[definition.kind],
            due=request.due.at,
            profile=found[0],
        )

    @activity.defn(name=ScheduledActivity.REGISTER_INSPECTION)
    async def register_inspection(self, request: InspectionRequest) -> InspectionRegistered:
        definition = request.definition
        note = f" — {definition.note}" if definition.note else ""
        # A contract-wide run registers one request per asset: the asset is part of the key.
        contract_wide = definition.asset_serial is None
        kind, fault_code, what = VISITS[definition.kind]
        body = IntakeRequest(
            external_ref=inspection_ref(
                request.schedule_id, request.due, request.serial if contract_wide else None
            ),
            channel="visit",
            customer_id=definition.customer_id,
            asset_serial=request.serial,
            severity=4,
            fault_code=fault_code,
            description=(
                f"{what} ({definition.every.replace('_', '-')}) due "
                f"{request.due.isoformat()}, schedule {request.schedule_id}{note}"
            ),
            type=kind,
            force_new=True,
        )
        return await register_visit(self._sessions, self._client, body, self._timezone)


async def register_visit(
    sessions: SessionFactory, client: Client, body: IntakeRequest, timezone: str
) -> InspectionRegistered:
    """Register (or find, by its external_ref) the request a schedule sends an engineer for,
    and start (or find) its workflow on the activity's task queue."""
    try:
        start, duplicate = await asyncio.to_thread(
            reserve, sessions, body, None, timezone, None, REGISTERED_BY
        )
    except DomainError as problem:
        # The customer or asset was removed, or the profile is gone: retrying cannot help.
        raise ApplicationError(
            problem.detail, type="InspectionRejected", non_retryable=True
        ) from problem
    await gateway.start(client, activity.info().task_queue, start)
    return InspectionRegistered(number=start.number, duplicate=duplicate)

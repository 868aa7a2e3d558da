"""The daily run of the end-of-warranty inspections (`warranty.end_of_warranty`): each asset in
service whose customer's profile asks for one gets an inspection request once before its
warranty ends, registered and started like a scheduled inspection (`register_visit`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.scheduled import register_visit
from db.entitlements import entitlement_for
from db.profiles import latest_profile
from db.replacements import IN_SERVICE
from db.session import SessionFactory
from db.tables import Asset, Customer
from models.intake import IntakeRequest
from models.schedules import ScheduledActivity
from models.service_plan import OFFICE_CALENDAR
from sla.calendar import BusinessCalendar
from warranty.end_of_warranty import is_due

log = logging.getLogger(__name__)

FAULT_CODE = "END_OF_WARRANTY"


@dataclass(frozen=True)
class Due:
    serial: str
    customer_id: str
    warranty_end: date


class EndOfWarrantyActivities:
    def __init__(self, sessions: SessionFactory, client: Client, timezone: str) -> None:
        self._sessions, self._client, self._timezone = sessions, client, timezone

    @activity.defn(name=ScheduledActivity.END_OF_WARRANTY)
    async def register_end_of_warranty_inspections(self, at: datetime) -> list[str]:
        """The numbers of the inspections registered now (those registered before are found
        by their external_ref and not repeated)."""
        today = at.astimezone(ZoneInfo(self._timezone)).date()
        registered = []
        for due in await asyncio.to_thread(self.due, today):
            body = IntakeRequest(
                external_ref=f"end-of-warranty:{due.serial}:{due.warranty_end.isoformat()}",
                channel="visit",
                customer_id=due.customer_id,
                asset_serial=due.serial,
                severity=4,
                fault_code=FAULT_CODE,
                description=(
                    f"保修期满前巡检 End-of-warranty inspection: the warranty ends "
                    f"{due.warranty_end.isoformat()}; write the report before then"
                ),
                type="inspection",
                force_new=True,
            )
            try:
                found = await register_visit(self._sessions, self._client, body, self._timezone)
            except ApplicationError as problem:  # one asset's problem stops no other's
                log.error("end-of-warranty inspection of %s: %s", due.serial, problem)
                continue
            if not found.duplicate:
                registered.append(found.number)
        return registered

    def due(self, today: date) -> list[Due]:
        """The assets in service whose inspection falls due by `today`, by serial."""
        with self._sessions() as session:
            rules = _Rules(session)
            assets = session.scalars(
                select(Asset).where(IN_SERVICE).order_by(Asset.serial)
            )
            found = []
            for asset in assets:
                rule = rules.of(asset.customer_id)
                if rule is None:
                    continue
                calendar, days = rule
                end = entitlement_for(session, asset, today, None, self._timezone).warranty_end
                if end is not None and is_due(today, calendar, end, days):
                    found.append(Due(asset.serial, asset.customer_id, end))
            return found


class _Rules:
    """Each customer's office calendar and working days before the end (None: no such
    inspection), read once per profile."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._profiles: dict[str, tuple[BusinessCalendar, int] | None] = {}

    def of(self, customer_id: str) -> tuple[BusinessCalendar, int] | None:
        customer = self._session.get(Customer, customer_id)
        if customer is None:
            return None
        name = customer.sla_profile
        if name not in self._profiles:
            found = latest_profile(self._session, name)
            profile = found[0] if found else None
            days = profile.end_of_warranty.working_days_before if profile else None
            office = profile.calendars.get(OFFICE_CALENDAR) if profile else None
            self._profiles[name] = (
                (BusinessCalendar.from_spec(office), days) if office and days else None
            )
        return self._profiles[name]

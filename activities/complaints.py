"""Complaints after a revisit: the rework request is registered like any intake."""

from __future__ import annotations

from temporalio import activity

from db.session import SessionFactory
from intake.reservation import reserve
from models.activity_io import ActivityName, ReworkRequest
from models.intake import IntakeRequest, ServiceRequestStart


class ComplaintActivities:
    def __init__(self, sessions: SessionFactory, timezone: str) -> None:
        self._sessions = sessions
        self._timezone = timezone

    @activity.defn(name=ActivityName.OPEN_REWORK)
    def open_rework_request(self, request: ReworkRequest) -> ServiceRequestStart:
        """Idempotent: the external reference names the original, so a retry finds the first."""
        body = IntakeRequest(
            channel="phone",
            customer_id=request.customer_id,
            asset_serial=request.asset_serial,
            severity=request.severity,
            fault_code=request.fault_code,
            description=f"返修 rework of {request.original}: {request.reason}",
            external_ref=f"rework-of-{request.original}",
            force_new=True,
        )
        start, _ = reserve(self._sessions, body, None, self._timezone, registrar="revisit")
        return start.model_copy(update={"linked_to": request.original})

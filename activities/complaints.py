"""Requests linked to another, registered like any intake: the rework after a revisit's
complaint, and the repair of a hidden fault a revisit visit found."""

from __future__ import annotations

from temporalio import activity

from db.session import SessionFactory
from intake.reservation import reserve
from models.activity_io import ActivityName, ReworkRequest
from models.intake import IntakeRequest, ServiceRequestStart

#: kind -> the channel it came by, what its description says, who registered it.
LINKED = {
    "rework": ("phone", "返修 rework of", "revisit"),
    "hidden_fault": ("visit", "回访发现隐患 hidden fault found on the visit", "engineer"),
}


class ComplaintActivities:
    def __init__(self, sessions: SessionFactory, timezone: str) -> None:
        self._sessions = sessions
        self._timezone = timezone

    @activity.defn(name=ActivityName.OPEN_REWORK)
    def open_rework_request(self, request: ReworkRequest) -> ServiceRequestStart:
        """Idempotent: the external reference names the original, so a retry finds the first."""
        channel, said, registrar = LINKED[request.kind]
        body = IntakeRequest(
            channel=channel,
            customer_id=request.customer_id,
            asset_serial=request.asset_serial,
            severity=request.severity,
            fault_code=request.fault_code,
            description=f"{said} {request.original}: {request.reason}",
            external_ref=f"{request.kind.replace('_', '-')}-of-{request.original}",
            force_new=True,
        )
        start, _ = reserve(self._sessions, body, None, self._timezone, registrar=registrar)
        return start.model_copy(update={"linked_to": request.original})

"""The timeline and the read models, written from the workflows' events and states."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from temporalio import activity

from db.kpi_facts import FOUND_ONCE, found_once, write_clocks, write_plans
from db.profiles import ProfileVersions
from db.projections import project_call, project_complaint
from db.replacements import record_replacements
from db.session import SessionFactory, transaction
from db.tables import ServiceRequestRow, TimelineEventRow
from db.upserts import insert_new, upsert_newer
from kpi.clock_facts import clock_facts
from models.activity_io import ActivityName, RecordRequest
from models.common import SlaStatus
from models.complaints import ComplaintState
from models.intake import SERVICE_TIMEZONE
from models.profile import ProfileRef
from models.revisits import RevisitCallEntry, RevisitCallState
from models.state import ServiceRequestState, TimelineEvent, workflow_id_for
from notifications import outbox
from notifications.delivery import Delivery
from notifications.relay import OutboxRelay


class RecordActivities:
    def __init__(
        self,
        sessions: SessionFactory,
        delivery: Delivery,
        relay: OutboxRelay | None = None,
        versions: ProfileVersions | None = None,
        timezone: str = SERVICE_TIMEZONE,
    ) -> None:
        self._sessions = sessions
        self._delivery, self._relay = delivery, relay
        self._versions = versions or ProfileVersions(sessions)
        self._timezone = timezone

    @activity.defn(name=ActivityName.RECORD_EVENTS)
    def record_events(self, request: RecordRequest) -> None:
        """Append the events, project the state, write what they changed in the asset archive
        and the notices to the outbox, in one transaction; then wake the relay that delivers
        them.

        Idempotent: an event already stored under its (number, seq) is skipped, the
        projection only moves forward in `version` and a notice is written once per key, so a
        retried attempt writes nothing twice.
        """
        state = request.state
        notices = self._delivery.compose_for_relay(request.notices)
        profile, cals = self._versions.get(
            ProfileRef(name=state.sla_profile, version=state.sla_profile_version)
        )
        facts = clock_facts(state, profile, cals)
        with transaction(self._sessions) as session:
            insert_new(
                session,
                TimelineEventRow,
                [_event_row(state.number, event) for event in request.events],
                unique=("number", "seq"),
            )
            projection = _projection(state) | found_once(
                session, state, request.events, self._timezone
            )
            upsert_newer(session, ServiceRequestRow, projection, key="number", kept=FOUND_ONCE)
            write_clocks(session, state, facts)
            write_plans(session, state, request.events)
            record_replacements(session, state, request.events, profile.replacement, self._timezone)
            for call in RevisitCallEntry.of_request(state, workflow_id_for(state.number)):
                project_call(session, call, state.version)
            outbox.add_new(session, notices)
        if notices and self._relay is not None:  # a retry that wrote none wakes nobody
            self._relay.nudge()
        if activity.in_activity():  # not when called directly (the tests)
            _count(len(notices))

    @activity.defn(name=ActivityName.RECORD_COMPLAINT)
    def record_complaint(self, state: ComplaintState) -> None:
        with transaction(self._sessions) as session:
            project_complaint(session, state)

    @activity.defn(name=ActivityName.RECORD_REVISIT_CALL)
    def record_revisit_call(self, state: RevisitCallState) -> None:
        with transaction(self._sessions) as session:
            project_call(session, RevisitCallEntry.of_call(state), state.version)


def _count(notices: int) -> None:
    """The worker's own metrics, served with the Temporal SDK's (`config.metrics_runtime`)."""
    meter = activity.metric_meter()
    meter.create_counter("aftersales_records", "Actions recorded (timeline and read model).").add(1)
    if notices:
        meter.create_counter(
            "aftersales_notices_written", "Notices written to the outbox with a record."
        ).add(notices)


def _event_row(number: str, event: TimelineEvent) -> dict[str, Any]:
    return {
        "number": number,
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at,
        "actor": event.actor,
        "by": event.by and event.by.model_dump(mode="json", exclude_none=True),
        "stage": event.stage,
        "data": event.data,
        "note": None,
    }


def _projection(state: ServiceRequestState) -> dict[str, Any]:
    return {
        "number": state.number,
        "workflow_id": workflow_id_for(state.number),
        "type": state.type,
        "stage": state.stage,
        "severity": state.severity,
        "region": state.region,
        "customer_id": state.customer_id,
        "asset_serial": state.asset_serial,
        "engineer_id": state.engineer,
        "sla_status": state.sla_status,
        "breached": state.sla_status == SlaStatus.BREACHED,
        "next_deadline": state.next_deadline,
        "reported_at": state.reported_at,
        "registered_at": state.registered_at,
        "closed_at": state.closed_at,
        "outcome": state.outcome,
        "fault_code": state.fault_code,
        "state": state.model_dump(mode="json"),
        "version": state.version,
        "updated_at": datetime.now(UTC),
    }

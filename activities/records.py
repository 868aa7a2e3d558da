"""The timeline and the read models, written from the workflows' events and states."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from temporalio import activity

from db.projections import project_call, project_complaint
from db.session import SessionFactory, transaction
from db.tables import ServiceRequestRow, TimelineEventRow
from models.activity_io import ActivityName, RecordRequest
from models.common import SlaStatus
from models.complaints import ComplaintState
from models.revisits import RevisitCallEntry, RevisitCallState
from models.state import ServiceRequestState, workflow_id_for
from notifications.delivery import Delivery
from notifications.relay import OutboxRelay


class RecordActivities:
    def __init__(
        self, sessions: SessionFactory, delivery: Delivery, relay: OutboxRelay | None = None
    ) -> None:
        self._sessions = sessions
        self._delivery, self._relay = delivery, relay

    @activity.defn(name=ActivityName.RECORD_EVENTS)
    def record_events(self, request: RecordRequest) -> None:
        """Append the events, project the state and write the notices to the outbox, in one
        transaction; then wake the relay that delivers them.

        Idempotent: an event already stored under its (number, seq) is skipped, the
        projection only moves forward in `version` and a notice is written once per key, so a
        retried attempt writes nothing twice.
        """
        state = request.state
        with transaction(self._sessions) as session:
            stored = set(
                session.scalars(
                    select(TimelineEventRow.seq).where(
                        TimelineEventRow.number == state.number,
                        TimelineEventRow.seq.in_([e.seq for e in request.events]),
                    )
                )
            )
            for event in request.events:
                if event.seq in stored:
                    continue
                session.add(
                    TimelineEventRow(
                        number=state.number,
                        seq=event.seq,
                        kind=event.kind,
                        at=event.at,
                        actor=event.actor,
                        by=event.by and event.by.model_dump(mode="json", exclude_none=True),
                        stage=event.stage,
                        data=event.data,
                    )
                )
            row = session.get(ServiceRequestRow, state.number)
            if row is None or row.version < state.version:
                session.add(_projection(state, row or ServiceRequestRow()))
                for call in RevisitCallEntry.of_request(state, workflow_id_for(state.number)):
                    project_call(session, call, state.version)
            # After the projection: a notice for the customer finds them through its row.
            self._delivery.write_with(session, request.notices)
        if request.notices and self._relay is not None:
            self._relay.nudge()

    @activity.defn(name=ActivityName.RECORD_COMPLAINT)
    def record_complaint(self, state: ComplaintState) -> None:
        with transaction(self._sessions) as session:
            project_complaint(session, state)

    @activity.defn(name=ActivityName.RECORD_REVISIT_CALL)
    def record_revisit_call(self, state: RevisitCallState) -> None:
        with transaction(self._sessions) as session:
            project_call(session, RevisitCallEntry.of_call(state), state.version)


def _projection(state: ServiceRequestState, row: ServiceRequestRow) -> ServiceRequestRow:
    row.number = state.number
    row.workflow_id = workflow_id_for(state.number)
    row.type = state.type
    row.stage = state.stage
    row.severity = state.severity
    row.region = state.region
    row.customer_id = state.customer_id
    row.asset_serial = state.asset_serial
    row.engineer_id = state.engineer
    row.sla_status = state.sla_status
    row.breached = state.sla_status == SlaStatus.BREACHED
    row.next_deadline = state.next_deadline
    row.reported_at = state.reported_at
    row.registered_at = state.registered_at
    row.closed_at = state.closed_at
    row.outcome = state.outcome
    row.state = state.model_dump(mode="json")
    row.version = state.version
    row.updated_at = datetime.now(UTC)
    return row

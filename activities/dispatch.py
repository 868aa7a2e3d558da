"""Engineer look-ups for assignment; the choice itself is the pure `dispatch.choose_engineer`."""

from __future__ import annotations

from sqlalchemy import func, select
from temporalio import activity

from db.engineers import engineer_info, find_engineer
from db.session import SessionFactory
from db.tables import Engineer, ServiceRequestRow
from dispatch import Candidate, choose_engineer
from models.activity_io import ActivityName, AutoAssignRequest, EngineerInfo, EngineerLookup
from models.lifecycle import OPEN_STAGES


class DispatchActivities:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @activity.defn(name=ActivityName.FIND_ENGINEER)
    def find_engineer(self, lookup: EngineerLookup) -> EngineerInfo | None:
        with self._sessions() as session:
            return find_engineer(session, lookup.engineer_id)

    @activity.defn(name=ActivityName.AUTO_ASSIGN)
    def auto_assign_engineer(self, request: AutoAssignRequest) -> EngineerInfo | None:
        with self._sessions() as session:
            open_counts = dict(
                session.execute(
                    select(ServiceRequestRow.engineer_id, func.count())
                    .where(ServiceRequestRow.stage.in_([str(s) for s in OPEN_STAGES]))
                    .group_by(ServiceRequestRow.engineer_id)
                ).all()
            )
            engineers = {e.id: e for e in session.scalars(select(Engineer))}
            chosen = choose_engineer(
                (
                    Candidate(
                        engineer_id=e.id,
                        skills=frozenset(e.skills),
                        regions=frozenset(e.regions),
                        on_duty=e.on_duty,
                        open_assignments=open_counts.get(e.id, 0),
                    )
                    for e in engineers.values()
                ),
                category=request.category,
                region=request.region,
                exclude=request.exclude,
            )
            if chosen is None:
                return None
            return engineer_info(engineers[chosen.engineer_id])

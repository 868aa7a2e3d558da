"""Engineer look-ups for assignment; the choice itself is the pure `dispatch.choose_engineer`."""

from __future__ import annotations

from temporalio import activity

from db.engineers import engineer_info, find_engineer
from db.session import SessionFactory
from db.worklists import engineer_loads
from dispatch import choose_engineer
from models.activity_io import ActivityName, AutoAssignRequest, EngineerInfo, EngineerLookup


class DispatchActivities:
    def __init__(self, sessions: SessionFactory, max_open_jobs: int | None = None) -> None:
        self._sessions = sessions
        self._max_open_jobs = max_open_jobs

    @activity.defn(name=ActivityName.FIND_ENGINEER)
    def find_engineer(self, lookup: EngineerLookup) -> EngineerInfo | None:
        with self._sessions() as session:
            return find_engineer(session, lookup.engineer_id)

    @activity.defn(name=ActivityName.AUTO_ASSIGN)
    def auto_assign_engineer(self, request: AutoAssignRequest) -> EngineerInfo | None:
        with self._sessions() as session:
            loads = {load.engineer.id: load for load in engineer_loads(session)}
            chosen = choose_engineer(
                (load.candidate for load in loads.values()),
                category=request.category,
                region=request.region,
                exclude=request.exclude,
                max_open_jobs=self._max_open_jobs,
                key_account=request.key_account,
            )
            return None if chosen is None else engineer_info(loads[chosen.engineer_id].engineer)

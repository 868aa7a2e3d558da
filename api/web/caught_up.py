"""Read-your-writes for the desks: after a person's action the page they return to is read
from the projections, which the workflow writes a moment after it answers. The form waits
(briefly, and bounded) until the projection shows the change, so nobody sees their own action
undone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from db.tables import RevisitCallRow, ServiceRequestRow

#: Long enough for a recording activity on a busy worker; a page shown after it is merely a
#: moment behind, never wrong for long.
PATIENCE_SECONDS = 5.0
POLL_SECONDS = 0.05


async def caught_up(ctx: AppContext, shows: Callable[[Session], bool]) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_SECONDS

    def check() -> bool:
        with ctx.sessions() as session:
            return shows(session)

    while not await ctx.db(check):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)
    return True


def request_at(number: str, version: int) -> Callable[[Session], bool]:
    """The read model has the request at `version` or later."""

    def shows(session: Session) -> bool:
        stored = session.scalar(
            select(ServiceRequestRow.version).where(ServiceRequestRow.number == number)
        )
        return stored is not None and stored >= version

    return shows


def call_answered(call_id: str) -> Callable[[Session], bool]:
    def shows(session: Session) -> bool:
        row = session.get(RevisitCallRow, call_id)
        return row is None or row.status != "due"

    return shows

"""What every record route of the API does alike (the archive, the loaner pool): run its work
in a session or a transaction off the event loop, and refuse an unknown key (404), a key
already taken (409), a body naming another key than its path (422), and a record still in use
(409), each in the same words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from api.context import AppContext
from api.problems import Problem
from db.session import transaction
from models.errors import invalid_fields

T = TypeVar("T")


async def in_session(ctx: AppContext, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with ctx.sessions() as session:
            return work(session)

    return await ctx.db(run)


async def in_transaction(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """`work` in one transaction. Two writers creating the same key at the same moment meet
    in the primary key; the loser's IntegrityError is the API's 409."""

    def run() -> T:
        with transaction(ctx.sessions) as session:
            return work(session)

    return await ctx.db(run)


def must_exist(value: T | None, what: str) -> T:
    if value is None:
        raise Problem(404, f"there is no {what}")
    return value


def same_key(field: str, in_path: str, in_body: str) -> None:
    if in_body != in_path:
        reason = f"is {in_body!r} but the path names {in_path!r}"
        raise invalid_fields([{"field": field, "reason": reason}])


def must_be_new(exists: bool, what: str, advice: str) -> None:
    if exists:
        raise Problem(409, f"{what} already exists; {advice}")


def must_be_unused(uses: list[str], what: str, advice: str) -> None:
    if uses:
        raise Problem(409, f"{what} still has {' and '.join(uses)}; {advice}")

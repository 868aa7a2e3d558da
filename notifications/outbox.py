"""The outbox rows' states, each move one conditional UPDATE so that two attempts racing for
the same message (an activity retried while the first attempt still runs, two workers) can
never both own it: the database decides, on SQLite and PostgreSQL alike.

    pending --claim--> sending --finish--> sent | failed
                          |--release--> pending          (a retryable error)
                          '--claim after the lease-->    (its sender died mid-send)
    skipped, failed (template error): written so at insertion, never claimed
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, literal, or_, select, update
from sqlalchemy.orm import Session

from db.session import SessionFactory, transaction
from db.tables import Notification
from db.upserts import insert_new


class Channel(StrEnum):
    """How a row goes out: each notice is an email row, and an SMS row beside it under
    `key_of` when its kind has an SMS text (`rendering.SMS_KINDS`)."""

    EMAIL = "email"
    SMS = "sms"


def key_of(key: str, channel: Channel) -> str:
    """The outbox key of a notice's row on `channel`: the email keeps the notice's own key (so
    rows written before SMS existed keep theirs), the SMS is `<key>:sms`."""
    return key if channel == Channel.EMAIL else f"{key}:{channel}"


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


def status_of(sessions: SessionFactory, key: str) -> Status | None:
    with sessions() as session:
        found = session.scalar(select(Notification.status).where(Notification.key == key))
    return None if found is None else Status(found)


def claim(
    sessions: SessionFactory, key: str, owner: str, now: datetime, lease: timedelta
) -> Notification | None:
    """Make `owner` the message's sender, if nobody is, or if its sender's lease ran out."""
    claimable = or_(
        Notification.status == Status.PENDING,
        and_(Notification.status == Status.SENDING, Notification.claimed_at < now - lease),
    )
    statement = (
        update(Notification)
        .where(Notification.key == key, claimable)
        .values(
            status=Status.SENDING,
            claimed_by=owner,
            claimed_at=now,
            attempts=Notification.attempts + 1,
        )
        .returning(Notification)
    )
    with transaction(sessions) as session:
        return session.scalars(statement).one_or_none()


def claimed_until(sessions: SessionFactory, key: str, lease: timedelta) -> datetime | None:
    """When the current claim of a message being sent runs out (None: not being sent)."""
    with sessions() as session:
        claimed_at = session.scalar(
            select(Notification.claimed_at).where(
                Notification.key == key, Notification.status == Status.SENDING
            )
        )
    return None if claimed_at is None else claimed_at + lease


def finish(
    sessions: SessionFactory,
    key: str,
    owner: str,
    status: Status,
    now: datetime,
    note: str | None = None,
) -> bool:
    """Record the end of `owner`'s send; False if its claim was taken over meanwhile."""
    values: dict[str, object] = {"status": status, "last_error": note}
    if status == Status.SENT:
        values["sent_at"] = now
    return _move(sessions, key, owner, values)


def release(sessions: SessionFactory, key: str, owner: str, error: str, retry_at: datetime) -> bool:
    """Give the message back after a retryable error, so the retry need not wait the lease;
    the relay's own messages are tried again at `retry_at`."""
    values: dict[str, object] = {
        "status": Status.PENDING,
        "claimed_by": None,
        "claimed_at": None,
        "last_error": error,
        "next_attempt_at": case(
            (Notification.next_attempt_at.is_(None), None),
            else_=literal(retry_at, Notification.next_attempt_at.type),
        ),
    }
    return _move(sessions, key, owner, values)


def stored(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the outbox has (in the caller's transaction)."""
    if not keys:
        return set()
    return set(session.scalars(select(Notification.key).where(Notification.key.in_(keys))))


def add_new(session: Session, rows: Sequence[Notification]) -> None:
    """Add the rows to the caller's transaction, except those whose key is there already (a
    retried transaction, or another attempt that wrote it in between)."""
    columns = [c.key for c in Notification.__table__.columns if c.key != "id"]
    insert_new(
        session,
        Notification,
        [{name: getattr(row, name) for name in columns} for row in rows],
        unique=("key",),
    )


def due(
    sessions: SessionFactory, now: datetime, lease: timedelta, limit: int
) -> list[tuple[str, Channel]]:
    """The relay's messages to try now, oldest first, with their channels: pending ones whose
    time has come, and those whose sender's lease ran out."""
    statement = (
        select(Notification.key, Notification.channel)
        .where(
            Notification.next_attempt_at.is_not(None),
            or_(
                and_(Notification.status == Status.PENDING, Notification.next_attempt_at <= now),
                and_(Notification.status == Status.SENDING, Notification.claimed_at < now - lease),
            ),
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    with sessions() as session:
        return [(key, Channel(channel)) for key, channel in session.execute(statement)]


def _move(sessions: SessionFactory, key: str, owner: str, values: dict[str, object]) -> bool:
    statement = (
        update(Notification)
        .where(
            Notification.key == key,
            Notification.status == Status.SENDING,
            Notification.claimed_by == owner,
        )
        .values(values)
        .returning(Notification.id)
    )
    with transaction(sessions) as session:
        return session.scalars(statement).one_or_none() is not None

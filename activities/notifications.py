"""The outbox: notifications are written once per idempotency key; senders deliver them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from temporalio import activity

from db.session import SessionFactory, transaction
from db.tables import Notification
from models.activity_io import ActivityName, NotificationRequest


class NotificationActivities:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @activity.defn(name=ActivityName.QUEUE_NOTIFICATION)
    def queue_notification(self, request: NotificationRequest) -> None:
        with transaction(self._sessions) as session:
            exists = session.scalar(select(Notification.id).where(Notification.key == request.key))
            if exists is not None:
                return
            session.add(
                Notification(
                    key=request.key,
                    number=request.number,
                    kind=request.kind,
                    recipients=request.recipients,
                    data=request.data,
                    created_at=datetime.now(UTC),
                )
            )

"""The outgoing message, and its RFC 5322 form for SMTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

#: The right-hand side of every Message-ID: ids are unique by the key, not by a host.
MESSAGE_ID_DOMAIN = "aftersales"
_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class OutgoingMessage:
    key: str
    kind: str
    number: str
    to: tuple[str, ...]
    subject: str
    body: str

    @property
    def message_id(self) -> str:
        return message_id(self.key)


def message_id(key: str) -> str:
    """`<key@aftersales>`, with every byte of the key's UTF-8 other than a letter, a digit or
    `-` written as `=XX`: a valid msg-id whatever the key holds (`/`, spaces, Chinese), and two
    keys never share one — a receiving system that drops duplicate Message-IDs drops only
    true duplicates."""
    local = "".join(
        char if char in _PLAIN else "".join(f"={byte:02X}" for byte in char.encode())
        for char in key
    )
    return f"<{local}@{MESSAGE_ID_DOMAIN}>"


def to_email(message: OutgoingMessage, sender: str, now: datetime) -> EmailMessage:
    email = EmailMessage()
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(now)
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    # RFC 3834: out-of-office robots must not answer a notification.
    email["Auto-Submitted"] = "auto-generated"
    email["X-Aftersales-Request"] = message.number
    email["X-Aftersales-Kind"] = message.kind
    email.set_content(message.body)
    return email

"""Email senders hand a rendered message over: `log` (the default) writes one line per message,
`smtp` gives it to an SMTP server (stdlib smtplib, blocking: it runs in the activity thread).
The SMS's senders are `sms_senders`'.

A sender raises `PermanentDeliveryError` when the server refused the message for good (a 5xx
reply to the recipients, the sender or the data): sending it again would fail the same way.
Anything else it raises (connection refused, a timeout, a 4xx reply, a failed login) is worth
retrying and is left to propagate.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import textwrap
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Protocol

from config import NotificationSettings, SmtpSettings
from notifications.message import OutgoingMessage, to_email

log = logging.getLogger(__name__)

#: Seconds each SMTP exchange may take. A send therefore ends well within the outbox's lease
#: (`delivery.LEASE`) and the activity's start-to-close timeout.
SMTP_TIMEOUT = 10.0

#: Recipients the server refused while it accepted the message for others: address -> reply.
Refusals = dict[str, str]


class PermanentDeliveryError(Exception):
    """The server refused the message for good; the message says how."""


class Sender(Protocol):
    def send(self, message: OutgoingMessage) -> Refusals:
        """Hand `message` over; the refusals of a partly accepted message are returned."""
        ...


class LogSender:
    """Delivers by logging: the default, so a development stack needs no mail server."""

    def send(self, message: OutgoingMessage) -> Refusals:
        # The whole body: on a development stack the log is where people find the links.
        log.info(
            "notification %s key=%s to=%s subject=%s\n%s",
            message.kind,
            message.key,
            ",".join(message.to),
            message.subject,
            textwrap.indent(message.body.strip(), "    | "),
        )
        return {}


class SmtpSender:
    def __init__(self, settings: SmtpSettings, timeout: float = SMTP_TIMEOUT) -> None:
        self._settings = settings
        self._timeout = timeout

    def send(self, message: OutgoingMessage) -> Refusals:
        settings = self._settings
        email = to_email(message, settings.sender, datetime.now(UTC))
        envelope_from = parseaddr(settings.sender)[1]
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=self._timeout)
        try:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(email, envelope_from, list(message.to))
        except smtplib.SMTPException as error:
            if _permanent(error):
                raise PermanentDeliveryError(_describe(error)) from error
            raise
        finally:
            _quit(smtp)
        return {address: _reply(code, text) for address, (code, text) in refused.items()}


def make_sender(settings: NotificationSettings) -> Sender:
    return SmtpSender(settings.smtp) if settings.sender == "smtp" else LogSender()


def _permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Every recipient refused; one of them only for now (4xx) is worth another try.
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False  # authentication, a lost connection, …: the next attempt may do better


def _describe(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + "; ".join(
            f"{address}: {_reply(code, text)}" for address, (code, text) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {_reply(error.smtp_code, error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _reply(code: int, text: bytes | str) -> str:
    decoded = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {decoded}"


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; a server that hangs up first has still got the message."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()

"""SMS senders hand a rendered text over: `log` (the default) writes one line per message,
`http` posts it to the SMS provider's endpoint (stdlib urllib, blocking: it runs in the
activity or relay thread).

The `http` sender posts JSON, `{"id", "to", "text", "sign_name", "kind", "number"}`, with the
outbox key as `id` and as the `Idempotency-Key` header, so a provider (or the gateway in front
of one) that dedupes drops the one resend the outbox allows: a provider that accepted the
message just as the worker died. Any 2xx reply is acceptance.

As the email senders (`senders`): `PermanentDeliveryError` when the provider refused the
message for good — a 4xx reply but 401/403 (credentials: the operator fixes them and the
message goes, as after a failed SMTP login), 408 and 429 (try later). Anything else (a 5xx or
3xx reply, connection refused, a timeout) is worth retrying and propagates.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from config import SmsSettings
from notifications.senders import PermanentDeliveryError

log = logging.getLogger(__name__)

#: Seconds a post to the provider may take, well within the outbox's lease
#: (`delivery.LEASE`): a claim must outlast any send.
SMS_TIMEOUT = 10.0
#: 4xx replies that a later attempt may not get.
RETRYABLE_4XX = frozenset({401, 403, 408, 429})


@dataclass(frozen=True)
class SmsMessage:
    #: The outbox row's key (`<notice key>:sms`): the provider's idempotency key.
    key: str
    kind: str
    number: str
    #: Mobile numbers, `+86` and 11 digits.
    to: tuple[str, ...]
    text: str


class SmsSender(Protocol):
    def send(self, message: SmsMessage) -> None:
        """Hand `message` over to every number in `message.to`."""
        ...


class LogSmsSender:
    """Delivers by logging: the default, so a development stack needs no SMS provider."""

    def send(self, message: SmsMessage) -> None:
        log.info(
            "sms %s key=%s to=%s %s",
            message.kind,
            message.key,
            ",".join(message.to),
            message.text,
        )


class SmsProviderError(Exception):
    """The provider refused the message for now (a 5xx, 408, 429 … reply): try again."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        # A redirect would re-post the text, and the bearer token, to wherever the reply
        # says: an endpoint that moved is for the operator to configure.
        return None


class HttpSmsSender:
    def __init__(self, settings: SmsSettings, timeout: float = SMS_TIMEOUT) -> None:
        self._settings = settings
        self._timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects())

    def send(self, message: SmsMessage) -> None:
        settings = self._settings
        payload = {
            "id": message.key,
            "to": list(message.to),
            "text": message.text,
            "sign_name": settings.sign_name,
            "kind": message.kind,
            "number": message.number,
        }
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            # Headers are ASCII: the key percent-encoded, one encoding per key.
            "Idempotency-Key": quote(message.key, safe="/:"),
        }
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        request = urllib.request.Request(
            settings.provider_url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as reply:
                reply.read()
        except urllib.error.HTTPError as error:
            detail = _describe(error)
            if 400 <= error.code < 500 and error.code not in RETRYABLE_4XX:
                raise PermanentDeliveryError(detail) from error
            raise SmsProviderError(detail) from error


def make_sms_sender(settings: SmsSettings) -> SmsSender:
    return HttpSmsSender(settings) if settings.sender == "http" else LogSmsSender()


def _describe(error: urllib.error.HTTPError) -> str:
    """The status and the start of the provider's reply, which usually says why."""
    try:
        said = error.read(300).decode(errors="replace").strip()
    except OSError:
        said = ""
    return f"HTTP {error.code} {error.reason}" + (f": {said}" if said else "")

"""The customer's status link (服务单查询链接): `/status/{token}` shows the customer where their
request stands and lets them escalate it (002: "C-1 may be escalated by the user").

Unlike the signing and quote links it is used again and again and needs no row: the token
names the request and an expiry, and is signed with a key derived for this purpose only, so a
status token is never taken for a signing or quote link (nor one of those for it)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from signing.tokens import SigningClaim, read, token_for

#: Long enough for a request's whole life: its repair, the revisits and the complaint window.
VALID_FOR = timedelta(days=400)
_NONCE = "status"


def _key(secret: str) -> str:
    return f"{secret}/status-link"


def status_token(secret: str, number: str, issued_at: datetime) -> str:
    """The link's token. Its expiry is counted from the day it is issued (UTC midnight), so a
    notice composed twice on one day carries the same link."""
    day = datetime.combine(issued_at.astimezone(UTC).date(), time(), UTC)
    return token_for(_key(secret), SigningClaim(number, day + VALID_FOR, _NONCE))


def status_url(base_url: str, secret: str, number: str, issued_at: datetime) -> str:
    return f"{base_url}/status/{status_token(secret, number, issued_at)}"


def read_status(secret: str, token: str, now: datetime) -> SigningClaim:
    """The claim of a genuine, unexpired status token; raises InvalidToken or ExpiredToken."""
    return read(_key(secret), token, now)

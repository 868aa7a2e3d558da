"""Signing links: `/sign/{token}` where the token names the request and an expiry and is
signed with HMAC-SHA256, so it cannot be forged or altered; the one-time part is the `nonce`,
recorded as used in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime


class InvalidToken(ValueError):
    """Forged, altered or malformed: say nothing more to whoever holds it."""


class ExpiredToken(ValueError):
    pass


@dataclass(frozen=True)
class SigningClaim:
    number: str
    expires_at: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def _payload(claim: SigningClaim) -> str:
    return f"{claim.number}|{int(claim.expires_at.timestamp())}|{claim.nonce}"


def token_for(secret: str, claim: SigningClaim) -> str:
    """The same claim always gives the same token, so issuing it again (a retry) is harmless."""
    payload = _payload(claim)
    return f"{_b64(payload.encode())}.{_mac(secret, payload)}"


def read(secret: str, token: str, now: datetime) -> SigningClaim:
    """The claim of a genuine, unexpired token; raises InvalidToken or ExpiredToken."""
    try:
        encoded, mac = token.split(".", 1)
        payload = _unb64(encoded).decode()
        number, expires, nonce = payload.split("|")
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed signing link") from exc
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        raise InvalidToken("this signing link was not issued by us")
    if now >= expires_at:
        raise ExpiredToken(f"this signing link expired on {expires_at:%Y-%m-%d %H:%M} UTC")
    return SigningClaim(number=number, expires_at=expires_at, nonce=nonce)

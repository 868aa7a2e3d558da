"""The web app's cookie sessions: signing in with a key or a password, the person behind a
cookie, and signing out. The cookie holds a random token; the table keeps its SHA-256, the
session's CSRF token and when it expires (never after its key does)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.tables import ApiKey, WebSession
from identity.keys import Principal, hash_key, principal_of, usable
from identity.passwords import key_for_password
from models.lifecycle import Role


class SignInRefused(ValueError):
    """Neither a valid key nor a valid login and password."""


@dataclass(frozen=True)
class SignedIn:
    """A browser's session: the cookie's token (given once, at sign-in) and its CSRF token."""

    token: str
    csrf_token: str
    expires_at: datetime
    who: Principal


def sign_in(
    session: Session,
    *,
    key: str = "",
    login: str = "",
    password: str = "",
    lifetime: timedelta,
    roles: frozenset[Role],
    now: datetime | None = None,
) -> SignedIn:
    """A new session for the person of a key, or of a login and password; only people of
    `roles` may sign in (the web app is the staff's: customers use the links sent to them)."""
    now = now or datetime.now(UTC)
    row: ApiKey | None
    if key.strip():
        row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key.strip())))
        if row is None or not usable(row, now):
            raise SignInRefused(
                "密钥无效（未知、已吊销或已过期）。 This key is not valid (unknown, revoked or "
                "expired)."
            )
    else:
        row = key_for_password(session, login, password)
        if row is None:
            raise SignInRefused("登录名或密码不正确。 The login or the password is wrong.")
    if Role(row.role) not in roles:
        raise SignInRefused(
            "这是客户的密钥：客户请使用发给您的签字链接。 This is a customer's key: customers "
            "use the links sent to them, not the staff app."
        )
    expires = now + lifetime
    if row.expires_at is not None:
        expires = min(expires, row.expires_at)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_key(token),
            api_key_id=row.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    return SignedIn(token, csrf, expires, principal_of(row))


def signed_in(session: Session, token: str, now: datetime | None = None) -> SignedIn | None:
    """The session of a cookie's token while it and its key are valid, else None."""
    now = now or datetime.now(UTC)
    found = session.execute(
        select(WebSession, ApiKey)
        .join(ApiKey, ApiKey.id == WebSession.api_key_id)
        .where(WebSession.token_hash == hash_key(token), WebSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    web, key = found
    if web.expires_at <= now or not usable(key, now):
        return None
    return SignedIn(token, web.csrf_token, web.expires_at, principal_of(key))


def sign_out(session: Session, token: str, now: datetime | None = None) -> None:
    """End the session; signing out twice changes nothing."""
    web = session.get(WebSession, hash_key(token))
    if web is not None and web.ended_at is None:
        web.ended_at = now or datetime.now(UTC)

"""Passwords an admin sets so that a person signs in to the web app with a login instead of
pasting a key (密码登录). Hashed with scrypt from the standard library, salted per password;
the login names the key whose person it is."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.tables import ApiKey, WebSession
from identity.keys import ApiKeyInfo, KeyRejected, UnknownKey, key_info, usable

#: scrypt's cost: about 50 ms and 16 MiB per check, so a guessed password is expensive.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 10
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        found = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


def set_password(session: Session, key_id: int, login: str, password: str) -> ApiKeyInfo:
    """Give the person of key `key_id` a login and password (replacing any earlier ones)."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise UnknownKey(f"there is no API key {key_id}")
    if not usable(row, datetime.now(UTC)):
        raise KeyRejected("key_id", f"key {key_id} is revoked or expired: issue a new key first")
    login = login.strip().lower()
    if not LOGIN.match(login):
        raise KeyRejected(
            "login",
            "2–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    taken = session.scalar(select(ApiKey.id).where(ApiKey.login == login, ApiKey.id != key_id))
    if taken is not None:
        raise KeyRejected("login", f"{login!r} is already the login of key {taken}")
    if len(password) < MIN_LENGTH:
        raise KeyRejected("password", f"use at least {MIN_LENGTH} characters")
    row.login, row.password_hash = login, hash_password(password)
    # A new password is often a leaked one replaced: no browser stays signed in with the old.
    session.execute(
        update(WebSession)
        .where(WebSession.api_key_id == key_id, WebSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    )
    return key_info(row)


def key_for_password(session: Session, login: str, password: str) -> ApiKey | None:
    """The usable key whose login and password these are, else None (which of the two was
    wrong is not said)."""
    row = session.scalar(select(ApiKey).where(ApiKey.login == login.strip().lower()))
    if row is None or row.password_hash is None:
        hash_password(password)  # the same time whether or not the login exists
        return None
    if not verify_password(password, row.password_hash) or not usable(row, datetime.now(UTC)):
        return None
    return row

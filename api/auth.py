"""API keys with roles, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.tables import ApiKey
from models.lifecycle import Role


@dataclass(frozen=True)
class Principal:
    role: Role
    name: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, role: Role, name: str) -> str:
    """Store a new key and return it; only its hash is kept, so it is shown once."""
    key = f"as_{role}_{secrets.token_urlsafe(24)}"
    session.add(ApiKey(name=name, role=role, key_hash=hash_key(key), created_at=datetime.now(UTC)))
    return key


def authenticate(session: Session, key: str) -> Principal | None:
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )
    return Principal(Role(row.role), row.name) if row else None

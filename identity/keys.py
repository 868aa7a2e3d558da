"""API keys (密钥): each belongs to a person, is stored as a SHA-256 hash, may expire, and
can be listed and revoked. The API, `manage.py` and the demo data all come here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, computed_field
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.tables import ApiKey, Customer, Engineer
from models.actions import Actor
from models.lifecycle import Role


class KeyRejected(ValueError):
    """A key that cannot be issued as asked; `field` names what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True)
class Principal:
    """The person behind a key: what every route checks, and what the timeline records."""

    key_id: int
    role: Role
    name: str
    engineer_id: str | None = None
    customer_id: str | None = None
    contact: str | None = None

    def actor(self) -> Actor:
        return Actor(
            role=self.role,
            name=self.name,
            key_id=self.key_id,
            engineer_id=self.engineer_id,
            customer_id=self.customer_id,
            contact=self.contact,
            via="api_key",
        )


class ApiKeyInfo(BaseModel):
    """A key as `list-api-keys` and `GET /v1/api-keys` show it: never its secret."""

    id: int
    role: Role
    name: str
    engineer_id: str | None
    customer_id: str | None
    contact: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    #: The web app's sign-in name, when an admin set a password for this key's person.
    login: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"


class IssuedKey(ApiKeyInfo):
    """A new key with its secret, shown this once."""

    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    session: Session,
    role: Role,
    name: str,
    *,
    engineer_id: str | None = None,
    customer_id: str | None = None,
    contact: str | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedKey:
    """Store a new key for a person and return it with its secret (only the hash is kept).
    An engineer key names an engineer of the archive, a customer key a customer."""
    now = now or datetime.now(UTC)
    _check_binding(session, role, engineer_id, customer_id, contact)
    if expires_at is not None and expires_at.tzinfo is None:
        raise KeyRejected("expires_at", "needs a time zone offset, e.g. 2027-01-01T00:00:00+08:00")
    if expires_at is not None and expires_at <= now:
        raise KeyRejected("expires_at", "is already past; a key must expire in the future")
    name = name.strip() or _archive_name(session, engineer_id, customer_id, contact)
    if not name:
        raise KeyRejected("name", "name the person the key belongs to")
    secret = f"as_{role}_{secrets.token_urlsafe(24)}"
    row = ApiKey(
        name=name,
        role=role,
        key_hash=hash_key(secret),
        engineer_id=engineer_id,
        customer_id=customer_id,
        contact=contact,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return IssuedKey(key=secret, **key_info(row).model_dump())


def _check_binding(
    session: Session,
    role: Role,
    engineer_id: str | None,
    customer_id: str | None,
    contact: str | None,
) -> None:
    bindings = (
        (Role.ENGINEER, "engineer_id", engineer_id, Engineer),
        (Role.CUSTOMER, "customer_id", customer_id, Customer),
    )
    for bound_role, field, value, table in bindings:
        noun = bound_role.value
        if role == bound_role:
            if not value:
                raise KeyRejected(field, f"a {noun} key belongs to one {noun}: name the {noun}")
            if session.get(table, value) is None:
                raise KeyRejected(field, f"there is no {noun} {value!r}")
        elif value:
            raise KeyRejected(field, f"only a {noun} key names a {noun}, not a {role} key")
    if contact and role != Role.CUSTOMER:
        raise KeyRejected("contact", "only a customer key names one of the customer's contacts")


def _archive_name(
    session: Session, engineer_id: str | None, customer_id: str | None, contact: str | None
) -> str:
    """The person's name as the archive has it, for a bound key issued without one."""
    if engineer_id:
        engineer = session.get(Engineer, engineer_id)
        return engineer.name if engineer else ""
    if customer_id:
        customer = session.get(Customer, customer_id)
        return (
            f"{contact} ({customer.name})"
            if customer and contact
            else (customer.name if customer else "")
        )
    return ""


def list_api_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKeyInfo]:
    query = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [key_info(row) for row in session.scalars(query)]


def revoke_api_key(session: Session, key_id: int, now: datetime | None = None) -> ApiKeyInfo:
    """Revoke a key at once; revoking it again changes nothing."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise UnknownKey(f"there is no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
    return key_info(row)


def authenticate(session: Session, key: str, now: datetime | None = None) -> Principal | None:
    """The person behind a key that is neither revoked nor expired, else None."""
    found = valid_key(session, key, now)
    return found[0] if found else None


def valid_key(
    session: Session, key: str, now: datetime | None = None
) -> tuple[Principal, datetime | None] | None:
    """The person behind a key that is neither revoked nor expired, and when it expires."""
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )
    if row is None or not usable(row, now or datetime.now(UTC)):
        return None
    return principal_of(row), row.expires_at


def usable(row: ApiKey, now: datetime) -> bool:
    """Neither revoked nor expired."""
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)


def principal_of(row: ApiKey) -> Principal:
    return Principal(
        row.id, Role(row.role), row.name, row.engineer_id, row.customer_id, row.contact
    )


def key_info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row.id,
        role=Role(row.role),
        name=row.name,
        engineer_id=row.engineer_id,
        customer_id=row.customer_id,
        contact=row.contact,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        login=row.login,
    )

"""Whom a notice reaches: the workflow names roles, this module finds their addresses.

- `customer`: the email on file of the request's customer (`data["customer_id"]`, else the
  customer of the request's read-model row);
- `assigned`: the engineer `data["engineer"]` (else the read model's), through the
  `NOTIFY_ENGINEER` pattern (`{id}` is the engineer's id): the archive keeps only a phone;
- `dispatcher`, `supervisor`, `manager`, `revisit`: the desks' configured addresses.

A role without an address is skipped, with the reason, and never an error: retrying would not
give it one, and the other recipients still get the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from config import NotificationSettings
from db.tables import Customer, ServiceRequestRow
from models.activity_io import NotificationRequest


class NoAddress(Exception):
    """The role has nobody to write to; the message is the reason."""


@dataclass
class Resolution:
    #: Each address once, in the order of the roles.
    addresses: list[str] = field(default_factory=list)
    #: role -> why it has no address.
    skipped: dict[str, str] = field(default_factory=dict)


def resolve(
    session: Session, request: NotificationRequest, settings: NotificationSettings
) -> Resolution:
    finder = _Finder(session, request, settings)
    resolution = Resolution()
    for role in dict.fromkeys(request.recipients):
        try:
            address = finder.address(role)
        except NoAddress as reason:
            resolution.skipped[role] = str(reason)
            continue
        if address not in resolution.addresses:
            resolution.addresses.append(address)
    return resolution


class _Finder:
    def __init__(
        self, session: Session, request: NotificationRequest, settings: NotificationSettings
    ) -> None:
        self._session = session
        self._request = request
        self._settings = settings
        self._roles: dict[str, Callable[[], str]] = {
            "customer": self._customer,
            "assigned": self._engineer,
            "dispatcher": lambda: self._desk("NOTIFY_DISPATCHER", settings.dispatcher),
            "supervisor": lambda: self._desk("NOTIFY_SUPERVISOR", settings.supervisor),
            "manager": lambda: self._desk("NOTIFY_MANAGER", settings.manager),
            "revisit": lambda: self._desk("NOTIFY_REVISIT", settings.revisit),
        }

    def address(self, role: str) -> str:
        find = self._roles.get(role)
        if find is None:
            raise NoAddress(f"no such role {role!r}")
        return _checked(find())

    def _customer(self) -> str:
        customer_id = self._request.data.get("customer_id") or self._from_read_model(
            ServiceRequestRow.customer_id
        )
        if not customer_id:
            raise NoAddress(f"request {self._request.number} has no known customer")
        email = self._session.scalar(select(Customer.email).where(Customer.id == customer_id))
        if not email:
            raise NoAddress(f"customer {customer_id} has no email on file")
        return email

    def _engineer(self) -> str:
        engineer_id = self._request.data.get("engineer") or self._from_read_model(
            ServiceRequestRow.engineer_id
        )
        if not engineer_id:
            raise NoAddress(f"request {self._request.number} has no engineer assigned")
        if not self._settings.engineer:
            raise NoAddress("NOTIFY_ENGINEER is empty")
        return self._settings.engineer.replace("{id}", engineer_id)

    @staticmethod
    def _desk(variable: str, address: str) -> str:
        if not address:
            raise NoAddress(f"{variable} is empty")
        return address

    def _from_read_model(self, column: InstrumentedAttribute[Any]) -> str | None:
        """A column of the request's read-model row (absent until its first projection)."""
        query = select(column).where(ServiceRequestRow.number == self._request.number)
        value = self._session.scalar(query)
        return str(value) if value else None


def _checked(address: str) -> str:
    """A bare address (`a@b`), or NoAddress: a typo on file must not make every retry fail."""
    _, bare = parseaddr(address)
    if "@" not in bare or bare != address.strip():
        raise NoAddress(f"{address!r} is not an email address")
    return bare

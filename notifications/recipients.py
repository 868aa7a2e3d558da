"""Whom a notice reaches: the workflow names roles, this module finds their addresses on each
channel (an email address, or a mobile number for the SMS).

- `customer`: the customer of the request (`data["customer_id"]`, else the customer of the
  request's read-model row): by email the email on file; by SMS the first mobile among the
  primary contact's phone and then the further contacts' (`customer_contacts`, in order), as a
  primary contact's phone is often the company's landline;
- `assigned`: the engineer `data["engineer"]` (else the read model's): by email through the
  `NOTIFY_ENGINEER` pattern (`{id}` is the engineer's id), by SMS the archive's phone of the
  engineer;
- `dispatcher`, `supervisor`, `manager`, `revisit`: the desks' configured `NOTIFY_<DESK>`
  address and `NOTIFY_SMS_<DESK>` mobile.

A role without an address is skipped, with the reason, and never an error: retrying would not
give it one, and the other recipients still get the message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from config import NotificationSettings
from db.tables import Customer, CustomerContact, Engineer, ServiceRequestRow
from models.activity_io import NotificationRequest
from notifications.mobiles import mobile
from notifications.outbox import Channel

DESKS = ("dispatcher", "supervisor", "manager", "revisit")


class NoAddress(Exception):
    """The role has nobody to write to; the message is the reason."""


@dataclass
class Resolution:
    #: Each address once, in the order of the roles.
    addresses: list[str] = field(default_factory=list)
    #: role -> why it has no address.
    skipped: dict[str, str] = field(default_factory=dict)


def resolve(
    session: Session,
    request: NotificationRequest,
    settings: NotificationSettings,
    channel: Channel = Channel.EMAIL,
) -> Resolution:
    finder = _FINDERS[channel](session, request, settings)
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


class _Finder(ABC):
    """The roles of one notice; a channel's finder says where each role's address is."""

    def __init__(
        self, session: Session, request: NotificationRequest, settings: NotificationSettings
    ) -> None:
        self._session = session
        self._request = request
        self._settings = settings

    def address(self, role: str) -> str:
        if role == "customer":
            customer = self._id("customer_id", ServiceRequestRow.customer_id, "known customer")
            return self._customer(customer)
        if role == "assigned":
            engineer = self._id("engineer", ServiceRequestRow.engineer_id, "engineer assigned")
            return self._engineer(engineer)
        if role in DESKS:
            return self._desk(role)
        raise NoAddress(f"no such role {role!r}")

    @abstractmethod
    def _customer(self, customer_id: str) -> str: ...

    @abstractmethod
    def _engineer(self, engineer_id: str) -> str: ...

    @abstractmethod
    def _desk(self, role: str) -> str: ...

    def _id(self, data_key: str, column: InstrumentedAttribute[Any], lacking: str) -> str:
        """The customer's or engineer's id: the notice's data, else the request's read-model
        row (absent until its first projection)."""
        found = self._request.data.get(data_key)
        if not found:
            query = select(column).where(ServiceRequestRow.number == self._request.number)
            found = self._session.scalar(query)
        if not found:
            raise NoAddress(f"request {self._request.number} has no {lacking}")
        return str(found)


class _EmailFinder(_Finder):
    def _customer(self, customer_id: str) -> str:
        email = self._session.scalar(select(Customer.email).where(Customer.id == customer_id))
        if not email:
            raise NoAddress(f"customer {customer_id} has no email on file")
        return _email(email)

    def _engineer(self, engineer_id: str) -> str:
        if not self._settings.engineer:
            raise NoAddress("NOTIFY_ENGINEER is empty")
        return _email(self._settings.engineer.replace("{id}", engineer_id))

    def _desk(self, role: str) -> str:
        address: str = getattr(self._settings, role)
        if not address:
            raise NoAddress(f"NOTIFY_{role.upper()} is empty")
        return _email(address)


class _SmsFinder(_Finder):
    def _customer(self, customer_id: str) -> str:
        primary = select(Customer.contact_phone).where(Customer.id == customer_id)
        others = (
            select(CustomerContact.phone)
            .where(CustomerContact.customer_id == customer_id)
            .order_by(CustomerContact.position)
        )
        phones = [self._session.scalar(primary), *self._session.scalars(others)]
        for phone in phones:
            number = mobile(phone)
            if number is not None:
                return number
        on_file = ", ".join(phone for phone in phones if phone) or "none"
        raise NoAddress(f"customer {customer_id} has no mobile on file (phones: {on_file})")

    def _engineer(self, engineer_id: str) -> str:
        phone = self._session.scalar(select(Engineer.phone).where(Engineer.id == engineer_id))
        if not phone:
            raise NoAddress(f"engineer {engineer_id} has no phone on file")
        return _mobile(phone, f"engineer {engineer_id}'s phone")

    def _desk(self, role: str) -> str:
        variable = f"NOTIFY_SMS_{role.upper()}"
        phone: str = getattr(self._settings.sms, role)
        if not phone:
            raise NoAddress(f"{variable} is empty")
        return _mobile(phone, variable)


_FINDERS: dict[Channel, type[_Finder]] = {Channel.EMAIL: _EmailFinder, Channel.SMS: _SmsFinder}


def _email(address: str) -> str:
    """A bare address (`a@b`), or NoAddress: a typo on file must not make every retry fail."""
    _, bare = parseaddr(address)
    if "@" not in bare or bare != address.strip():
        raise NoAddress(f"{address!r} is not an email address")
    return bare


def _mobile(phone: str, what: str) -> str:
    number = mobile(phone)
    if number is None:
        raise NoAddress(f"{what} {phone!r} is not a mobile number")
    return number

"""Whose work a request is: the one rule that the API (before anything reaches Temporal) and
the workflow's validator (for a client that bypasses the API) both keep.

A customer sees and acts on its own customer's requests only, and someone else's request is
"not found" (its existence is not revealed); an engineer acts only on a request assigned to
them; every other role is staff and sees all.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.actions import Actor
from models.lifecycle import Role

NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class Owners:
    """Who a request belongs to: its customer and the engineer assigned now."""

    customer_id: str
    engineer_id: str | None


class NotYours(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def check_owner(actor: Actor, number: str, owners: Owners) -> None:
    """Raise NotYours unless `actor` may see and act on request `number`."""
    if actor.role == Role.CUSTOMER:
        if actor.customer_id is None or actor.customer_id != owners.customer_id:
            raise NotYours(NOT_FOUND, f"there is no service request {number}")
    elif actor.role == Role.ENGINEER:
        if actor.engineer_id is None:
            raise NotYours(FORBIDDEN, "this engineer key is not bound to an engineer")
        if actor.engineer_id != owners.engineer_id:
            assigned = owners.engineer_id or "nobody yet"
            raise NotYours(
                FORBIDDEN,
                f"{number} is assigned to {assigned}, not to {actor.engineer_id}: only the "
                "assigned engineer may work on it",
            )


def sees_customer(actor: Actor, customer_id: str) -> bool:
    """Customer records (history, assets, complaints): a customer key sees its own only."""
    return actor.role != Role.CUSTOMER or actor.customer_id == customer_id

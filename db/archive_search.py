"""Finding the caller in the archive (客户查询): by customer id or name, a contact's or the
customer's phone, or an asset's serial. What intake types while the customer is on the line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.tables import Asset, Customer, CustomerContact

#: Enough to choose from while the caller waits; a longer list means "type more".
MAX_MATCHES = 20


@dataclass(frozen=True)
class Match:
    customer: Customer
    assets: list[Asset]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def find_callers(session: Session, text: str) -> list[Match]:
    """Customers whose id, name or a phone contains `text`, with their assets; and the
    owner of each asset whose serial contains it, with that asset first."""
    text = text.strip()
    if len(text) < 2:
        return []
    like = _like(text)
    by_serial = list(
        session.scalars(
            select(Asset)
            .where(func.lower(Asset.serial).like(like, escape="\\"))
            .order_by(Asset.serial)
            .limit(MAX_MATCHES)
        )
    )
    phone = select(CustomerContact.customer_id).where(
        func.lower(CustomerContact.phone).like(like, escape="\\")
    )
    customers = list(
        session.scalars(
            select(Customer)
            .where(
                or_(
                    func.lower(Customer.id).like(like, escape="\\"),
                    func.lower(Customer.name).like(like, escape="\\"),
                    func.lower(Customer.contact_phone).like(like, escape="\\"),
                    Customer.id.in_(phone),
                    Customer.id.in_([a.customer_id for a in by_serial]),
                )
            )
            .order_by(Customer.id)
            .limit(MAX_MATCHES)
        )
    )
    found = []
    for customer in customers:
        # The assets the text names first, however many others sort before them.
        named = [a for a in by_serial if a.customer_id == customer.id]
        others = session.scalars(
            select(Asset)
            .where(Asset.customer_id == customer.id, Asset.serial.not_in([a.serial for a in named]))
            .order_by(Asset.serial)
            .limit(MAX_MATCHES - len(named))
        )
        found.append(Match(customer, [*named, *others]))
    return found

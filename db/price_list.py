"""The price list in the database (`price_items`)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.tables import PriceItem
from fees import Price
from models.fees import PriceBody, PriceKind, PriceView

#: The demo's price list (001: 上门 20 元/次; figures of a small equipment service company).
DEMO: list[tuple[PriceKind, str, str, str]] = [
    ("part", "LENS-4MM", "4mm 镜头 lens", "180.00"),
    ("part", "PSU-12", "12V 电源 power supply", "95.00"),
    ("part", "BRACKET", "摄像机支架 camera bracket", "35.00"),
    ("labour", "*", "维修工时 labour", "120.00"),
    ("labour", "display", "大屏维修工时 display labour", "160.00"),
    ("travel", "qingdao", "上门费 call-out", "20.00"),
    ("travel", "jinan", "上门费 call-out", "60.00"),
]


def demo_prices() -> list[PriceItem]:
    return [PriceItem(kind=k, code=c, description=d, unit_price=Decimal(p)) for k, c, d, p in DEMO]


def price_list(session: Session) -> list[PriceView]:
    rows = session.scalars(select(PriceItem).order_by(PriceItem.kind, PriceItem.code))
    return [PriceView.model_validate(row, from_attributes=True) for row in rows]


def prices(session: Session) -> dict[tuple[PriceKind, str], Price]:
    return {
        (row.kind, row.code): Price(row.description, row.unit_price)  # type: ignore[misc]
        for row in session.scalars(select(PriceItem))
    }


def put_price(session: Session, kind: PriceKind, code: str, body: PriceBody) -> PriceView:
    row = session.get(PriceItem, (kind, code))
    if row is None:
        row = PriceItem(kind=kind, code=code)
        session.add(row)
    row.description, row.unit_price = body.description, body.unit_price
    return PriceView(kind=kind, code=code, description=body.description, unit_price=body.unit_price)


def delete_price(session: Session, kind: PriceKind, code: str) -> bool:
    result = session.execute(
        delete(PriceItem).where(PriceItem.kind == kind, PriceItem.code == code)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]

"""Demo data for `make run`: three customers with an asset each, four engineers, the
`standard` SLA profile of SPEC §3, a small loaner pool and one API key per role."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import ROOT
from db.price_list import demo_prices
from db.profiles import load_profile_file, store_profile
from db.tables import Asset, Customer, Engineer, LoanerUnit
from identity.keys import create_api_key
from models.lifecycle import Role

STANDARD_PROFILE = ROOT / "profiles" / "standard.json"


def _customers() -> list[Customer]:
    return [
        Customer(
            id="C001",
            name="青岛港湾物流有限公司",
            contact_name="王强",
            contact_phone="+86 532 8000 1001",
            email="it@qd-harbour.example",
            address="山东省青岛市市南区港湾路 1 号",
            region="qingdao",
            key_account=True,
            sla_profile="standard",
        ),
        Customer(
            id="C002",
            name="济南明湖医院",
            contact_name="李敏",
            contact_phone="+86 531 8000 2002",
            email="equipment@mh-hospital.example",
            address="山东省济南市历下区明湖路 2 号",
            region="jinan",
            key_account=False,
            sla_profile="standard",
        ),
        Customer(
            id="C003",
            name="济南泉城中学",
            contact_name="赵磊",
            contact_phone="+86 531 8000 3003",
            email="office@qc-school.example",
            address="山东省济南市市中区泉城路 3 号",
            region="jinan",
            key_account=False,
            sla_profile="standard",
        ),
    ]


def _asset(serial: str, model: str, category: str, customer: str, invoice: date) -> Asset:
    return Asset(
        serial=serial,
        model=model,
        category=category,
        customer_id=customer,
        invoice_date=invoice,
        acceptance_date=invoice,
        main_equipment=True,
        warranty={"start_basis": "invoice", "months": 12, "components": {}},
    )


def _assets() -> list[Asset]:
    return [
        _asset("SN-1001", "HK-DS-2CD", "camera", "C001", date(2026, 3, 15)),
        _asset("SN-1002", "LED-P2.5-WALL", "display", "C002", date(2026, 6, 1)),
        # Out of warranty: its requests go through a quote before any work.
        _asset("SN-1003", "AV-MIX-16", "audio", "C003", date(2024, 9, 1)),
    ]


def _engineers() -> list[Engineer]:
    return [
        Engineer(
            id="E001",
            name="张伟",
            phone="+86 138 0000 0001",
            skills=["camera", "network"],
            regions=["qingdao"],
            on_duty=True,
        ),
        Engineer(
            id="E002",
            name="刘洋",
            phone="+86 138 0000 0002",
            skills=["display", "camera"],
            regions=["jinan"],
            on_duty=True,
        ),
        Engineer(
            id="E003",
            name="陈静",
            phone="+86 138 0000 0003",
            skills=["audio", "display"],
            regions=["jinan", "qingdao"],
            on_duty=True,
        ),
        Engineer(
            id="E004",
            name="杨帆",
            phone="+86 138 0000 0004",
            skills=["camera", "audio"],
            regions=["qingdao"],
            on_duty=False,
        ),
    ]


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Customer))


def load_demo(session: Session) -> None:
    store_profile(session, load_profile_file(STANDARD_PROFILE))
    session.add_all(_customers())
    session.flush()
    session.add_all(_assets())
    session.add_all(_engineers())
    session.add_all(_loaners())
    session.add_all(demo_prices())


def _loaners() -> list[LoanerUnit]:
    """The spare pool: one camera and one display; no audio spare, so a late audio repair
    shows the 'no loaner free' escalation."""
    return [
        LoanerUnit(serial="LN-CAM-01", model="HK-DS-2CD (spare)", category="camera"),
        LoanerUnit(serial="LN-DSP-01", model="LED-P2.5 module kit (spare)", category="display"),
    ]


#: The demo's members of staff, one per role that is not bound to the archive.
DEMO_STAFF = {
    Role.INTAKE: "刘敏 (hotline)",
    Role.SUPPORT: "赵磊 (remote support)",
    Role.DISPATCHER: "孙婷 (dispatch)",
    Role.REVISIT: "周洁 (revisit desk)",
    Role.SUPERVISOR: "吴刚 (supervisor)",
    Role.ADMIN: "郑爽 (admin)",
}


def create_demo_keys(session: Session) -> dict[str, str]:
    """One key per demo person. `customer` and `engineer` are C001's and E001's (the README's
    walk-through uses them); every customer and engineer also has `customer:C002`, …"""
    keys = {
        role.value: create_api_key(session, role, name).key for role, name in DEMO_STAFF.items()
    }
    for customer in session.scalars(select(Customer).order_by(Customer.id)):
        contact = customer.contact_name or None
        issued = create_api_key(
            session, Role.CUSTOMER, "", customer_id=customer.id, contact=contact
        )
        keys[f"customer:{customer.id}"] = issued.key
    for engineer in session.scalars(select(Engineer).order_by(Engineer.id)):
        keys[f"engineer:{engineer.id}"] = create_api_key(
            session, Role.ENGINEER, "", engineer_id=engineer.id
        ).key
    keys[Role.CUSTOMER.value] = keys["customer:C001"]
    keys[Role.ENGINEER.value] = keys["engineer:E001"]
    return keys

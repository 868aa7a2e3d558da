"""SPEC §4: a customer is "created within the intake if new" — an unknown customer id that
carries the customer's name and contact (and optionally a new asset) is created with the
request in one transaction; without enough data it is a 422 naming what is missing, and
nothing is written."""

from __future__ import annotations

import uuid

from db.tables import Asset, Customer, Intake
from models.lifecycle import Role
from tests.test_api import intake_body


def auth(api_keys, role=Role.INTAKE):
    return {"Authorization": f"Bearer {api_keys[role]}"}


def new_caller(tag: str, **fields: object) -> dict[str, object]:
    return intake_body(
        customer_id=f"C-{tag}",
        asset_serial=f"SN-{tag}",
        region="qingdao",
        customer={"name": "青岛新客户有限公司", "address": "青岛市市南区 1 号"},
        asset={"model": "HK-NEW", "category": "camera", "invoice_date": "2026-11-01"},
    ) | fields


async def test_a_new_caller_and_asset_are_created_with_the_request(http, api_keys, sessions):
    tag = uuid.uuid4().hex[:8]
    r = await http.post("/v1/service-requests", json=new_caller(tag), headers=auth(api_keys))
    assert r.status_code == 201, r.text
    assert r.json()["entitlement"]["status"] == "in_warranty"
    with sessions() as session:
        customer = session.get(Customer, f"C-{tag}")
        asset = session.get(Asset, f"SN-{tag}")
        assert customer is not None and customer.name == "青岛新客户有限公司"
        assert customer.contact_name == "王强"  # the caller's contact, by default
        assert asset is not None and asset.customer_id == f"C-{tag}"
    found = await http.get(f"/v1/customers/C-{tag}", headers=auth(api_keys, Role.SUPERVISOR))
    assert found.status_code == 200 and found.json()["region"] == "qingdao"


async def test_a_new_caller_without_enough_data_is_422_and_writes_nothing(
    http, api_keys, sessions
):
    tag = uuid.uuid4().hex[:8]
    cases = [
        (new_caller(tag, customer=None), "customer_id"),  # unknown, nothing to create it from
        (new_caller(tag, contact=None), "customer.contact"),
        (new_caller(tag, customer={"address": "x"}), "customer.name"),
        (new_caller(tag, asset=None), "asset_serial"),
        (new_caller(tag, asset={"model": "X", "category": "camera"}), "asset.invoice_date"),
    ]
    for body, field in cases:
        r = await http.post("/v1/service-requests", json=body, headers=auth(api_keys))
        assert r.status_code == 422, r.text
        assert field in [e["field"] for e in r.json()["errors"]] or field in r.json()["detail"]
    with sessions() as session:
        assert session.get(Customer, f"C-{tag}") is None  # nothing half-written
        assert session.get(Asset, f"SN-{tag}") is None
        assert not session.query(Intake).filter(Intake.external_ref.like(f"%{tag}%")).count()

"""`GET /v1/assets/{serial}/entitlement` and the entitlement stored at intake."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from db.tables import Asset
from models.lifecycle import Role


def auth(api_keys, role=Role.SUPPORT):
    return {"Authorization": f"Bearer {api_keys[role]}"}


@pytest.fixture
def asset(sessions):
    """SN-… of C001 (standard profile: office holidays 1–2 Oct 2026) with legacy repairs."""
    serial = f"SN-E-{uuid.uuid4().hex[:8]}"
    with sessions.begin() as session:
        session.add(
            Asset(
                serial=serial,
                model="PJ-900",
                category="projector",
                customer_id="C001",
                invoice_date=date(2025, 10, 2),
                acceptance_date=date(2025, 10, 2),
                main_equipment=True,
                warranty={"start_basis": "invoice", "months": 12, "components": {"bulb": 6}},
                repairs=[
                    {
                        "fault_code": "NO_POWER",
                        "registered_at": "2026-01-05",
                        "resolved_at": "2026-01-06",
                        "outcome": "fixed",
                    },
                    {
                        "fault_code": "NO_POWER",
                        "registered_at": "2026-03-01T10:00:00+08:00",
                        "resolved_at": "2026-03-01T16:00:00+08:00",
                        "outcome": "fixed",
                    },
                ],
            )
        )
    return serial


async def test_entitlement_endpoint(http, api_keys, asset):
    url = f"/v1/assets/{asset}/entitlement"
    # 12 months end 2026-10-01, +2 +1 repair days → 2026-10-04 (not a holiday)
    got = (
        await http.get(
            url, params={"date": "2026-06-01", "fault_code": "NO_POWER"}, headers=auth(api_keys)
        )
    ).json()
    assert got == {
        "status": "in_warranty",
        "warranty_start": "2025-10-02",
        "warranty_end": "2026-10-04",
        "remedies": ["repair", "replacement"],
        "chargeable": False,
    }
    bulb = (
        await http.get(
            url, params={"date": "2026-06-01", "fault_code": "BULB"}, headers=auth(api_keys)
        )
    ).json()
    assert bulb["status"] == "out_of_warranty" and bulb["chargeable"] is True
    after = (
        await http.get(
            url, params={"date": "2026-10-05", "fault_code": "FAN"}, headers=auth(api_keys)
        )
    ).json()
    assert after["remedies"] == ["paid_repair"]


async def test_entitlement_endpoint_errors(http, api_keys, person_keys, asset):
    r = await http.get("/v1/assets/SN-NOPE/entitlement", headers=auth(api_keys))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = await http.get(
        f"/v1/assets/{asset}/entitlement", params={"date": "2026-13-01"}, headers=auth(api_keys)
    )
    assert r.status_code == 422
    r = await http.get(
        f"/v1/assets/{asset}/entitlement",
        params={"fault_code": "lower case"},
        headers=auth(api_keys),
    )
    assert r.status_code == 422
    # the customer's own asset, and someone else's: as if it did not exist
    r = await http.get(f"/v1/assets/{asset}/entitlement", headers=auth(api_keys, Role.CUSTOMER))
    assert r.status_code == 200
    other = {"Authorization": f"Bearer {person_keys['C002']}"}
    r = await http.get(f"/v1/assets/{asset}/entitlement", headers=other)
    assert r.status_code == 404 and asset in r.json()["detail"]

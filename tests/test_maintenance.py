"""The next maintenance of an asset (seed 001's 保养周期): the pure rule with exact days, and
the archive's answer over HTTP, counted from the last inspection or repair of this system or
of the legacy one, else from the day the asset went into service."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from db.session import transaction
from db.tables import ServiceRequestRow
from models.lifecycle import Role
from tests.request_fixtures import state as registered_state
from tests.test_api import problem
from warranty.maintenance import counted_from, last_service, next_maintenance


@pytest.mark.parametrize(
    ("interval", "since", "due"),
    [
        (6, date(2026, 1, 10), date(2026, 7, 10)),
        (1, date(2027, 1, 31), date(2027, 2, 28)),  # a short month's last day
        (1, date(2028, 1, 31), date(2028, 2, 29)),  # a leap year's
        (12, date(2026, 2, 28), date(2027, 2, 28)),
        (None, date(2026, 1, 10), None),  # no interval, no maintenance
        (3, None, None),  # nothing to count from
    ],
)
def test_the_interval_counts_from_a_day(interval, since, due):
    assert next_maintenance(interval, since) == due


def test_the_last_service_else_acceptance_else_invoice():
    assert last_service([None, date(2026, 3, 1), date(2026, 5, 2), None]) == date(2026, 5, 2)
    assert last_service([None]) is None
    accepted, invoiced = date(2026, 1, 12), date(2026, 1, 5)
    assert counted_from(date(2026, 5, 2), accepted, invoiced) == date(2026, 5, 2)
    assert counted_from(None, accepted, invoiced) == accepted
    assert counted_from(None, None, invoiced) == invoiced


def _closed(number: str, customer: str, serial: str, at: datetime, outcome: str, type: str):
    state = registered_state(number=number, customer_id=customer, asset_serial=serial)
    return ServiceRequestRow(
        number=number,
        workflow_id=f"service-request-{number}",
        type=type,
        stage="completed" if outcome != "cancelled" else "cancelled",
        severity=2,
        region="qingdao",
        customer_id=customer,
        asset_serial=serial,
        engineer_id=None,
        sla_status="on_track",
        reported_at=at,
        registered_at=at,
        closed_at=at,
        outcome=outcome,
        state=state.model_dump(mode="json"),
        version=9,
        updated_at=at,
    )


async def test_the_archive_says_when_each_asset_is_due(as_role, own_customer, sessions):
    serial = f"{own_customer}-M"
    asset = {
        "serial": serial,
        "model": "DS-2CD",
        "category": "camera",
        "customer_id": own_customer,
        "invoice_date": "2026-01-05",
        "acceptance_date": "2026-01-10",
        "manufacture_date": "2025-11-20",
        "purpose": "港区监控 harbour surveillance",
        "maintenance_interval_months": 6,
    }
    bad = await as_role(
        Role.ADMIN, "POST", "/v1/assets", json=asset | {"maintenance_interval_months": 0}
    )
    assert problem(bad, 422)["errors"][0]["field"] == "maintenance_interval_months"
    late = await as_role(
        Role.ADMIN, "POST", "/v1/assets", json=asset | {"manufacture_date": "2026-02-01"}
    )
    assert problem(late, 422)["errors"][0]["field"] == "manufacture_date"
    assert (await as_role(Role.ADMIN, "POST", "/v1/assets", json=asset)).status_code == 201
    stored = (await as_role(Role.SUPPORT, "GET", f"/v1/assets/{serial}")).json()
    assert stored["purpose"] == "港区监控 harbour surveillance"

    async def due() -> dict:
        answer = await as_role(Role.SUPPORT, "GET", f"/v1/customers/{own_customer}/maintenance")
        assert answer.status_code == 200, answer.text
        (entry,) = [d for d in answer.json() if d["serial"] == serial]
        return entry

    # nothing serviced yet: six months after acceptance, long past
    first = await due()
    assert (first["counted_from"], first["next_due"], first["overdue"]) == (
        "2026-01-10",
        "2026-07-10",
        True,
    )
    # the legacy system's repair, resolved in September
    asset["repairs"] = [
        {"fault_code": "NO_POWER", "registered_at": "2026-09-10", "resolved_at": "2026-09-15"}
    ]
    assert (await as_role(Role.ADMIN, "PUT", f"/v1/assets/{serial}", json=asset)).status_code == 200
    second = await due()
    assert (second["last_service"], second["next_due"], second["overdue"]) == (
        "2026-09-15",
        "2027-03-15",
        False,
    )
    # this system's inspection closed on 20 November (Shanghai) counts; a cancel does not
    with transaction(sessions) as session:
        tag = own_customer[-4:]
        session.add(
            _closed(f"SR-M{tag}-1", own_customer, serial,
                    datetime(2026, 11, 19, 17, 0, tzinfo=UTC), "fixed", "inspection")
        )  # fmt: skip
        session.add(
            _closed(f"SR-M{tag}-2", own_customer, serial,
                    datetime(2026, 11, 30, 2, 0, tzinfo=UTC), "cancelled", "repair")
        )  # fmt: skip
    third = await due()
    assert (third["last_service"], third["next_due"]) == ("2026-11-20", "2027-05-20")
    one = await as_role(Role.SUPPORT, "GET", f"/v1/assets/{serial}/maintenance")
    assert one.json() == [third]


async def test_a_customer_sees_only_its_own_maintenance(as_role, person_keys, http):
    own = await http.get(
        "/v1/customers/C001/maintenance",
        headers={"Authorization": f"Bearer {person_keys['C001']}"},
    )
    assert own.status_code == 200
    other = await http.get(
        "/v1/customers/C002/maintenance",
        headers={"Authorization": f"Bearer {person_keys['C001']}"},
    )
    problem(other, 404)
    problem(await as_role(Role.SUPPORT, "GET", "/v1/customers/NOBODY/maintenance"), 404)

"""`/v1/customers`, `/v1/assets`, `/v1/engineers` over real HTTP: SPEC §4's shapes, 404 / 409 /
422 naming the field, roles, and the service history of a customer and of an asset.

Every test makes records of its own (ids with a fresh tag): the demo data stays untouched.
"""

import uuid
from datetime import UTC, datetime

import pytest

from db.session import transaction
from db.tables import ServiceRequestRow
from models.lifecycle import Role
from tests.request_fixtures import state as registered_state
from tests.test_api import problem

READERS = [Role.ADMIN, Role.SUPERVISOR, Role.SUPPORT, Role.INTAKE, Role.DISPATCHER]


@pytest.fixture
def tag() -> str:
    return f"T{uuid.uuid4().hex[:8]}"


@pytest.fixture
def admin(as_role):
    async def call(method: str, path: str, status: int | None = None, **kwargs):
        response = await as_role(Role.ADMIN, method, path, **kwargs)
        if status is not None:
            assert response.status_code == status, response.text
        return response

    return call


def customer(tag: str, **changes: object) -> dict:
    return {
        "id": f"{tag}-C1",
        "name": "青岛测试物流有限公司",
        "contact": {"name": "王强", "phone": "+86 532 8000 1001"},
        "contacts": [{"name": "李敏", "phone": "+86 532 8000 1002"}],
        "email": "it@qd-test.example",
        "address": "山东省青岛市市南区港湾路 1 号",
        "region": f"qd-{tag}",
        "key_account": True,
        "sla_profile": "standard",
        "sites": [
            {
                "id": f"{tag}-S2",
                "name": "黄岛仓库",
                "address": "黄岛区 8 号",
                "region": f"hd-{tag}",
            },
            {"id": f"{tag}-S1", "name": "港区办公楼", "address": None, "region": None},
        ],
    } | changes


def stored_customer(tag: str, **changes: object) -> dict:
    """`customer()` as the API answers it: sites by id, a site's region defaulted."""
    body = customer(tag, **changes)
    sites = [site | {"region": site["region"] or body["region"]} for site in body["sites"]]
    return body | {"sites": sorted(sites, key=lambda site: site["id"])}


def asset(tag: str, **changes: object) -> dict:
    return {
        "serial": f"{tag}-SN1",
        "model": "HK-DS-2CD",
        "category": "camera",
        "customer_id": f"{tag}-C1",
        "site_id": f"{tag}-S2",
        "invoice_date": "2026-01-10",
        "acceptance_date": "2026-01-12",
        "main_equipment": True,
        "warranty": {
            "start_basis": "invoice",
            "months": 12,
            "components": {"bulb": 6},
            "repair_warranty_months": 3,
            "inherited_end": None,
            "fitted_components": {},
        },
        "repairs": [
            {
                "fault_code": "NO_POWER",
                "registered_at": "2025-03-02",
                "resolved_at": "2025-03-04",
                "outcome": "fixed",
            }
        ],
        "manufacture_date": "2025-12-20",
        "purpose": "仓库监控 warehouse surveillance",
        "maintenance_interval_months": 6,
        "capability_rank": 3,
    } | changes


def engineer(tag: str, **changes: object) -> dict:
    return {
        "id": f"{tag}-E1",
        "name": "张伟",
        "phone": "+86 138 0000 0001",
        "skills": ["camera", "network"],
        "regions": [f"qd-{tag}"],
        "on_duty": True,
    } | changes


# ------------------------------------------------------------------ customers
async def test_customer_create_read_replace_and_delete(admin, as_role, tag):
    path = f"/v1/customers/{tag}-C1"
    created = await admin("POST", "/v1/customers", 201, json=customer(tag))
    assert created.json() == stored_customer(tag)
    read = await as_role(Role.INTAKE, "GET", path)
    assert read.json() == stored_customer(tag)

    changed = customer(
        tag,
        name="青岛测试物流集团",
        contacts=[],
        sites=[{"id": f"{tag}-S3", "name": "新仓库", "address": None, "region": None}],
    )
    replaced = await admin("PUT", path, 200, json=changed)
    assert replaced.json() == stored_customer(tag, **changed)
    assert (await as_role(Role.SUPPORT, "GET", path)).json() == stored_customer(tag, **changed)

    await admin("DELETE", path, 204)
    problem(await admin("GET", path), 404)
    problem(await admin("DELETE", path), 404)


async def test_a_minimal_customer_gets_the_defaults(admin, tag):
    body = {"id": f"{tag}-C1", "name": "x", "region": "jinan"}
    created = (await admin("POST", "/v1/customers", 201, json=body)).json()
    assert created == body | {
        "contact": None,
        "contacts": [],
        "email": None,
        "address": None,
        "key_account": False,
        "sla_profile": "standard",
        "sites": [],
    }


async def test_customers_by_region_in_pages(admin, as_role, tag):
    for n in (3, 1, 2):
        await admin("POST", "/v1/customers", 201, json=customer(tag, id=f"{tag}-C{n}", sites=[]))
    params = {"region": f"qd-{tag}", "page_size": 2}
    first = (await as_role(Role.DISPATCHER, "GET", "/v1/customers", params=params)).json()
    assert (first["total"], first["page"], first["page_size"]) == (3, 1, 2)
    assert [c["id"] for c in first["items"]] == [f"{tag}-C1", f"{tag}-C2"]
    second = await as_role(Role.DISPATCHER, "GET", "/v1/customers", params=params | {"page": 2})
    assert [c["id"] for c in second.json()["items"]] == [f"{tag}-C3"]
    everyone = (await admin("GET", "/v1/customers", params={"page_size": 200})).json()
    assert everyone["total"] >= 6  # the demo customers, these and others'
    problem(await admin("GET", "/v1/customers", params={"page_size": 0}), 422)


async def test_an_existing_customer_is_a_conflict(admin, tag):
    await admin("POST", "/v1/customers", 201, json=customer(tag))
    body = problem(await admin("POST", "/v1/customers", json=customer(tag, name="other")), 409)
    assert "already exists" in body["detail"]
    problem(await admin("POST", "/v1/customers", json=customer(tag, id="C001", sites=[])), 409)


async def test_put_of_an_unknown_customer_or_another_id(admin, tag):
    problem(await admin("PUT", f"/v1/customers/{tag}-C1", json=customer(tag)), 404)
    body = problem(await admin("PUT", "/v1/customers/C001", json=customer(tag)), 422)
    assert body["errors"] == [{"field": "id", "reason": f"is '{tag}-C1' but the path names 'C001'"}]


BAD_CUSTOMERS = {
    "bad email": ({"email": "not-an-email"}, "email"),
    "empty region": ({"region": ""}, "region"),
    "bad phone": ({"contact": {"name": "王强", "phone": "call me"}}, "contact.phone"),
    "unknown field": ({"colour": "red"}, "colour"),
    "no name": ({"name": None}, "name"),
    "unknown profile": ({"sla_profile": "gold-nope"}, "sla_profile"),
    "a site twice": (
        {"sites": [{"id": "S-x", "name": "a"}, {"id": "S-x", "name": "b"}]},
        "sites.1.id",
    ),
    "site without name": ({"sites": [{"id": "S-y"}]}, "sites.0.name"),
}


@pytest.mark.parametrize(("changes", "field"), BAD_CUSTOMERS.values(), ids=BAD_CUSTOMERS.keys())
async def test_bad_customer_is_422_naming_the_field(admin, tag, changes, field):
    body = problem(await admin("POST", "/v1/customers", json=customer(tag, **changes)), 422)
    assert field in [error["field"] for error in body["errors"]], body
    problem(await admin("GET", f"/v1/customers/{tag}-C1"), 404)  # nothing stored


async def test_a_site_belongs_to_one_customer(admin, tag):
    await admin("POST", "/v1/customers", 201, json=customer(tag))
    other = customer(tag, id=f"{tag}-C2", sites=[{"id": f"{tag}-S1", "name": "mine now"}])
    body = problem(await admin("POST", "/v1/customers", json=other), 422)
    assert body["errors"] == [
        {"field": "sites.0.id", "reason": f"site '{tag}-S1' belongs to customer '{tag}-C1'"}
    ]


async def test_malformed_bodies_are_422(admin):
    headers = {"Content-Type": "application/json"}
    problem(await admin("POST", "/v1/customers", content=b"{not json", headers=headers), 422)
    problem(await admin("POST", "/v1/assets", json=["a", "list"]), 422)
    problem(await admin("PUT", "/v1/engineers/E001", json="text"), 422)


# ------------------------------------------------------------------ assets
@pytest.fixture
async def owner(admin, tag):
    """This test's customer (sites S1 and S2) and another customer (site S9)."""
    await admin("POST", "/v1/customers", 201, json=customer(tag))
    other = customer(tag, id=f"{tag}-C2", sites=[{"id": f"{tag}-S9", "name": "elsewhere"}])
    await admin("POST", "/v1/customers", 201, json=other)


async def test_asset_create_read_replace_and_delete(admin, as_role, tag, owner):
    path = f"/v1/assets/{tag}-SN1"
    created = await admin("POST", "/v1/assets", 201, json=asset(tag))
    assert created.json() == asset(tag)
    unreplaced = {"replaced": None, "replaces": None, "returned": None}
    assert (await as_role(Role.DISPATCHER, "GET", path)).json() == asset(tag) | unreplaced

    changed = asset(
        tag,
        site_id=None,
        main_equipment=False,
        warranty={"start_basis": "acceptance_next_day", "months": 24, "components": {}},
        repairs=[],
    )
    replaced = (await admin("PUT", path, 200, json=changed)).json()
    defaults: dict[str, object] = {
        "repair_warranty_months": 3,
        "inherited_end": None,
        "fitted_components": {},
    }
    assert replaced == changed | {"warranty": changed["warranty"] | defaults}

    await admin("DELETE", path, 204)
    problem(await admin("GET", path), 404)


async def test_an_existing_serial_is_a_conflict(admin, tag, owner):
    await admin("POST", "/v1/assets", 201, json=asset(tag))
    body = problem(await admin("POST", "/v1/assets", json=asset(tag, model="other")), 409)
    assert f"serial '{tag}-SN1' already exists" in body["detail"]
    problem(await admin("POST", "/v1/assets", json=asset(tag, serial="SN-1001")), 409)
    problem(await admin("PUT", f"/v1/assets/{tag}-SN2", json=asset(tag, serial=f"{tag}-SN2")), 404)


BAD_ASSETS = {
    "unknown customer": ({"customer_id": "nobody"}, "customer_id", "there is no customer"),
    "unknown site": ({"site_id": "nowhere"}, "site_id", "there is no site 'nowhere'"),
    "another customer's site": ({"site_id": "{tag}-S9"}, "site_id", "belongs to customer"),
    "zero months": (
        {"warranty": {"start_basis": "invoice", "months": 0}},
        "warranty.months",
        "greater than 0",
    ),
    "unknown basis": (
        {"warranty": {"start_basis": "sale", "months": 12}},
        "warranty.start_basis",
        "'invoice' or 'acceptance_next_day'",
    ),
    "no invoice date": ({"invoice_date": None}, "invoice_date", "the warranty starts at"),
    "bad date": ({"acceptance_date": "2026-02-30"}, "acceptance_date", "valid date"),
    "naive repair time": (
        {"repairs": [{"fault_code": "NO_POWER", "registered_at": "2025-03-02T10:00:00"}]},
        "repairs.0.registered_at",
        "with an offset",
    ),
    "resolved first": (
        {
            "repairs": [
                {
                    "fault_code": "NO_POWER",
                    "registered_at": "2025-03-02",
                    "resolved_at": "2025-03-01",
                }
            ]
        },
        "repairs.0.resolved_at",
        "is before registered_at",
    ),
    "a repair twice": (
        {"repairs": [{"fault_code": "X1", "registered_at": "2025-03-02"}] * 2},
        "repairs.1",
        "the same fault_code and registered_at as repairs.0",
    ),
}


@pytest.mark.parametrize(("changes", "field", "reason"), BAD_ASSETS.values(), ids=BAD_ASSETS.keys())
async def test_bad_asset_is_422_naming_the_field(admin, tag, owner, changes, field, reason):
    changes = {k: v.replace("{tag}", tag) if isinstance(v, str) else v for k, v in changes.items()}
    body = problem(await admin("POST", "/v1/assets", json=asset(tag, **changes)), 422)
    assert [error["field"] for error in body["errors"]] == [field], body
    assert reason in body["errors"][0]["reason"]
    problem(await admin("GET", f"/v1/assets/{tag}-SN1"), 404)


async def test_assets_by_customer_and_region(admin, tag, owner):
    # SN1 at site S2 (its own region), SN2 at no site (its customer's region).
    await admin("POST", "/v1/assets", 201, json=asset(tag))
    await admin("POST", "/v1/assets", 201, json=asset(tag, serial=f"{tag}-SN2", site_id=None))

    async def serials(**params: str) -> list[str]:
        page = (await admin("GET", "/v1/assets", 200, params=params)).json()
        return [item["serial"] for item in page["items"]]

    assert await serials(customer_id=f"{tag}-C1") == [f"{tag}-SN1", f"{tag}-SN2"]
    assert await serials(region=f"hd-{tag}") == [f"{tag}-SN1"]
    assert await serials(region=f"qd-{tag}") == [f"{tag}-SN2"]
    assert await serials(customer_id=f"{tag}-C2") == []


async def test_a_customer_with_assets_cannot_be_deleted(admin, tag, owner):
    await admin("POST", "/v1/assets", 201, json=asset(tag))
    body = problem(await admin("DELETE", f"/v1/customers/{tag}-C1"), 409)
    assert f"1 asset(s) ({tag}-SN1)" in body["detail"]
    # Nor can the site the asset stands on be left out.
    without = customer(tag, sites=[customer(tag)["sites"][1]])
    body = problem(await admin("PUT", f"/v1/customers/{tag}-C1", json=without), 422)
    assert body["errors"][0]["field"] == "sites"
    await admin("DELETE", f"/v1/assets/{tag}-SN1", 204)
    await admin("DELETE", f"/v1/customers/{tag}-C1", 204)


# ------------------------------------------------------------------ engineers
async def test_engineer_create_toggle_duty_and_delete(admin, as_role, tag):
    path = f"/v1/engineers/{tag}-E1"
    assert (await admin("POST", "/v1/engineers", 201, json=engineer(tag))).json() == engineer(tag)
    problem(await admin("POST", "/v1/engineers", json=engineer(tag)), 409)
    off = engineer(tag, on_duty=False)
    assert (await admin("PUT", path, 200, json=off)).json() == off
    assert (await as_role(Role.DISPATCHER, "GET", path)).json() == off
    await admin("DELETE", path, 204)
    problem(await admin("GET", path), 404)
    problem(await admin("PUT", path, json=off), 404)


async def test_engineers_by_region_skill_and_duty(admin, tag):
    await admin("POST", "/v1/engineers", 201, json=engineer(tag))
    second = engineer(tag, id=f"{tag}-E2", skills=["audio"], on_duty=False)
    await admin("POST", "/v1/engineers", 201, json=second)

    async def ids(**params: object) -> list[str]:
        page = (await admin("GET", "/v1/engineers", 200, params=params)).json()
        return [item["id"] for item in page["items"]]

    region = f"qd-{tag}"
    assert await ids(region=region) == [f"{tag}-E1", f"{tag}-E2"]
    assert await ids(region=region, skill="audio") == [f"{tag}-E2"]
    assert await ids(region=region, on_duty="true") == [f"{tag}-E1"]
    assert await ids(region=region, page=2, page_size=1) == [f"{tag}-E2"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"skills": "camera"}, "skills"), ({"phone": "call me"}, "phone"), ({"id": ""}, "id")],
)
async def test_bad_engineer_is_422(admin, tag, changes, field):
    body = problem(await admin("POST", "/v1/engineers", json=engineer(tag, **changes)), 422)
    assert [error["field"] for error in body["errors"]] == [field]


# ------------------------------------------------------------------ history
def request_row(tag: str, n: int, reported: str, **fields: object) -> ServiceRequestRow:
    """A read-model row as the workflow's activities project it."""
    number = f"SR-{tag}-{n}"
    asset_serial = str(fields.get("asset_serial", f"{tag}-SN1"))
    registered = registered_state(
        number=number,
        customer_id=f"{tag}-C1",
        asset_serial=asset_serial,
        fault_code=fields.pop("fault_code", "NO_PICTURE"),
    )
    state = registered.model_dump(mode="json") | {
        "revisits": fields.pop("revisits", []),
        "signature": fields.pop("signature", None),
    }
    values = {
        "number": number,
        "workflow_id": f"service-request-{number}",
        "type": "repair",
        "stage": "completed",
        "severity": 2,
        "region": f"qd-{tag}",
        "customer_id": f"{tag}-C1",
        "asset_serial": f"{tag}-SN1",
        "engineer_id": None,
        "sla_status": "on_track",
        "reported_at": datetime.fromisoformat(reported),
        "registered_at": datetime.fromisoformat(reported),
        "closed_at": None,
        "outcome": None,
        "state": state,
        "version": 1,
        "updated_at": datetime.now(UTC),
    } | fields
    return ServiceRequestRow(**values)


SIGNED = {
    "signer": "王强",
    "method": "typed",
    "typed_name": "王强",
    "quality": 5,
    "attitude": 4,
    "comment": "快",
    "signed_at": "2026-02-03T10:00:00+00:00",
    "image_sha256": None,
}
ANSWERED = {
    "due": "2026-02-06T02:00:00+00:00",
    "channel": "phone",
    "attempts": 1,
    "status": "answered",
    "answered_at": "2026-02-06T03:00:00+00:00",
    "satisfaction": 5,
    "solved": True,
    "attitude": 5,
    "suggestions": None,
}


@pytest.fixture
async def history(admin, sessions, tag, owner):
    """SN1 (legacy repair 2025-03-02) with two requests, SN2 with one request; engineer E1."""
    await admin("POST", "/v1/assets", 201, json=asset(tag))
    await admin("POST", "/v1/assets", 201, json=asset(tag, serial=f"{tag}-SN2", repairs=[]))
    await admin("POST", "/v1/engineers", 201, json=engineer(tag))
    rows = [
        request_row(
            tag,
            1,
            "2026-02-01T09:00:00+08:00",
            engineer_id=f"{tag}-E1",
            closed_at=datetime.fromisoformat("2026-02-03T10:00:00+00:00"),
            outcome="fixed",
            signature=SIGNED,
            revisits=[ANSWERED],
        ),
        request_row(tag, 2, "2026-03-01T09:00:00+08:00", stage="dispatched", fault_code="NO_POWER"),
        request_row(tag, 3, "2026-02-15T09:00:00+08:00", asset_serial=f"{tag}-SN2"),
    ]
    with transaction(sessions) as session:
        session.add_all(rows)


async def test_asset_history_newest_first(as_role, tag, history):
    response = await as_role(Role.SUPPORT, "GET", f"/v1/assets/{tag}-SN1/history")
    entries = response.json()["entries"]
    assert [(e["source"], e.get("number")) for e in entries] == [
        ("service_request", f"SR-{tag}-2"),
        ("service_request", f"SR-{tag}-1"),
        ("legacy_repair", None),
    ]
    assert entries[0]["fault_code"] == "NO_POWER" and entries[0]["signature"] is None
    assert entries[1] == {
        "source": "service_request",
        "number": f"SR-{tag}-1",
        "customer_id": f"{tag}-C1",
        "asset_serial": f"{tag}-SN1",
        "type": "repair",
        "stage": "completed",
        "severity": 2,
        "fault_code": "NO_PICTURE",
        "reported_at": "2026-02-01T09:00:00+08:00",
        "closed_at": "2026-02-03T18:00:00+08:00",
        "outcome": "fixed",
        "engineer": f"{tag}-E1",
        "revisits": [
            {
                "status": "answered",
                "due": "2026-02-06T10:00:00+08:00",
                "answered_at": "2026-02-06T11:00:00+08:00",
                "satisfaction": 5,
                "solved": True,
                "attitude": 5,
                "suggestions": None,
            }
        ],
        "signature": {
            "signer": "王强",
            "signed_at": "2026-02-03T18:00:00+08:00",
            "quality": 5,
            "attitude": 4,
            "comment": "快",
        },
    }
    assert entries[2] == {
        "source": "legacy_repair",
        "customer_id": f"{tag}-C1",
        "asset_serial": f"{tag}-SN1",
        "fault_code": "NO_POWER",
        "registered_at": "2025-03-02",
        "resolved_at": "2025-03-04",
        "outcome": "fixed",
    }


async def test_customer_history_covers_all_its_assets(as_role, tag, history):
    path = f"/v1/customers/{tag}-C1/history"
    entries = (await as_role(Role.INTAKE, "GET", path)).json()["entries"]
    assert [e.get("number") for e in entries] == [
        f"SR-{tag}-2",
        f"SR-{tag}-3",
        f"SR-{tag}-1",
        None,
    ]
    limited = await as_role(Role.INTAKE, "GET", path, params={"limit": 1})
    assert [e["number"] for e in limited.json()["entries"]] == [f"SR-{tag}-2"]
    problem(await as_role(Role.INTAKE, "GET", "/v1/customers/nobody/history"), 404)
    problem(await as_role(Role.INTAKE, "GET", "/v1/assets/nothing/history"), 404)


async def test_records_with_service_requests_are_kept(admin, tag, history):
    body = problem(await admin("DELETE", f"/v1/assets/{tag}-SN1"), 409)
    assert f"2 service request(s) (SR-{tag}-1, SR-{tag}-2)" in body["detail"]
    problem(await admin("DELETE", f"/v1/engineers/{tag}-E1"), 409)
    await admin("DELETE", f"/v1/assets/{tag}-SN2", 409)
    body = problem(await admin("DELETE", f"/v1/customers/{tag}-C1"), 409)
    assert "asset(s)" in body["detail"] and "3 service request(s)" in body["detail"]


# ------------------------------------------------------------------ roles
@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", ["/v1/customers/C001", "/v1/assets/SN-1001", "/v1/engineers"])
async def test_readers(as_role, role, path):
    assert (await as_role(role, "GET", path)).status_code == 200


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.SUPERVISOR, "POST", "/v1/customers"),
        (Role.DISPATCHER, "PUT", "/v1/engineers/E001"),
        (Role.SUPPORT, "DELETE", "/v1/assets/SN-1001"),
        (Role.ENGINEER, "GET", "/v1/customers"),
        (Role.CUSTOMER, "GET", "/v1/assets"),
        (Role.REVISIT, "GET", "/v1/engineers/E001"),
    ],
)
async def test_wrong_role_is_403(as_role, role, method, path):
    problem(await as_role(role, method, path, json={}), 403)


async def test_without_a_key_is_401(http):
    problem(await http.get("/v1/customers"), 401)


async def test_the_demo_records_read_in_the_spec_shapes(admin):
    c001 = (await admin("GET", "/v1/customers/C001", 200)).json()
    assert c001["contact"] == {"name": "王强", "phone": "+86 532 8000 1001"}
    assert (c001["region"], c001["key_account"], c001["sites"]) == ("qingdao", True, [])
    sn = (await admin("GET", "/v1/assets/SN-1003", 200)).json()
    assert sn["warranty"] == {
        "start_basis": "invoice",
        "months": 12,
        "components": {},
        "repair_warranty_months": 3,
        "inherited_end": None,
        "fitted_components": {},
    }
    e004 = (await admin("GET", "/v1/engineers/E004", 200)).json()
    assert e004["on_duty"] is False and e004["regions"] == ["qingdao"]

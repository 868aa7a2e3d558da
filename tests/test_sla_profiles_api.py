"""`/v1/sla-profiles` over real HTTP: versions, validation errors that name the field, roles."""

import copy
import json
import uuid
from pathlib import Path

import pytest

from db.demo import STANDARD_PROFILE
from models.lifecycle import Role
from tests.test_api import problem

DATA = Path(__file__).parent / "data"
STANDARD = json.loads(STANDARD_PROFILE.read_text(encoding="utf-8"))
PATH = "/v1/sla-profiles"
YAML = {"Content-Type": "application/yaml"}


def unique(prefix: str = "test-gold") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def profile(name: str, **changes) -> dict:
    return copy.deepcopy(STANDARD) | {"name": name} | changes


def gold_yaml(name: str) -> str:
    text = (DATA / "gold.yaml").read_text(encoding="utf-8")
    return text.replace("name: test-gold", f"name: {name}")


@pytest.fixture
def admin(as_role):
    async def call(method: str, path: str, **kwargs):
        return await as_role(Role.ADMIN, method, path, **kwargs)

    return call


async def test_create_read_version_and_delete(admin, as_role):
    name = unique()
    created = await admin("POST", PATH, json=profile(name))
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["version"]) == (name, 1)
    assert body["profile"]["targets"]["response"]["1"] == {"calendar": "24x7", "minutes": 30}

    listed = (await as_role(Role.INTAKE, "GET", PATH)).json()
    assert {"name": name, "version": 1} in [{k: p[k] for k in ("name", "version")} for p in listed]
    assert {"name": "standard", "version": 1} in [
        {k: p[k] for k in ("name", "version")} for p in listed
    ]

    edited = profile(name)
    edited["targets"]["response"]["1"]["minutes"] = 20
    updated = await admin("PUT", f"{PATH}/{name}", json=edited)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2

    # Requests that started on version 1 keep it: it is still there, unchanged.
    old = (await as_role(Role.SUPERVISOR, "GET", f"{PATH}/{name}", params={"version": 1})).json()
    assert old["version"] == 1 and old["profile"]["targets"]["response"]["1"]["minutes"] == 30
    latest = (await as_role(Role.SUPPORT, "GET", f"{PATH}/{name}")).json()
    assert latest["version"] == 2 and latest["profile"]["targets"]["response"]["1"]["minutes"] == 20

    same = await admin("PUT", f"{PATH}/{name}", json=edited)
    assert same.status_code == 200 and same.json()["version"] == 2  # nothing new to store

    assert (await admin("DELETE", f"{PATH}/{name}")).status_code == 204
    problem(await admin("GET", f"{PATH}/{name}"), 404)
    problem(await admin("GET", f"{PATH}/{name}", params={"version": 1}), 404)


async def test_yaml_body_is_accepted(admin):
    name = unique()
    created = await admin("POST", PATH, content=gold_yaml(name), headers=YAML)
    assert created.status_code == 201, created.text
    office = created.json()["profile"]["calendars"]["office"]
    assert office["weekly"]["mon"] == [["09:00", "12:00"], ["13:30", "17:30"]]
    text = gold_yaml(name).replace("minutes: 15", "minutes: 10")
    updated = await admin("PUT", f"{PATH}/{name}", content=text, headers=YAML)
    assert updated.status_code == 200 and updated.json()["version"] == 2


async def test_create_of_an_existing_name_is_a_conflict(admin):
    problem(await admin("POST", PATH, json=profile("standard")), 409)


async def test_put_to_an_unknown_profile_or_another_name(admin):
    name = unique()
    problem(await admin("PUT", f"{PATH}/{name}", json=profile(name)), 404)
    body = problem(await admin("PUT", f"{PATH}/standard", json=profile(name)), 422)
    assert body["errors"][0]["field"] == "name"


async def test_unknown_version_is_404(admin):
    body = problem(await admin("GET", f"{PATH}/standard", params={"version": 999}), 404)
    assert "no version 999" in body["detail"]


OFFICE = ("calendars", "office")


def setting(*path_and_value):
    *path, value = path_and_value

    def mutate(data):
        parent(data, path)[path[-1]] = value

    return mutate


def dropping(*path):
    def mutate(data):
        del parent(data, path)[path[-1]]

    return mutate


def parent(data, path):
    for key in path[:-1]:
        data = data[key]
    return data


BAD_PROFILES = {
    # what: (mutation, field, part of the reason)
    "unknown calendar": (
        setting("targets", "response", "1", "calendar", "night"),
        "targets.response.1",
        "unknown calendar 'night'",
    ),
    "end before start": (
        setting(*OFFICE, "weekly", "mon", [["12:00", "09:00"]]),
        "calendars.office.weekly.mon",
        "window 12:00–09:00 ends before it starts",
    ),
    "overlapping windows": (
        setting(*OFFICE, "weekly", "tue", [["09:00", "12:00"], ["11:00", "17:30"]]),
        "calendars.office.weekly.tue",
        "overlaps the previous one",
    ),
    "missing severity": (
        dropping("targets", "diagnosis", "3"),
        "targets.diagnosis",
        "missing severity 3",
    ),
    "negative minutes": (
        setting("targets", "response", "2", "minutes", -5),
        "targets.response.2.minutes",
        "greater than or equal to 0",
    ),
    "unknown weekday": (
        setting(*OFFICE, "weekly", "mo", [["09:00", "12:00"]]),
        "calendars.office.weekly.mo",
        "'mo' is not a valid key",
    ),
    "bad time zone": (
        setting(*OFFICE, "timezone", "Mars/Olympus"),
        "calendars.office.timezone",
        "unknown time zone 'Mars/Olympus'",
    ),
}


@pytest.mark.parametrize(
    ("mutate", "field", "reason"), BAD_PROFILES.values(), ids=BAD_PROFILES.keys()
)
async def test_bad_profile_is_422_naming_the_field(admin, mutate, field, reason):
    name = unique("test-bad")
    data = profile(name)
    mutate(data)
    body = problem(await admin("POST", PATH, json=data), 422)
    assert [e["field"] for e in body["errors"]] == [field]
    assert reason in body["errors"][0]["reason"]
    assert field in body["detail"]
    problem(await admin("GET", f"{PATH}/{name}"), 404)  # nothing stored


async def test_bad_yaml_profile_names_the_field(admin):
    text = gold_yaml(unique("test-bad")).replace("timezone: Asia/Shanghai", "timezone: Nowhere", 1)
    body = problem(await admin("POST", PATH, content=text, headers=YAML), 422)
    assert body["errors"][0]["field"] == "calendars.24x7.timezone"


@pytest.mark.parametrize(
    ("content", "headers", "reason"),
    [
        ("name: [unclosed\n  calendars: {", YAML, "not valid YAML"),
        ('{"name": "x", ', {"Content-Type": "application/json"}, "not valid JSON"),
        ("- just\n- a list\n", YAML, "valid dictionary"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, "utf-8"),
    ],
    ids=["malformed YAML", "malformed JSON", "not a mapping", "not UTF-8"],
)
async def test_malformed_body_is_422_never_500(admin, content, headers, reason):
    body = problem(await admin("POST", PATH, content=content, headers=headers), 422)
    assert reason in body["errors"][0]["reason"]


async def test_unsupported_media_type_and_oversized_body(admin):
    problem(await admin("POST", PATH, content="x", headers={"Content-Type": "text/csv"}), 415)
    huge = profile(unique(), pause_reasons=["x" * 1000] * 1000)
    problem(await admin("POST", PATH, json=huge), 413)


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.SUPPORT, "POST", PATH),
        (Role.SUPERVISOR, "PUT", f"{PATH}/standard"),
        (Role.DISPATCHER, "DELETE", f"{PATH}/standard"),
        (Role.ENGINEER, "GET", PATH),
        (Role.CUSTOMER, "GET", f"{PATH}/standard"),
        (Role.REVISIT, "GET", PATH),
    ],
)
async def test_wrong_role_is_403(as_role, role, method, path):
    problem(await as_role(role, method, path, json=profile("standard")), 403)


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.SUPERVISOR, Role.SUPPORT, Role.INTAKE, Role.DISPATCHER]
)
async def test_readers(as_role, role):
    assert (await as_role(role, "GET", f"{PATH}/standard")).status_code == 200


async def test_without_a_key_is_401(http):
    problem(await http.get(PATH), 401)


async def test_a_profile_customers_use_cannot_be_deleted(admin):
    name = unique("test-used")
    assert (await admin("POST", PATH, json=profile(name))).status_code == 201
    customer = {"id": f"CU-{name}", "name": "用户 in use", "region": "qingdao", "sla_profile": name}
    assert (await admin("POST", "/v1/customers", json=customer)).status_code == 201
    body = problem(await admin("DELETE", f"{PATH}/{name}"), 409)
    assert f"CU-{name}" in body["detail"]
    assert (await admin("GET", f"{PATH}/{name}")).status_code == 200


async def test_delete_of_an_unknown_profile_is_404(admin):
    problem(await admin("DELETE", f"{PATH}/{unique()}"), 404)


async def test_openapi_documents_both_body_types(http):
    spec = (await http.get("/openapi.json")).json()
    content = spec["paths"][PATH]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "application/yaml"}
    assert "$ref" not in json.dumps(content)

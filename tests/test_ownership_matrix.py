"""Every route of the app × every role × the role's own object and someone else's: the status
each cell must answer (SPEC §6: a customer sees its own customer's records only, someone else's
is 404; an engineer acts only on requests assigned to it, 403 otherwise; staff see all).

The routes come from the FastAPI route table, so a route added without a rule here fails
`test_every_route_has_an_ownership_rule`. The roles of each rule are written here from SPEC and
the README, not read from the code under test (the lifecycle's action roles excepted: its table
is pinned to SPEC §2 by tests/test_lifecycle.py).

The customer key is C001's and the engineer key E001's; "own" is a request of C001 assigned to
E001, "other" a request of C002 assigned to E002.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from models.lifecycle import LIFECYCLE, Action, Role
from models.state import workflow_id_for
from tests.test_api import FIXED, SIGNED, intake_body
from tests.workflow_helpers import eventually

R = Role
ALL = frozenset(Role)
STAFF = ALL - {R.CUSTOMER}
ARCHIVE_READERS = frozenset({R.ADMIN, R.SUPERVISOR, R.SUPPORT, R.INTAKE, R.DISPATCHER})
ADMIN = frozenset({R.ADMIN})
SCHEDULE_READERS = frozenset({R.ADMIN, R.SUPERVISOR, R.DISPATCHER, R.REVISIT})
DESK = frozenset({R.REVISIT, R.SUPERVISOR, R.ADMIN})
#: The revisit desk opens most complaints: it reads them too (issue 11 item 20).
COMPLAINT_READERS = frozenset({R.SUPERVISOR, R.ADMIN, R.REVISIT, R.CUSTOMER})
#: Who reads the KPIs (issue 13).
MANAGERS = frozenset({R.SUPERVISOR, R.ADMIN})


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and which kind of object its path names (`None`: an object no
    customer or engineer may reach, or none at all)."""

    roles: frozenset[Role] | None  # None: no key needed (the link or the page is public)
    scope: str | None = None


PUBLIC = Rule(None)
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # counts only, for the scraper on the internal network
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # the customer's one-time links are their own credential
    ("GET", "/sign/{token}"): PUBLIC,
    ("POST", "/sign/{token}"): PUBLIC,
    ("GET", "/sign/{token}/signed"): PUBLIC,
    ("GET", "/sign/{token}/report.pdf"): PUBLIC,
    ("GET", "/quote/{token}"): PUBLIC,
    ("POST", "/quote/{token}"): PUBLIC,
    ("GET", "/status/{token}"): PUBLIC,
    ("POST", "/status/{token}/escalate"): PUBLIC,
    ("GET", "/v1/api-keys"): Rule(ADMIN),
    ("POST", "/v1/api-keys"): Rule(ADMIN),
    ("DELETE", "/v1/api-keys/{key_id}"): Rule(ADMIN),
    ("PUT", "/v1/api-keys/{key_id}/password"): Rule(ADMIN),
    ("GET", "/v1/assets"): Rule(ARCHIVE_READERS),
    ("POST", "/v1/assets"): Rule(ADMIN),
    ("GET", "/v1/assets/{serial}"): Rule(ARCHIVE_READERS),
    ("PUT", "/v1/assets/{serial}"): Rule(ADMIN),
    ("DELETE", "/v1/assets/{serial}"): Rule(ADMIN),
    ("GET", "/v1/assets/{serial}/entitlement"): Rule(ALL, "asset"),
    ("GET", "/v1/assets/{serial}/history"): Rule(ARCHIVE_READERS | {R.CUSTOMER}, "asset"),
    ("GET", "/v1/assets/{serial}/maintenance"): Rule(ARCHIVE_READERS | {R.CUSTOMER}, "asset"),
    ("GET", "/v1/complaints"): Rule(COMPLAINT_READERS),
    ("GET", "/v1/complaints/{number}"): Rule(COMPLAINT_READERS, "complaint"),
    ("POST", "/v1/complaints/{number}/respond"): Rule(frozenset({R.SUPERVISOR})),
    ("GET", "/v1/customers"): Rule(ARCHIVE_READERS),
    ("POST", "/v1/customers"): Rule(ADMIN),
    ("GET", "/v1/customers/{customer_id}"): Rule(ARCHIVE_READERS),
    ("PUT", "/v1/customers/{customer_id}"): Rule(ADMIN),
    ("DELETE", "/v1/customers/{customer_id}"): Rule(ADMIN),
    ("GET", "/v1/customers/{customer_id}/history"): Rule(
        ARCHIVE_READERS | {R.CUSTOMER}, "customer"
    ),
    ("GET", "/v1/customers/{customer_id}/maintenance"): Rule(
        ARCHIVE_READERS | {R.CUSTOMER}, "customer"
    ),
    ("GET", "/v1/customers/{customer_id}/service-plan"): Rule(ADMIN),
    ("POST", "/v1/customers/{customer_id}/service-plan"): Rule(ADMIN),
    ("GET", "/v1/engineers"): Rule(ARCHIVE_READERS),
    ("POST", "/v1/engineers"): Rule(ADMIN),
    ("GET", "/v1/engineers/{engineer_id}"): Rule(ARCHIVE_READERS),
    ("PUT", "/v1/engineers/{engineer_id}"): Rule(ADMIN),
    ("DELETE", "/v1/engineers/{engineer_id}"): Rule(ADMIN),
    ("GET", "/v1/loaner-units"): Rule(ARCHIVE_READERS),
    ("POST", "/v1/loaner-units"): Rule(ADMIN),
    ("GET", "/v1/loaner-units/{serial}"): Rule(ARCHIVE_READERS),
    ("PUT", "/v1/loaner-units/{serial}"): Rule(ADMIN),
    ("DELETE", "/v1/loaner-units/{serial}"): Rule(ADMIN),
    # a round nobody has: every role reaches the lookup (own rounds: test_inspection_rounds)
    ("GET", "/v1/inspection-rounds/{schedule_id}/{day}"): Rule(ALL),
    ("GET", "/v1/inspection-rounds/{schedule_id}/{day}/report.html"): Rule(ALL),
    ("GET", "/v1/inspection-rounds/{schedule_id}/{day}/report.pdf"): Rule(ALL),
    ("POST", "/v1/inspection-rounds/{schedule_id}/{day}/sign"): Rule(
        frozenset({R.CUSTOMER, R.ENGINEER})
    ),
    ("GET", "/v1/price-list"): Rule(STAFF),
    ("PUT", "/v1/price-list/{kind}/{code}"): Rule(ADMIN),
    ("DELETE", "/v1/price-list/{kind}/{code}"): Rule(ADMIN),
    ("POST", "/v1/service-requests/{number}/quote-lines"): Rule(
        frozenset({R.SUPPORT, R.ENGINEER, R.SUPERVISOR}), "request"
    ),
    ("GET", "/v1/service-requests/{number}/receipt.html"): Rule(ALL, "request"),
    ("GET", "/v1/service-requests/{number}/receipt.pdf"): Rule(ALL, "request"),
    ("GET", "/v1/revisits"): Rule(DESK),
    ("POST", "/v1/revisits/{call_id}/record"): Rule(frozenset({R.REVISIT})),
    ("GET", "/v1/schedules"): Rule(SCHEDULE_READERS),
    ("POST", "/v1/schedules"): Rule(ADMIN),
    ("GET", "/v1/schedules/{sid}"): Rule(SCHEDULE_READERS),
    ("PUT", "/v1/schedules/{sid}"): Rule(ADMIN),
    ("DELETE", "/v1/schedules/{sid}"): Rule(ADMIN),
    ("POST", "/v1/schedules/{sid}/pause"): Rule(ADMIN),
    ("POST", "/v1/schedules/{sid}/unpause"): Rule(ADMIN),
    ("POST", "/v1/schedules/{sid}/trigger"): Rule(ADMIN),
    ("GET", "/v1/kpis"): Rule(MANAGERS),
    ("GET", "/v1/kpis.csv"): Rule(MANAGERS),
    ("GET", "/v1/kpis/requests"): Rule(MANAGERS),
    ("GET", "/v1/reports"): Rule(MANAGERS),
    ("GET", "/v1/reports/{report_id}.pdf"): Rule(MANAGERS),
    ("GET", "/reports/kpi"): Rule(MANAGERS),
    ("GET", "/reports/kpi/requests"): Rule(MANAGERS),
    ("GET", "/reports/kpi/what-if"): Rule(MANAGERS),
    ("GET", "/v1/service-requests"): Rule(ALL),  # filtered to one's own: see below
    ("GET", "/v1/service-requests.csv"): Rule(ALL),  # the same
    ("POST", "/v1/service-requests"): Rule(frozenset({R.INTAKE})),
    ("GET", "/v1/service-requests/{number}"): Rule(ALL, "request"),
    ("GET", "/v1/service-requests/{number}/timeline"): Rule(ALL, "request"),
    ("GET", "/v1/service-requests/{number}/report.html"): Rule(ALL, "request"),
    ("GET", "/v1/service-requests/{number}/report.pdf"): Rule(ALL, "request"),
    ("GET", "/v1/service-requests/{number}/signature"): Rule(ALL, "request"),
    ("POST", "/v1/service-requests/{number}/{action}"): PUBLIC,  # only "no such action"
    ("GET", "/v1/sla-profiles"): Rule(ARCHIVE_READERS),
    ("POST", "/v1/sla-profiles"): Rule(ADMIN),
    ("GET", "/v1/sla-profiles/{name}"): Rule(ARCHIVE_READERS),
    ("PUT", "/v1/sla-profiles/{name}"): Rule(ADMIN),
    ("DELETE", "/v1/sla-profiles/{name}"): Rule(ADMIN),
    ("POST", "/v1/sla/preview"): Rule(STAFF),
    ("POST", "/v1/sla/what-if"): Rule(MANAGERS),
    ("POST", "/v1/sla/replay-check"): Rule(MANAGERS),
} | {
    ("POST", f"/v1/service-requests/{{number}}/{a.path}"): Rule(LIFECYCLE[a].roles, "request")
    for a in Action
}
#: The staff web app's pages, reached with a cookie session (customers cannot sign in): the
#: same roles as the API routes they stand for.
WEB_STAFF = frozenset(STAFF)
PAGES: dict[tuple[str, str], Rule] = {
    ("GET", "/app/sign-in"): PUBLIC,
    ("POST", "/app/sign-in"): PUBLIC,
    ("POST", "/app/sign-out"): Rule(WEB_STAFF),
    ("GET", "/app"): Rule(WEB_STAFF),  # the board, or one's own desk
    ("POST", "/app/complaints/{number}/respond"): Rule(frozenset({R.SUPERVISOR}), "complaint"),
    ("GET", "/app/support"): Rule(frozenset({R.SUPPORT, R.SUPERVISOR})),
    ("GET", "/app/dispatch"): Rule(frozenset({R.DISPATCHER, R.SUPERVISOR})),
    ("GET", "/app/my-jobs"): Rule(frozenset({R.ENGINEER})),
    ("GET", "/app/inspection-rounds/{schedule_id}/{day}"): Rule(
        frozenset({R.ENGINEER, R.SUPERVISOR})
    ),
    ("POST", "/app/inspection-rounds/{schedule_id}/{day}/sign"): Rule(frozenset({R.ENGINEER})),
    ("GET", "/app/intake"): Rule(frozenset({R.INTAKE})),
    ("POST", "/app/intake"): Rule(frozenset({R.INTAKE})),
    ("GET", "/app/revisits"): Rule(frozenset({R.REVISIT, R.SUPERVISOR})),
    ("POST", "/app/revisits/{call_id}/record"): Rule(LIFECYCLE[Action.RECORD_REVISIT].roles),
    ("GET", "/app/requests/{number}"): Rule(WEB_STAFF, "request"),
    # `pause` stands for every action: the lifecycle table's roles, the request's owner
    ("POST", "/app/requests/{number}/{action_path}"): Rule(
        LIFECYCLE[Action.PAUSE].roles, "request"
    ),
} | {
    (method, f"/app/admin{path}"): Rule(ADMIN)
    for method, path in (
        ("GET", ""),
        ("GET", "/{kind}/new"),
        ("GET", "/{kind}/{key}"),
        ("POST", "/{kind}"),
        ("POST", "/{kind}/{key}"),
        ("POST", "/profiles"),
        ("POST", "/prices"),
        ("POST", "/prices/{kind}/{code}/delete"),
        ("POST", "/keys"),
        ("POST", "/keys/{key_id}/revoke"),
        ("POST", "/keys/{key_id}/password"),
        ("POST", "/schedules"),
        ("POST", "/schedules/{sid}"),
        ("POST", "/schedules/{sid}/delete"),
    )
}
#: Bodies sent to the routes that change something: each is refused (422) or does nothing
#: once admitted, so the matrix never changes the data it runs on.
NO_BODY: dict[str, Any] = {}


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, the included routers' too."""

    def walk(routes: list[Any] | Iterator[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI ≥ 0.16x)
                yield from walk(route.effective_route_contexts())
            elif getattr(route, "methods", None):
                for method in set(route.methods) - {"HEAD"}:
                    yield method, route.path

    return set(walk(app.routes))


def test_every_route_has_an_ownership_rule(settings):
    missing = route_table(create_app(settings)) - set(RULES) - set(PAGES)
    assert not missing, f"routes without an ownership rule in this test: {sorted(missing)}"
    stale = (set(RULES) | set(PAGES)) - route_table(create_app(settings))
    assert not stale, f"rules for routes that do not exist: {sorted(stale)}"


# ------------------------------------------------------------------ the objects
@dataclass
class World:
    own: dict[str, str]
    other: dict[str, str]
    keys: dict[Role, str]
    person_keys: dict[str, str]


async def _call(http, key: str | None, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await http.request(method, path, headers=headers | kw.pop("headers", {}), **kw)


async def _drive(http, keys, person_keys, customer: str, serial: str, engineer: str, sign: bool):
    """A request of `customer` assigned to `engineer`, repaired, and signed or not."""
    r = await _call(
        http,
        keys[R.INTAKE],
        "POST",
        "/v1/service-requests",
        json=intake_body(customer_id=customer, asset_serial=serial),
    )
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    steps = [
        ("acknowledge", keys[R.SUPPORT], {}),
        ("diagnose", keys[R.SUPPORT], {"outcome": "needs_onsite", "notes": "matrix"}),
        ("assign", keys[R.DISPATCHER], {"engineer_id": engineer}),
        ("check-in", person_keys[engineer], {}),
        ("report-repair", person_keys[engineer], FIXED),
    ]
    if sign:
        steps.append(("sign", person_keys[customer], SIGNED))
    for action, key, body in steps:
        r = await _call(http, key, "POST", f"/v1/service-requests/{number}/{action}", json=body)
        assert r.status_code == 200, (action, r.text)
    return number


async def _complaint(http, keys, customer: str, serial: str) -> str:
    body = intake_body(customer_id=customer, asset_serial=serial, type="complaint")
    r = await _call(http, keys[R.INTAKE], "POST", "/v1/service-requests", json=body)
    assert r.status_code == 201, r.text
    number: str = r.json()["number"]

    async def filed() -> bool:
        found = await _call(http, keys[R.SUPERVISOR], "GET", "/v1/complaints")
        return number in [c["number"] for c in found.json()]

    await eventually(filed)
    return number


@pytest.fixture(scope="module")
async def world(api_url, api_keys, person_keys) -> World:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        own = await _drive(http, api_keys, person_keys, "C001", "SN-1001", "E001", sign=True)
        other = await _drive(http, api_keys, person_keys, "C002", "SN-1002", "E002", sign=False)
        own_complaint = await _complaint(http, api_keys, "C001", "SN-1001")
        other_complaint = await _complaint(http, api_keys, "C002", "SN-1002")
    ids = {"key_id": "999999", "sid": "matrix-none", "call_id": "matrix-none"}
    ids |= {"name": "matrix-none", "engineer_id": "E-NONE", "token": "matrix.none"}
    ids |= {"action": "teleport", "report_id": "matrix-none", "action_path": "pause"}
    ids |= {"kind": "engineers", "key": "E-NONE", "schedule_id": "matrix-none", "day": "2026-01-01"}
    ids |= {"code": "matrix-none"}
    return World(
        own=ids
        | {"request": own, "complaint": own_complaint, "customer_id": "C001", "serial": "SN-1001"},
        other=ids
        | {
            "request": other,
            "complaint": other_complaint,
            "customer_id": "C002",
            "serial": "SN-1002",
        },
        keys=api_keys,
        person_keys=person_keys,
    )


def _path(template: str, rule: Rule, ids: dict[str, str]) -> str:
    number = ids["complaint"] if rule.scope == "complaint" else ids["request"]
    values = ids | {"number": number}
    if rule.scope not in ("customer", "asset"):
        # archive ids of routes no customer reaches: ids that exist for nobody in particular
        values = values | {"customer_id": "C-NONE", "serial": "SN-NONE"}
    return template.format(**values)


def expected(rule: Rule, role: Role, own: bool) -> str:
    """`admitted` (past authorisation and ownership), or the refusal's status."""
    assert rule.roles is not None
    if role not in rule.roles:
        return "403"
    if own or rule.scope is None:
        return "admitted"
    if role == R.CUSTOMER:
        return "404"
    if role == R.ENGINEER and rule.scope == "request":
        return "403"
    return "admitted"


def outcome(rule: Rule, response: httpx.Response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if (
        rule.scope is not None
        and response.status_code == 404
        and response.json()["detail"].startswith("there is no")
    ):
        return "404"  # someone else's object (a 404 for an unsigned report is admitted)
    return "admitted"


CELLS = [
    (method, path, role, own)
    for (method, path), rule in sorted(RULES.items())
    if rule.roles is not None
    for role in Role
    for own in (True, False)
]


async def accepted_updates(client, number: str) -> int:
    """Updates the request's workflow accepted: a refused one never enters the history."""
    history = await client.get_workflow_handle(workflow_id_for(number)).fetch_history()
    return sum(
        e.HasField("workflow_execution_update_accepted_event_attributes") for e in history.events
    )


async def test_the_ownership_matrix(world: World, http, dev_client):
    """Every cell at once (one set of objects), then: nothing refused reached a history."""

    before = {
        n: await accepted_updates(dev_client, n)
        for n in (world.own["request"], world.other["request"])
    }
    wrong = []
    for method, template, role, own in CELLS:
        rule = RULES[(method, template)]
        path = _path(template, rule, world.own if own else world.other)
        kwargs: dict[str, Any] = {"json": NO_BODY} if method in ("POST", "PUT") else {}
        r = await _call(http, world.keys[role], method, path, **kwargs)
        want, got = expected(rule, role, own), outcome(rule, r)
        if want != got:
            cell = f"{role:>10} {'own' if own else 'other':<5} {method} {path}"
            wrong.append(f"{cell}: {got}, expected {want} ({r.status_code} {r.text[:120]})")
    assert not wrong, "\n" + "\n".join(wrong)
    after = {n: await accepted_updates(dev_client, n) for n in before}
    assert after == before, "a refused call reached the workflow's history"


async def test_public_routes_need_no_key_and_the_rest_do(world: World, http):
    for (method, template), rule in sorted(RULES.items()):
        path = _path(template, rule, world.own)
        kwargs: dict[str, Any] = {"json": NO_BODY} if method in ("POST", "PUT") else {}
        r = await http.request(method, path, **kwargs)
        if rule.roles is None:
            assert r.status_code != 401, (method, path)
        else:
            assert r.status_code == 401, (method, path, r.status_code)


# ------------------------------------------------------------------ lists and the attack
async def test_lists_are_filtered_to_ones_own_never_refused(world: World, http):
    own, other = world.own["request"], world.other["request"]
    customer, engineer = world.keys[R.CUSTOMER], world.keys[R.ENGINEER]
    for query in ("", "?customer=C002", "?stage=awaiting_signature", "?page_size=200"):
        r = await _call(http, customer, "GET", f"/v1/service-requests{query}")
        assert r.status_code == 200, r.text
        assert {i["customer_id"] for i in r.json()["items"]} <= {"C001"}
        assert other not in [i["number"] for i in r.json()["items"]]
    rows = _csv(await _call(http, customer, "GET", "/v1/service-requests.csv"))
    assert {row["customer_id"] for row in rows} == {"C001"}
    assert own in {row["number"] for row in rows}
    assert _csv(await _call(http, customer, "GET", "/v1/service-requests.csv?customer=C002")) == []
    mine = await _call(http, engineer, "GET", "/v1/service-requests?engineer=me&page_size=200")
    numbers = [i["number"] for i in mine.json()["items"]]
    assert own in numbers and other not in numbers
    assert {i["engineer"] for i in mine.json()["items"]} == {"E001"}
    r = await _call(http, engineer, "GET", "/v1/service-requests?engineer=E002")
    assert r.status_code == 200 and r.json()["items"] == []
    r = await _call(http, world.keys[R.SUPERVISOR], "GET", "/v1/service-requests?engineer=me")
    assert r.status_code == 422 and "engineer" in r.text
    r = await _call(http, customer, "GET", "/v1/complaints")
    assert {c["customer_id"] for c in r.json()} == {"C001"}
    assert world.other["complaint"] not in [c["number"] for c in r.json()]


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a spreadsheet download (UTF-8 with a byte-order mark, for Excel)."""
    assert response.status_code == 200, response.text
    assert response.text.startswith("\ufeffnumber,")
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


async def test_the_attack_answers_404_and_403(world: World, http):
    """The reproduction of the issue: another customer's key signs, another engineer checks
    in and reports, a customer key reads someone else's report PDF."""
    other = world.other["request"]
    c001, e001 = world.keys[R.CUSTOMER], world.keys[R.ENGINEER]
    r = await _call(http, c001, "POST", f"/v1/service-requests/{other}/sign", json=SIGNED)
    assert r.status_code == 404 and other in r.json()["detail"]
    assert "awaiting_signature" not in r.text  # nothing about the other request leaks
    r = await _call(http, c001, "GET", f"/v1/service-requests/{other}/report.pdf")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    r = await _call(http, e001, "POST", f"/v1/service-requests/{other}/report-repair", json=FIXED)
    assert r.status_code == 403 and "assigned to E002" in r.json()["detail"]
    state = await _call(http, world.keys[R.SUPERVISOR], "GET", f"/v1/service-requests/{other}")
    assert state.json()["stage"] == "awaiting_signature" and state.json()["signature"] is None
    # its own customer and engineer are admitted
    r = await _call(http, world.person_keys["C002"], "GET", f"/v1/service-requests/{other}")
    assert r.status_code == 200
    r = await _call(http, world.person_keys["E002"], "GET", f"/v1/service-requests/{other}")
    assert r.status_code == 200


async def test_the_timeline_records_the_acting_person(world: World, http):
    own = world.own["request"]
    r = await _call(http, world.keys[R.SUPERVISOR], "GET", f"/v1/service-requests/{own}/timeline")
    events = r.json()
    by_kind = {e["kind"]: e for e in events}
    registered = by_kind["registered"]["by"]
    assert registered["role"] == "intake" and registered["name"] == "test-intake"
    assert isinstance(registered["key_id"], int)
    checked_in = next(e for e in events if e["data"].get("to") == "on_site")["by"]
    assert checked_in["engineer_id"] == "E001" and checked_in["role"] == "engineer"
    signed = next(e for e in events if e["data"].get("to") == "closed")["by"]
    assert signed["customer_id"] == "C001" and signed["via"] == "api_key"
    assert by_kind["clock_met"]["by"] is None  # the workflow's own events name no person


# ------------------------------------------------------------------ the web app's pages
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_outcome(rule: Rule, response: httpx.Response) -> str:
    if response.status_code == 303 and "/app/sign-in" in response.headers["location"]:
        return "401"
    if response.status_code == 403:
        return "403"
    if rule.scope is not None and response.status_code == 404 and "there is no" in response.text:
        return "404"
    return "admitted"


async def test_every_page_answers_each_person_as_the_api_does(world: World, api_url, dev_client):
    """Each staff role signed in with a cookie, every page route, its own object and someone
    else's; forms sent with a valid CSRF token and an empty body, so nothing changes."""

    before = {
        n: await accepted_updates(dev_client, n)
        for n in (world.own["request"], world.other["request"])
    }
    wrong = []
    for role in sorted(STAFF):
        async with httpx.AsyncClient(base_url=api_url, timeout=30) as browser:
            signed = await browser.post("/app/sign-in", data={"key": world.keys[role]})
            assert signed.status_code == 303, signed.text
            home = await browser.get(signed.headers["location"])
            token = CSRF.search(home.text)
            assert token, home.text[:300]
            for (method, template), rule in sorted(PAGES.items()):
                if rule.roles is None or template == "/app/sign-out":
                    continue
                for own in (True, False):
                    path = _path(template, rule, world.own if own else world.other)
                    data = {"csrf_token": token.group(1)} if method == "POST" else None
                    r = await browser.request(method, path, data=data)
                    assert r.status_code < 500, (role, method, path, r.text[:300])
                    want, got = expected(rule, role, own), page_outcome(rule, r)
                    if want != got:
                        cell = f"{role:>10} {'own' if own else 'other':<5} {method} {path}"
                        wrong.append(f"{cell}: {got}, expected {want} ({r.status_code})")
    assert not wrong, "\n" + "\n".join(wrong)
    after = {n: await accepted_updates(dev_client, n) for n in before}
    assert after == before, "a page's refused or empty form reached the workflow's history"

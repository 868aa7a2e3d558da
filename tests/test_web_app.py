"""The staff web app over real HTTP: signing in with a key or a password gives an HttpOnly,
SameSite, expiring cookie; a form without its CSRF token is refused and changes nothing;
signing out ends the session; a page a person may not see answers as the API does; a form's
refusal comes from the workflow's own validator and is shown in the form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from db.session import transaction
from db.tables import WebSession
from identity.keys import create_api_key, hash_key, revoke_api_key
from identity.throttle import FAILURES
from models.lifecycle import Role
from tests.conftest import serve
from tests.test_api import register
from tests.workflow_helpers import eventually

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@asynccontextmanager
async def signed_in(api_url: str, key: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client signed in with `key` (it keeps the session cookie)."""
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        answer = await client.post("/app/sign-in", data={"key": key})
        assert answer.status_code == 303, answer.text
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


async def test_signing_in_with_a_key_sets_a_safe_cookie_and_lands_on_the_desk(api_url, api_keys):
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        answer = await client.post("/app/sign-in", data={"key": api_keys[Role.DISPATCHER]})
        assert answer.status_code == 303 and answer.headers["location"] == "/app/dispatch"
        cookie = answer.headers["set-cookie"]
        assert "aftersales_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "expires=" in cookie.lower()
        board = await client.get("/app")
        assert board.status_code == 303 and board.headers["location"] == "/app/dispatch"


async def test_a_page_without_a_session_asks_to_sign_in_and_comes_back(api_url):
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        answer = await client.get("/app/requests/SR-20260101-000001")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/app/sign-in?next=/app/requests/SR-20260101-000001"
        page = await client.get(answer.headers["location"])
        assert page.status_code == 200 and "登录 Sign in" in page.text


async def test_a_wrong_key_or_password_is_refused_with_the_reason(api_url):
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        answer = await client.post("/app/sign-in", data={"key": "as_admin_nonsense"})
        assert answer.status_code == 401 and "密钥无效" in answer.text
        assert "set-cookie" not in answer.headers
        answer = await client.post("/app/sign-in", data={"login": "nobody", "password": "x" * 12})
        assert answer.status_code == 401 and "登录名或密码不正确" in answer.text


async def test_a_customer_key_does_not_open_the_staff_app(api_url, api_keys):
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        answer = await client.post("/app/sign-in", data={"key": api_keys[Role.CUSTOMER]})
        assert answer.status_code == 401 and "签字链接" in answer.text


async def test_a_password_set_by_the_admin_signs_in_until_the_key_is_revoked(
    api_url, sessions, as_role
):
    with transaction(sessions) as session:
        issued = create_api_key(session, Role.SUPPORT, "刘芳 (password)")
    path = f"/v1/api-keys/{issued.id}/password"
    weak = await as_role(Role.ADMIN, "PUT", path, json={"login": "li.na", "password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    good = {"login": "li.na", "password": "correct horse battery"}
    assert (await as_role(Role.SUPERVISOR, "PUT", path, json=good)).status_code == 403
    answer = await as_role(Role.ADMIN, "PUT", path, json=good)
    assert answer.status_code == 200 and answer.json()["login"] == "li.na"
    assert "correct horse" not in answer.text and "scrypt" not in answer.text
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        wrong = await client.post(
            "/app/sign-in", data={"login": "li.na", "password": "wrong one!!"}
        )
        assert wrong.status_code == 401
        answer = await client.post(
            "/app/sign-in", data={"login": "Li.Na", "password": "correct horse battery"}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/app/support"
        assert (await client.get("/app/support")).status_code == 200
        with transaction(sessions) as session:
            revoke_api_key(session, issued.id)
        gone = await client.get("/app/support")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/app/sign-in")


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    api_url, api_keys, as_role
):
    number = await register(as_role)
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as client:
        page = await eventually(lambda: _page_once(client, f"/app/requests/{number}"))
        token = csrf_of(page)
        for sent in ({}, {"csrf_token": "forged"}):
            refused = await client.post(
                f"/app/requests/{number}/acknowledge", data={"note": "x"} | sent
            )
            assert refused.status_code == 403 and "CSRF" in refused.text
        state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
        assert state["stage"] == "registered"
        done = await client.post(
            f"/app/requests/{number}/acknowledge", data={"note": "called back", "csrf_token": token}
        )
        assert done.status_code == 303, done.text
        state = (await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")).json()
        assert state["stage"] == "diagnosing"


async def _page_once(client: httpx.AsyncClient, path: str) -> httpx.Response | None:
    page = await client.get(path)
    return page if page.status_code == 200 else None


async def test_the_workflows_refusal_is_shown_in_the_form_with_what_was_entered(
    api_url, api_keys, as_role
):
    number = await register(as_role)
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as client:
        page = await eventually(lambda: _page_once(client, f"/app/requests/{number}"))
        token = csrf_of(page)
        # diagnose before acknowledge: the workflow's validator refuses it, with its words
        refused = await client.post(
            f"/app/requests/{number}/diagnose",
            data={"outcome": "needs_onsite", "notes": "lens cracked", "csrf_token": token},
        )
        assert refused.status_code == 409, refused.text
        assert "cannot diagnose while the request is &#39;registered&#39;" in refused.text
        assert "lens cracked" in refused.text
        # a body the model refuses: the field is named next to its input
        empty = await client.post(
            f"/app/requests/{number}/change-severity",
            data={"severity": "9", "reason": "", "csrf_token": token},
        )
        assert empty.status_code == 422
        assert re.search(r'class="field invalid".*?name="severity"', empty.text, re.S)


async def test_signing_out_ends_the_session(api_url, api_keys, sessions):
    async with signed_in(api_url, api_keys[Role.REVISIT]) as client:
        token = client.cookies["aftersales_session"]
        page = await client.get("/app/revisits")
        await client.post("/app/sign-out", data={"csrf_token": csrf_of(page)})
        with sessions() as session:
            row = session.scalar(select(WebSession).where(WebSession.token_hash == hash_key(token)))
            assert row is not None and row.ended_at is not None
        client.cookies.set("aftersales_session", token)  # a copied cookie no longer works
        again = await client.get("/app/revisits")
        assert again.status_code == 303


async def test_an_expired_session_signs_in_again(api_url, api_keys, sessions):
    async with signed_in(api_url, api_keys[Role.REVISIT]) as client:
        token = client.cookies["aftersales_session"]
        with transaction(sessions) as session:
            row = session.get(WebSession, hash_key(token))
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        assert (await client.get("/app/revisits")).status_code == 303


async def test_pages_answer_as_the_api_does_for_what_a_person_may_not_see(
    api_url, person_keys, as_role, api_keys
):
    number = await register(as_role)
    async with signed_in(api_url, person_keys["E002"]) as engineer:
        # not assigned to E002: 403 as the API answers, a page saying so
        page = await engineer.get(f"/app/requests/{number}")
        assert page.status_code in (403, 404) and "<html" in page.text
        assert (await engineer.get("/app/admin")).status_code == 403
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as support:
        missing = await support.get("/app/requests/SR-20200101-999999")
        assert missing.status_code == 404 and "找不到" in missing.text


async def test_the_admin_creates_edits_and_deletes_a_schedule_through_the_page(
    api_url, api_keys, as_role, own_customer
):
    serial = f"{own_customer}-1"
    sid = f"revisit_call-{own_customer}-{serial}"
    async with signed_in(api_url, api_keys[Role.ADMIN]) as admin:
        token = csrf_of(await admin.get("/app/admin"))
        bad = await admin.post(
            "/app/admin/schedules",
            data={
                "csrf_token": token,
                "kind": "revisit_call",
                "customer_id": own_customer,
                "asset_serial": serial,
                "every": "monthly",
                "hour": "25",
            },
        )
        assert bad.status_code == 422
        assert re.search(r'class="field invalid".*?name="hour"', bad.text, re.S)
        made = await admin.post(
            "/app/admin/schedules",
            data={
                "csrf_token": token,
                "kind": "revisit_call",
                "customer_id": own_customer,
                "asset_serial": serial,
                "every": "monthly",
                "day_of_month": "5",
                "hour": "9",
            },
        )
        assert made.status_code == 303, made.text
        changed = await admin.post(
            f"/app/admin/schedules/{sid}",
            data={"csrf_token": token, "every": "quarterly", "day_of_month": "5", "hour": "10"},
        )
        assert changed.status_code == 303, changed.text
        shown = (await as_role(Role.ADMIN, "GET", f"/v1/schedules/{sid}")).json()
        assert (shown["definition"]["every"], shown["definition"]["hour"]) == ("quarterly", 10)
        gone = await admin.post(f"/app/admin/schedules/{sid}/delete", data={"csrf_token": token})
        assert gone.status_code == 303
        assert (await as_role(Role.ADMIN, "GET", f"/v1/schedules/{sid}")).status_code == 404


async def test_the_cookie_reads_the_kpi_page_but_changes_nothing_through_the_api(api_url, api_keys):
    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as supervisor:
        assert (await supervisor.get("/reports/kpi")).status_code == 200
        assert (await supervisor.get("/v1/service-requests?page_size=1")).status_code == 200
        # a cross-site form would carry the cookie: without a key the API refuses it
        posted = await supervisor.post(
            "/v1/sla/what-if", json={"from": "2026-11-01", "to": "2026-11-30"}
        )
        assert posted.status_code == 401


async def test_a_hotline_complaint_registered_on_the_intake_page_reaches_the_board(
    api_url, api_keys, own_customer
):
    async with signed_in(api_url, api_keys[Role.INTAKE]) as intake:
        token = csrf_of(await intake.get("/app/intake"))
        saved = await intake.post(
            "/app/intake",
            data={
                "csrf_token": token,
                "type": "complaint",
                "channel": "phone",
                "customer_id": own_customer,
                "description": "电话没人接 nobody answered",
            },
        )
        assert saved.status_code == 201, saved.text
        number = re.search(r"已登记 Registered: (CP-[0-9-]+)", saved.text)
        assert number and "/app/requests/CP-" not in saved.text
    async with signed_in(api_url, api_keys[Role.SUPERVISOR]) as supervisor:

        async def on_the_board() -> bool:
            return f'id="complaint-{number.group(1)}"' in (await supervisor.get("/app")).text

        await eventually(on_the_board)


async def test_signing_in_from_another_site_is_refused(api_url, api_keys):
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        for forged in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            answer = await client.post(
                "/app/sign-in", data={"key": api_keys[Role.SUPPORT]}, headers=forged
            )
            assert answer.status_code == 403 and "set-cookie" not in answer.headers
        same = await client.post(
            "/app/sign-in",
            data={"key": api_keys[Role.SUPPORT]},
            headers={"Origin": api_url, "Sec-Fetch-Site": "same-origin"},
        )
        assert same.status_code == 303


async def test_too_many_failed_sign_ins_wait(settings):
    # an app of its own: its throttle must not slow the session's other tests down
    async with serve(settings, None) as url, httpx.AsyncClient(base_url=url) as client:
        for _ in range(FAILURES):
            wrong = await client.post("/app/sign-in", data={"login": "mallory", "password": "x"})
            assert wrong.status_code == 401
        waits = await client.post("/app/sign-in", data={"login": "mallory", "password": "x"})
        assert waits.status_code == 429 and "Too many failed sign-ins" in waits.text


async def test_signing_in_again_ends_the_browsers_earlier_session(api_url, api_keys, sessions):
    async with signed_in(api_url, api_keys[Role.SUPPORT]) as client:
        first = client.cookies["aftersales_session"]
        again = await client.post("/app/sign-in", data={"key": api_keys[Role.DISPATCHER]})
        assert again.status_code == 303 and client.cookies["aftersales_session"] != first
        with sessions() as session:
            row = session.get(WebSession, hash_key(first))
            assert row is not None and row.ended_at is not None


async def test_editing_an_asset_keeps_what_its_form_does_not_show(
    api_url, api_keys, as_role, own_customer
):
    serial = f"{own_customer}-1"
    stored = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    stored["warranty"]["components"] = {"bulb": 6}
    assert (
        await as_role(Role.ADMIN, "PUT", f"/v1/assets/{serial}", json=stored)
    ).status_code == 200
    async with signed_in(api_url, api_keys[Role.ADMIN]) as admin:
        form = await admin.get(f"/app/admin/assets/{serial}")
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.text))
        assert fields["model"] == "DS-2CD"
        fields["model"] = "DS-2CD-B"
        saved = await admin.post(f"/app/admin/assets/{serial}", data=fields)
        assert saved.status_code == 303, saved.text
    after = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    assert after["model"] == "DS-2CD-B" and after["warranty"]["components"] == {"bulb": 6}


async def test_an_engineers_request_page_does_not_list_the_crew(api_url, api_keys, as_role):
    number = await register(as_role)
    for action, role, body in (
        ("acknowledge", Role.SUPPORT, {}),
        ("diagnose", Role.SUPPORT, {"outcome": "needs_onsite", "notes": "x"}),
        ("assign", Role.DISPATCHER, {"engineer_id": "E001"}),
    ):
        answer = await as_role(role, "POST", f"/v1/service-requests/{number}/{action}", json=body)
        assert answer.status_code == 200, answer.text
    async with signed_in(api_url, api_keys[Role.ENGINEER]) as engineer:
        page = await engineer.get(f"/app/requests/{number}")
        assert page.status_code == 200 and 'data-clock="arrival"' in page.text
        assert '<option value="E002"' not in page.text
    async with signed_in(api_url, api_keys[Role.DISPATCHER]) as dispatcher:
        page = await dispatcher.get(f"/app/requests/{number}")
        assert '<option value="E002"' in page.text  # reassign: the crew to choose from


async def test_the_customers_page_shows_the_maintenance_due(
    api_url, api_keys, as_role, own_customer
):
    serial = f"{own_customer}-1"
    stored = (await as_role(Role.ADMIN, "GET", f"/v1/assets/{serial}")).json()
    stored["maintenance_interval_months"] = 3
    assert (
        await as_role(Role.ADMIN, "PUT", f"/v1/assets/{serial}", json=stored)
    ).status_code == 200
    async with signed_in(api_url, api_keys[Role.ADMIN]) as admin:
        page = await admin.get(f"/app/admin/customers/{own_customer}")
        assert page.status_code == 200 and 'id="maintenance"' in page.text
        assert f'data-serial="{serial}"' in page.text and "3 月 months" in page.text
        form = await admin.get(f"/app/admin/assets/{serial}")
        assert 'name="maintenance_interval_months" value="3"' in form.text

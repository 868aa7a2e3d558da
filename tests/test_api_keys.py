"""API keys belong to persons: issued, listed (never a secret) and revoked through the admin API
and `manage.py`; a revoked or expired key answers 401 at once; a key for an unknown engineer or
customer, or an engineer key bound to nobody, is refused with a clear answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import manage
from db.session import transaction
from identity.keys import authenticate, create_api_key
from models.lifecycle import Role


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_the_admin_issues_lists_and_revokes_keys(http, api_keys):
    admin = bearer(api_keys[Role.ADMIN])
    r = await http.post(
        "/v1/api-keys",
        json={"role": "engineer", "engineer_id": "E003", "expires_at": "2099-01-01T00:00:00+08:00"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["name"] == "陈静" and issued["engineer_id"] == "E003"  # the archive's name
    assert issued["status"] == "active" and issued["key"].startswith("as_engineer_")
    key = issued["key"]
    mine = await http.get("/v1/service-requests?engineer=me", headers=bearer(key))
    assert mine.status_code == 200

    listed = await http.get("/v1/api-keys", headers=admin)
    assert listed.status_code == 200
    row = next(k for k in listed.json() if k["id"] == issued["id"])
    assert row["status"] == "active" and "key" not in row and "key_hash" not in row
    assert key not in listed.text  # never a secret

    revoked = await http.delete(f"/v1/api-keys/{issued['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    r = await http.get("/v1/service-requests?engineer=me", headers=bearer(key))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    again = await http.delete(f"/v1/api-keys/{issued['id']}", headers=admin)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]  # revoking twice: once
    active = await http.get("/v1/api-keys?active=true", headers=admin)
    assert issued["id"] not in [k["id"] for k in active.json()]

    assert (await http.delete("/v1/api-keys/999999", headers=admin)).status_code == 404
    r = await http.get("/v1/api-keys", headers=bearer(api_keys[Role.SUPERVISOR]))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "customer", "name": "C002"}, "customer_id"),  # the issue's attack: unbound
        ({"role": "customer", "customer_id": "C999"}, "customer_id"),
        ({"role": "engineer", "name": "E002"}, "engineer_id"),
        ({"role": "engineer", "engineer_id": "E999"}, "engineer_id"),
        ({"role": "supervisor", "name": "x", "engineer_id": "E001"}, "engineer_id"),
        ({"role": "supervisor", "name": "  "}, "name"),
        ({"role": "support", "name": "x", "expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at"),
        ({"role": "support", "name": "x", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
    ],
)
async def test_a_key_that_cannot_be_issued_is_a_clear_422(http, api_keys, body, field):
    r = await http.post("/v1/api-keys", json=body, headers=bearer(api_keys[Role.ADMIN]))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"].endswith(field)
    listed = await http.get("/v1/api-keys", headers=bearer(api_keys[Role.ADMIN]))
    assert all(k["name"] != body.get("name") or k["role"] != body["role"] for k in listed.json())


async def test_an_expired_key_answers_401(http, sessions):
    issued_at = datetime.now(UTC) - timedelta(days=2)
    with transaction(sessions) as session:
        key = create_api_key(
            session, Role.SUPPORT, "temp", expires_at=issued_at + timedelta(days=1), now=issued_at
        ).key
    r = await http.get("/v1/service-requests", headers=bearer(key))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    with sessions() as session:
        assert authenticate(session, key, now=issued_at + timedelta(hours=1)) is not None


def test_the_command_line_creates_lists_and_revokes(database_url, sessions, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    # the issue's attack: a "customer key" named after a customer but bound to none
    assert manage.main(["create-api-key", "customer", "C002"]) == manage.INVALID_INPUT
    assert "--customer" in capsys.readouterr().err
    assert manage.main(["create-api-key", "engineer", "--engineer", "E999"]) == 2
    assert "no engineer 'E999'" in capsys.readouterr().err
    assert manage.main(["create-api-key", "support", "x", "--expires", "someday"]) == 2
    assert "--expires" in capsys.readouterr().err

    assert manage.main(["create-api-key", "customer", "--customer", "C002", "--contact", "李娜",
                        "--expires", "2099-12-31"]) == 0  # fmt: skip
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("as_customer_") and "C002" in out.err
    with sessions() as session:
        person = authenticate(session, key)
    assert person is not None and person.customer_id == "C002" and person.contact == "李娜"

    assert manage.main(["list-api-keys"]) == 0
    listing = capsys.readouterr().out
    line = next(line for line in listing.splitlines() if "李娜" in line)
    assert "active" in line and "C002" in line and "2100-01-01 00:00 +0800" in line
    assert key not in listing
    key_id = line.split()[0]

    assert manage.main(["revoke-api-key", key_id]) == 0
    assert "revoked" in capsys.readouterr().out
    with sessions() as session:
        assert authenticate(session, key) is None
    assert manage.main(["list-api-keys", "--active"]) == 0
    assert "李娜" not in capsys.readouterr().out
    assert manage.main(["revoke-api-key", "999999"]) == 2
    assert "no API key 999999" in capsys.readouterr().err

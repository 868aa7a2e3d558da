"""`POST /v1/sla/preview` returns exactly what the engine computes (SPEC §6)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from models.lifecycle import Role
from tests.sla_fixtures import STANDARD, local

PREVIEW = "/v1/sla/preview"


async def post(http, api_keys, body, role=Role.SUPPORT):
    return await http.post(
        PREVIEW, json=body, headers={"Authorization": f"Bearer {api_keys[role]}"}
    )


def instant(text):
    return datetime.fromisoformat(text)


async def test_preview_by_profile_name(http, api_keys):
    body = {
        "profile_name": "standard",
        "severity": 1,
        "region": "qingdao",
        "reported_at": "2026-11-20T22:10:00+08:00",
        "assigned_at": "2026-11-20T23:30:00+08:00",
    }
    r = await post(http, api_keys, body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert instant(got["response_due"]) == local("2026-11-20 22:40")
    assert instant(got["diagnosis_due"]) == local("2026-11-21 00:10")
    assert instant(got["arrival_due"]) == local("2026-11-21 00:30")  # Qingdao: 1 hour
    assert instant(got["resolution_due"]) == local("2026-11-21 22:10")
    levels = {(e["clock"], e["level"]): e["at"] for e in got["escalations"]}
    assert instant(levels[("response", 1)]) == local("2026-11-20 22:32:30")  # 75 % of 30 min
    assert instant(levels[("response", 2)]) == local("2026-11-20 22:40")
    assert instant(levels[("resolution", 3)]) == local("2026-11-22 02:10")  # +240 after breach
    assert ("response", 3) not in levels  # the third rule is for resolution only


async def test_preview_inline_profile_with_pauses_on_the_office_calendar(http, api_keys):
    body = {
        "profile": json.loads(STANDARD.model_dump_json()),
        "severity": 4,
        "reported_at": "2026-11-20T18:30:00+08:00",  # Friday evening
        "pauses": [{"start": "2026-11-23T09:00:00+08:00", "end": "2026-11-23T12:00:00+08:00"}],
    }
    got = (await post(http, api_keys, body)).json()
    # response: 1 working day → Monday 17:30, but Monday morning was paused: Tuesday 12:00
    assert instant(got["response_due"]) == local("2026-11-24 12:00")
    assert got["arrival_due"] is None
    open_pause = body | {"pauses": [{"start": "2026-11-23T09:00:00+08:00"}]}
    assert (await post(http, api_keys, open_pause)).json()["response_due"] is None


async def test_preview_rejects_bad_input(http, api_keys):
    base = {"profile_name": "standard", "severity": 1, "reported_at": "2026-11-20T22:10:00+08:00"}
    for body, field in [
        (base | {"severity": 5}, "severity"),
        (base | {"profile_name": "nope"}, "profile_name"),
        ({k: v for k, v in base.items() if k != "reported_at"}, "reported_at"),
        (base | {"profile": json.loads(STANDARD.model_dump_json())}, "exactly one"),
        (
            base
            | {
                "pauses": [
                    {"start": "2026-11-21T00:00:00+08:00", "end": "2026-11-20T00:00:00+08:00"}
                ]
            },
            "pause",
        ),
    ]:
        r = await post(http, api_keys, body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    r = await post(http, api_keys, base, role=Role.CUSTOMER)
    assert r.status_code == 403


async def test_preview_matches_a_registered_request(http, api_keys):
    """The preview and intake use one engine: the same inputs give the same instants."""
    reported = datetime.now().astimezone() - timedelta(minutes=5)
    body = {
        "profile_name": "standard",
        "severity": 2,
        "region": "qingdao",
        "reported_at": reported.isoformat(),
    }
    preview = (await post(http, api_keys, body)).json()
    intake = {
        "channel": "phone",
        "customer_id": "C001",
        "asset_serial": "SN-1001",
        "severity": 2,
        "fault_code": "NO_POWER",
        "force_new": True,
        "description": "x",
        "reported_at": reported.isoformat(),
    }
    created = (
        await http.post(
            "/v1/service-requests",
            json=intake,
            headers={"Authorization": f"Bearer {api_keys[Role.INTAKE]}"},
        )
    ).json()
    for clock in ("response", "diagnosis", "resolution"):
        assert instant(created["clocks"][clock]["due"]) == instant(preview[f"{clock}_due"])

"""The product's side: `worker.py` and the API on uvicorn, as `devstack.py` runs them, and a
lifecycle driven through `/v1/service-requests`."""

from __future__ import annotations

import sys
import uuid
from typing import Any

import httpx
from sqlalchemy import Engine

from db.demo import load_demo
from db.session import create_schema, session_factory, transaction
from identity.keys import create_api_key
from lifecycle.driver import HOST, CallFailed, Driver, Endpoints, Keys, Latencies, call
from lifecycle.script import (
    CASES,
    CUSTOMER,
    CUSTOMERS,
    ENGINEER,
    ENGINEERS,
    STAFF,
    STEPS,
    intake_body,
)
from models.lifecycle import Role
from models.state import workflow_id_for

NAME = "product"
INTAKE = "intake"


def prepare(engine: Engine) -> dict[str, str]:
    """Schema, demo data, and the keys the lifecycle needs (by role, engineer id or customer
    id)."""
    create_schema(engine)
    keys: dict[str, str] = {}
    with transaction(session_factory(engine)) as session:
        load_demo(session)
        for role in STAFF:
            keys[role] = create_api_key(session, role, f"bench {role}").key
        for engineer in ENGINEERS:
            keys[engineer] = create_api_key(session, Role.ENGINEER, "", engineer_id=engineer).key
        for customer in CUSTOMERS:
            keys[customer] = create_api_key(session, Role.CUSTOMER, "", customer_id=customer).key
    return keys


def commands(at: Endpoints) -> tuple[list[str], list[str]]:
    """The worker and the API take their configuration from the environment."""
    api = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", HOST]
    return [sys.executable, "worker.py"], [*api, "--port", str(at.api_port)]


async def intake(
    http: httpx.AsyncClient, keys: Keys, latencies: Latencies, i: int, severity: int
) -> str:
    created = await call(
        http,
        latencies,
        INTAKE,
        "/v1/service-requests",
        intake_body(i, severity),
        keys[Role.INTAKE],
        201,
        {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
    )
    number: str = created["number"]
    return number


async def lifecycle(http: httpx.AsyncClient, keys: Keys, latencies: Latencies, i: int) -> str:
    number = await intake(http, keys, latencies, i, 1)
    customer = CASES[i % len(CASES)][0]
    engineer = ""
    state: dict[str, Any] = {}
    for action, who, body in STEPS:
        key = keys[engineer if who == ENGINEER else customer if who == CUSTOMER else who]
        path = f"/v1/service-requests/{number}/{action}"
        state = await call(http, latencies, action, path, body, key, 200)
        if action == "assign":
            engineer = state["engineer"]
    if state.get("stage") != "completed":
        raise CallFailed(f"{number} ended in {state.get('stage')!r}, not completed")
    return number


async def read_back(http: httpx.AsyncClient, keys: Keys, number: str) -> str | None:
    found = await http.get(
        f"/v1/service-requests/{number}",
        headers={"Authorization": f"Bearer {keys[Role.SUPERVISOR]}"},
    )
    stage = found.json().get("stage") if found.status_code == 200 else found.status_code
    return None if stage == "completed" else f"GET {number}: stage {stage!r}, not completed"


DRIVER = Driver(NAME, INTAKE, prepare, commands, lifecycle, workflow_id_for, read_back)

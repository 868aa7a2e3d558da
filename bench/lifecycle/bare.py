"""The bare side: the bare workflow's worker and API (run through the command line), driven
with the product's bodies."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from lifecycle.bare_serve import API, WORKER
from lifecycle.bare_workflow import ACTIONS, create_table
from lifecycle.driver import CallFailed, Driver, Endpoints, Keys, Latencies, call
from lifecycle.script import STEPS, intake_body
from models.lifecycle import Role

NAME = "bare"
START = "start"
#: The bare processes start through the command line, which puts the project on the path.
CLI = str(Path(__file__).resolve().parent.parent / "lifecycle_bench.py")

assert tuple(step[0] for step in STEPS) == ACTIONS


def prepare(engine: Engine) -> dict[str, str]:
    create_table(engine)
    return {}


def commands(at: Endpoints) -> tuple[list[str], list[str]]:
    address, queue = at.temporal_address, at.task_queue
    worker = [sys.executable, CLI, WORKER, address, at.database_url, queue]
    return worker, [sys.executable, CLI, API, address, queue, str(at.api_port)]


async def lifecycle(http: httpx.AsyncClient, keys: Keys, latencies: Latencies, i: int) -> str:
    """The product's calls with the product's bodies and headers (the bare API ignores the
    keys)."""
    started = await call(
        http,
        latencies,
        START,
        "/v1/bare",
        intake_body(i, 1),
        keys[Role.INTAKE],
        201,
        {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
    )
    number: str = started["number"]
    state: dict[str, Any] = {}
    for action, _, body in STEPS:
        state = await call(
            http, latencies, action, f"/v1/bare/{number}/{action}", body, "bare", 200
        )
    if state.get("done") != len(STEPS):
        raise CallFailed(f"{number} answered {state!r} to its last update")
    return number


def workflow_id(number: str) -> str:
    """The bare API names its workflows by their number."""
    return number


DRIVER = Driver(NAME, START, prepare, commands, lifecycle, workflow_id)

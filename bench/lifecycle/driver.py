"""What one side of the comparison gives the benchmark, and one timed call of a lifecycle."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine

#: Every process of the benchmark listens on loopback.
HOST = "127.0.0.1"
#: Seconds per call, by call name (the first call or the action).
Latencies = dict[str, list[float]]
#: API keys by staff role, engineer id or customer id.
Keys = Mapping[str, str]


class CallFailed(Exception):
    pass


@dataclass(frozen=True)
class Endpoints:
    """Where a side's two processes connect and listen."""

    temporal_address: str
    database_url: str
    task_queue: str
    api_port: int


@dataclass(frozen=True)
class Driver:
    name: str
    #: The name of a lifecycle's first call (the others are named by their action).
    first: str
    #: Creates what the side needs in a fresh database; answers the API keys it made.
    prepare: Callable[[Engine], dict[str, str]]
    #: The worker's and the API's command lines.
    commands: Callable[[Endpoints], tuple[list[str], list[str]]]
    #: Runs lifecycle `i` through the API; answers its number.
    lifecycle: Callable[[httpx.AsyncClient, Keys, Latencies, int], Awaitable[str]]
    #: The workflow ID of a number the lifecycle answered.
    workflow_id: Callable[[str], str]
    #: Reads a finished lifecycle back through the API; answers what is wrong with it, if anything.
    read_back: Callable[[httpx.AsyncClient, Keys, str], Awaitable[str | None]] | None = None


async def call(
    http: httpx.AsyncClient,
    latencies: Latencies,
    step: str,
    path: str,
    body: Mapping[str, object],
    key: str,
    expect: int,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    began = time.perf_counter()
    try:
        response = await http.post(
            path, json=body, headers={"Authorization": f"Bearer {key}"} | dict(headers or {})
        )
    except httpx.HTTPError as exc:
        raise CallFailed(f"{step}: {type(exc).__name__} {exc}") from exc
    latencies.setdefault(step, []).append(time.perf_counter() - began)
    if response.status_code != expect:
        raise CallFailed(f"{step}: {response.status_code} {response.text[:300]}")
    answer: dict[str, Any] = response.json()
    return answer

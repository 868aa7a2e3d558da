"""`GET /metrics` scraped over HTTP: the HTTP and operations metrics are there, labelled by
route template (never a number), and a breach moves its counter."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from config import Settings, connect_temporal, metrics_runtime
from models.lifecycle import Role
from models.state import workflow_id_for
from tests.test_api import register
from tests.workflow_helpers import act, eventually
from worker import build_worker
from workflows.service_request import ServiceRequestWorkflow


async def scrape(http) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    r = await http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


async def test_the_api_answers_prometheus_with_its_requests_and_operations(http, as_role):
    number = await register(as_role, severity=2)
    await as_role(Role.SUPERVISOR, "GET", f"/v1/service-requests/{number}")
    found = await scrape(http)
    for name in (
        "aftersales_http_requests_total",
        "aftersales_http_request_duration_seconds_bucket",
        "aftersales_open_requests",
        "aftersales_notifications",
        "aftersales_loaners_out",
    ):
        assert name in found, name
    route = "/v1/service-requests/{number}"
    assert value(found, "aftersales_http_requests_total", method="GET", route=route, status="200")
    assert not any(number in str(labels) for labels in found["aftersales_http_requests_total"])
    assert sum(found["aftersales_open_requests"].values()) >= 1
    for labels in found["aftersales_notifications"]:
        assert dict(labels).keys() == {"channel", "status"}
        assert dict(labels)["channel"] in ("email", "sms")


async def test_a_breach_moves_its_counter(http, as_role):
    clock, severity = "response", "1"
    before = value(await scrape(http), "aftersales_clock_breaches_total", clock=clock,
                   severity=severity)  # fmt: skip
    reported = (datetime.now(UTC) - timedelta(minutes=45)).isoformat()
    await register(as_role, severity=1, reported_at=reported)  # its response is 15 min late

    async def moved() -> bool:
        found = await scrape(http)
        count = value(found, "aftersales_clock_breaches_total", clock=clock, severity=severity)
        return count == before + 1

    assert await eventually(moved)


async def test_the_worker_serves_the_sdk_metrics_and_its_own(dev_env, sessions, intake):
    """A worker as `worker.py` runs it: its client's runtime serves Prometheus."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    settings = replace(
        Settings.from_env(),
        temporal_address=dev_env.client.service_client.config.target_host,
        temporal_namespace=dev_env.client.namespace,
    )
    client = await connect_temporal(settings, metrics_runtime(address))
    queue = "aftersales-test-metrics"
    async with build_worker(client, sessions, queue):
        s = intake(at=datetime.now(UTC), severity=2)
        handle = await client.start_workflow(
            ServiceRequestWorkflow.run, s, id=workflow_id_for(s.number), task_queue=queue
        )
        await act(handle, "acknowledge", "support")
        async with httpx.AsyncClient() as http:

            async def served() -> set[str]:
                text = (await http.get(f"http://{address}/metrics")).text
                names = {f.name for f in text_string_to_metric_families(text)}
                return names if "aftersales_records" in names else set()

            names = await eventually(served)
    assert "aftersales_records" in names, sorted(names)
    assert any(n.startswith("temporal_") for n in names), sorted(names)

"""`GET /metrics` for Prometheus: the API's HTTP requests by route and status, and what
operations watches (`db.operations`), read from the database at each scrape.

It carries counts only, never a person's data; like any metrics endpoint it is meant for the
internal network the scraper sits on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.operations import operations
from db.session import SessionFactory

router = APIRouter(tags=["operations"])


class Metrics:
    """One application's metrics, in a registry of its own (several apps may share a process:
    the tests)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "aftersales_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "aftersales_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.registry.register(_Operations(sessions))


class _Operations(Collector):
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            found = operations(session)
        yield _family(
            GaugeMetricFamily,
            "aftersales_open_requests",
            "Open service requests by stage and SLA status.",
            ["stage", "sla_status"],
            found.open_requests.items(),
        )
        yield _family(
            CounterMetricFamily,
            "aftersales_clock_breaches",
            "SLA clock breaches recorded, by clock and severity.",
            ["clock", "severity"],
            found.breaches.items(),
        )
        yield _family(
            CounterMetricFamily,
            "aftersales_escalations",
            "Escalations recorded, by clock and level (or the workflow's own kind).",
            ["clock", "level"],
            found.escalations.items(),
        )
        yield _family(
            GaugeMetricFamily,
            "aftersales_notifications",
            "Outbox rows by channel (email, sms) and status (pending, sending, sent, skipped, "
            "failed).",
            ["channel", "status"],
            found.notifications.items(),
        )
        yield _family(
            GaugeMetricFamily,
            "aftersales_loaners_out",
            "Loaner units issued now.",
            [],
            [((), found.loaners_out)],
        )


def _family(
    kind: type[GaugeMetricFamily] | type[CounterMetricFamily],
    name: str,
    documentation: str,
    labels: list[str],
    counts: Iterable[tuple[tuple[object, ...], int]],
) -> Metric:
    family = kind(name, documentation, labels=labels)
    for values, n in sorted(counts, key=lambda item: [str(v) for v in item[0]]):
        family.add_metric([str(v) for v in values], n)
    return family


class HttpMetrics:
    """Counts every answer and its time by the route's template (`/v1/service-requests/{number}`,
    never the number itself), and "unmatched" for a path no route has."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = route.path if isinstance(route, APIRoute) else "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - began)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics.registry
    body = await request.app.state.ctx.db(lambda: generate_latest(registry))
    return Response(body, media_type=CONTENT_TYPE_LATEST)

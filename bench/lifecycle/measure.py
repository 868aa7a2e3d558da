"""What a batch measured and the figures made of it: latency percentiles, CPU per lifecycle,
and events, bytes, activities and workflow tasks per closed history."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from lifecycle.driver import Latencies
from lifecycle.stack import Proc

#: The processes whose CPU time a batch accounts, by the name the figures use.
CPU_KINDS = ("worker", "api", "temporal")
CLOSE_TIMEOUT_S = 30.0


class CpuMeter:
    """CPU seconds the watched processes spend from now on."""

    def __init__(self, procs: Mapping[str, Proc]) -> None:
        self._procs = dict(procs)
        self._before = {name: proc.cpu_seconds() for name, proc in self._procs.items()}

    def spent(self) -> dict[str, float]:
        return {name: p.cpu_seconds() - self._before[name] for name, p in self._procs.items()}


@dataclass
class Batch:
    side: str
    n: int
    concurrency: int
    seconds: float = 0.0
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: Latencies = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # seconds over the batch

    @property
    def rate(self) -> float:
        return len(self.done) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_summary(latencies: Sequence[Latencies]) -> dict[str, dict[str, float]]:
    pooled: Latencies = {}
    for each in latencies:
        for step, values in each.items():
            pooled.setdefault(step, []).extend(values)
    return {
        step: {
            "n": len(values),
            "p50_ms": 1000 * percentile(values, 50),
            "p95_ms": 1000 * percentile(values, 95),
            "p99_ms": 1000 * percentile(values, 99),
        }
        for step, values in pooled.items()
    }


def side_summary(batches: Sequence[Batch]) -> dict[str, Any]:
    return {
        "rates": [b.rate for b in batches],
        "rate_median": statistics.median(b.rate for b in batches),
        "lifecycles": sum(len(b.done) for b in batches),
        "errors": [e for b in batches for e in b.errors][:20],
        "error_count": sum(len(b.errors) for b in batches),
        "cpu_ms_per_lifecycle": {
            k: statistics.median(1000 * b.cpu[k] / max(1, len(b.done)) for b in batches)
            for k in CPU_KINDS
        },
        "latency": latency_summary([b.latencies for b in batches]),
    }


@dataclass
class HistorySample:
    """Means per closed history of a sample of workflows."""

    means: dict[str, float] = field(default_factory=dict)
    #: Event type: (events, bytes) per history.
    event_types: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Activity type: (scheduled, input bytes) per history.
    activity_types: dict[str, tuple[float, float]] = field(default_factory=dict)


async def history_sample(client: Client, ids: Sequence[str]) -> HistorySample:
    """Events, bytes, activities, workflow tasks and timers of the workflows `ids` (each
    awaited until closed), with what the events and activities are."""
    counts: list[dict[str, float]] = []
    events: dict[str, list[float]] = {}
    activities: dict[str, list[float]] = {}
    for workflow_id in ids:
        handle = client.get_workflow_handle(workflow_id)
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        while (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        history = await handle.fetch_history()
        kinds = [e.event_type for e in history.events]
        for event in history.events:
            seen = events.setdefault(EventType.Name(event.event_type)[len("EVENT_TYPE_") :], [0, 0])
            seen[0] += 1
            seen[1] += event.ByteSize()
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                scheduled = event.activity_task_scheduled_event_attributes
                act = activities.setdefault(scheduled.activity_type.name, [0, 0])
                act[0] += 1
                act[1] += scheduled.input.ByteSize()
        counts.append(
            {
                "events": len(kinds),
                "bytes": sum(e.ByteSize() for e in history.events),
                "activities": kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
                "workflow_tasks": kinds.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
                "timers": kinds.count(EventType.EVENT_TYPE_TIMER_STARTED),
                "completed": float(kinds[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
            }
        )
    if not counts:
        return HistorySample()
    n = len(counts)

    def per_history(table: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
        ranked = sorted(table.items(), key=lambda kv: -kv[1][1])
        return {name: (c / n, b / n) for name, (c, b) in ranked}

    return HistorySample(
        {k: statistics.fmean(c[k] for c in counts) for k in counts[0]},
        per_history(events),
        per_history(activities),
    )

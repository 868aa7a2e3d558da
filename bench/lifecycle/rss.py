"""The open-requests run: intakes only through the product's API until each level of open
requests, then the worker's memory and how long the backlog of intakes it has not taken up
yet takes to go."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from db.tables import Intake, ServiceRequestRow
from lifecycle import product
from lifecycle.driver import CallFailed, Latencies
from lifecycle.measure import CpuMeter, latency_summary
from lifecycle.report import print_rss_level
from lifecycle.stack import Stack, api_client, database, stack

#: Its first escalation is 90 minutes out, after the run.
SEVERITY = 3
CONCURRENCY = 50
SETTLE_S = 2.0


def backlog(engine: Engine) -> int:
    """Requests not taken up yet: taken up is when the read-model row exists, i.e. the
    workflow's first workflow task has run and its `record_events` activity has committed."""
    with engine.connect() as connection:
        intakes = connection.scalar(select(func.count()).select_from(Intake)) or 0
        rows = connection.scalar(select(func.count()).select_from(ServiceRequestRow)) or 0
    return intakes - rows


async def rss_mode(args: argparse.Namespace, results: dict[str, Any]) -> None:
    for db in args.dbs:
        with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
            folder = Path(tmp)
            with database(db, folder) as url:
                print(f"\n{db}: RSS of the worker with open requests", flush=True)
                async with (
                    stack(url, folder, [product.DRIVER], args.temporal_db == "file") as st,
                    api_client(st.sides[product.NAME]) as http,
                ):
                    idle_rss = st.sides[product.NAME].worker.memory_mb()[0]
                    print(f"  worker idle: VmRSS {idle_rss:.0f} MiB", flush=True)
                    registered = 0
                    for level in args.rss_levels:
                        result = await rss_level(
                            st, http, db, registered, level, args.backlog_timeout
                        )
                        results["rss"].append(result | {"idle_rss_mb": idle_rss})
                        registered = level


async def rss_level(
    st: Stack, http: httpx.AsyncClient, db: str, start: int, level: int, backlog_timeout: float
) -> dict[str, Any]:
    worker = st.sides[product.NAME].worker
    lat: Latencies = {}
    errors: list[str] = []
    peak = 0.0
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, worker.memory_mb()[0])
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    meter = CpuMeter({"worker": worker})
    queue = iter(range(start, level))

    async def slot() -> None:
        for i in queue:
            try:
                await product.intake(http, st.keys, lat, i, SEVERITY)
            except (CallFailed, httpx.HTTPError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    began = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(CONCURRENCY)))
    last = time.perf_counter()
    left_at_last = await asyncio.to_thread(backlog, st.engine)
    left = left_at_last
    while left > 0 and time.perf_counter() - last < backlog_timeout:
        await asyncio.sleep(0.25)
        left = await asyncio.to_thread(backlog, st.engine)
    taken_up = time.perf_counter() - last
    await asyncio.sleep(SETTLE_S)
    sampling = False
    await sampler
    rss, hwm = worker.memory_mb()
    count = level - start
    result: dict[str, Any] = {
        "db": db,
        "open_requests": level,
        "intakes": count,
        "errors": len(errors),
        "first_errors": errors[:5],
        "intake_seconds": last - began,
        "intake_rate": count / (last - began),
        "intake_latency": latency_summary([lat]),
        "backlog_at_last_intake": left_at_last,
        "backlog_left": left,
        "backlog_gone_s": taken_up,
        "takeup_rate_after_last_intake": (left_at_last - left) / taken_up if taken_up else None,
        "worker_rss_mb": rss,
        "worker_rss_peak_sampled_mb": max(peak, rss),
        "worker_hwm_mb": hwm,
        "worker_cpu_ms_per_intake": 1000 * meter.spent()["worker"] / max(1, count),
        "temporal_rss_mb": st.temporal.memory_mb()[0],
    }
    print_rss_level(result)
    return result

"""The lifecycle run: per database, one warm-up batch of each side, then interleaved rounds
of batches per concurrency, summed up per side."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager as ContextManager
from pathlib import Path
from typing import Any

import httpx

from lifecycle import bare, product, profile
from lifecycle.driver import CallFailed
from lifecycle.measure import Batch, CpuMeter, history_sample, side_summary
from lifecycle.report import print_level
from lifecycle.stack import Side, Stack, api_client, database, stack

SIDES = (product.DRIVER, bare.DRIVER)
HISTORY_SAMPLE = 10


async def run_batch(
    st: Stack,
    http: httpx.AsyncClient,
    side: Side,
    n: int,
    concurrency: int,
    profile: ContextManager[None] | None = None,
) -> Batch:
    """N lifecycles, C of them in flight at once (each lifecycle's calls one after the other),
    sampled by `profile` if given."""
    with profile or contextlib.nullcontext():
        return await _run_batch(st, http, side, n, concurrency)


async def _run_batch(
    st: Stack, http: httpx.AsyncClient, side: Side, n: int, concurrency: int
) -> Batch:
    driver = side.driver
    batch = Batch(driver.name, n, concurrency)
    meter = CpuMeter({"worker": side.worker, "api": side.api, "temporal": st.temporal})
    queue = iter(range(n))

    async def slot() -> None:
        for i in queue:
            try:
                batch.done.append(await driver.lifecycle(http, st.keys, batch.latencies, i))
            except (CallFailed, httpx.HTTPError) as exc:
                batch.errors.append(f"{type(exc).__name__}: {exc}")

    began = time.perf_counter()
    await asyncio.gather(*(slot() for _ in range(concurrency)))
    batch.seconds = time.perf_counter() - began
    batch.cpu = meter.spent()
    if driver.read_back and batch.done:
        wrong = await driver.read_back(http, st.keys, batch.done[-1])
        if wrong:
            batch.errors.append(wrong)
    return batch


async def run_level(
    st: Stack,
    https: Mapping[str, httpx.AsyncClient],
    n: int,
    rounds: int,
    concurrency: int,
    profile: Callable[[Side], ContextManager[None] | None] = lambda side: None,
) -> dict[str, Any]:
    names = [driver.name for driver in SIDES]
    batches: dict[str, list[Batch]] = {name: [] for name in names}
    order_log: list[list[str]] = []
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        order_log.append(order)
        for name in order:
            side = st.sides[name]
            batch = await run_batch(st, https[name], side, n, concurrency, profile(side))
            batches[name].append(batch)
            print(
                f"    round {r + 1}/{rounds} {name:<7} {batch.rate:6.2f} lifecycles/s "
                f"({len(batch.done)}/{n} in {batch.seconds:.1f} s"
                + (f", {len(batch.errors)} errors: {batch.errors[0]}" if batch.errors else "")
                + ")",
                flush=True,
            )
    result: dict[str, Any] = {"concurrency": concurrency, "n": n, "order": order_log}
    for driver in SIDES:
        summary = side_summary(batches[driver.name])
        sample = batches[driver.name][-1].done[:HISTORY_SAMPLE]
        found = await history_sample(st.client, [driver.workflow_id(x) for x in sample])
        summary["history"] = found.means
        summary["history_event_types"] = found.event_types
        summary["history_activity_types"] = found.activity_types
        result[driver.name] = summary
    p, b = result[product.NAME], result[bare.NAME]
    result["ratio"] = p["rate_median"] / b["rate_median"] if b["rate_median"] else None
    events = (p["history"].get("events"), b["history"].get("events"))
    result["events_ratio"] = events[0] / events[1] if events[0] and events[1] else None
    first = (p["latency"].get(product.INTAKE), b["latency"].get(bare.START))
    result["first_p99_ratio"] = first[0]["p99_ms"] / first[1]["p99_ms"] if all(first) else None
    return result


async def lifecycle_mode(args: argparse.Namespace, results: dict[str, Any]) -> None:
    for db in args.dbs:
        with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
            folder = Path(tmp)
            with database(db, folder) as url:
                print(f"\n{db}: starting the dev server, 2 workers, 2 APIs …", flush=True)
                async with (
                    stack(url, folder, SIDES, args.temporal_db == "file") as st,
                    contextlib.AsyncExitStack() as exits,
                ):
                    https = {
                        name: await exits.enter_async_context(api_client(side))
                        for name, side in st.sides.items()
                    }
                    warm = min(args.n, args.warmup)
                    for name, side in st.sides.items():
                        batch = await run_batch(st, https[name], side, warm, min(args.concurrency))
                        print(
                            f"  warm-up {name}: {batch.rate:.2f} lifecycles/s"
                            + (f", errors: {batch.errors[:2]}" if batch.errors else ""),
                            flush=True,
                        )
                    for concurrency in args.concurrency:
                        print(f"  concurrency {concurrency}", flush=True)
                        level = await run_level(
                            st, https, args.n, args.rounds, concurrency, _profiler(args, db)
                        )
                        level["db"] = db
                        results["lifecycle"].append(level)
                        print_level(db, level, args.rounds)


def _profiler(
    args: argparse.Namespace, db: str
) -> Callable[[Side], ContextManager[None] | None]:
    """With `--profile DIR`: py-spy on the product's worker and API during its batches."""

    def sample(side: Side) -> ContextManager[None] | None:
        if args.profile is None or side.driver.name != product.NAME:
            return None
        procs = {"worker": side.worker, "api": side.api}
        return profile.sampling(args.profile, db, procs)

    return sample

"""Whole lifecycles per second through the API, against a bare workflow of the same shape
(not a test).

    .venv/bin/python bench/lifecycle_bench.py --quick          # smoke: SQLite, 10, < 1 min
    .venv/bin/python bench/lifecycle_bench.py [--db sqlite|postgresql|both] [--n 100]
        [--rounds 3] [--concurrency 20,50] [--json results.json]
    .venv/bin/python bench/lifecycle_bench.py --rss [--db sqlite] [--rss-levels 2000,10000]
    .venv/bin/python bench/lifecycle_bench.py ... --profile DIR   # py-spy of the product

For each database (SQLite in a temporary file; PostgreSQL in a fresh database `bench_lifecycle_*`
on 127.0.0.1:5432 that is dropped afterwards) it starts, on free loopback ports, a Temporal dev
server (its own file, headless, every search attribute registered) and two sides, each as two
separate processes as `devstack.py` runs them:

- product: `worker.py` and `uvicorn api.app:app`; a lifecycle is the intake (`POST
  /v1/service-requests`, an `Idempotency-Key`, `force_new`, severity 1, alternately C001's
  SN-1001 and C002's SN-1002) and seven actions with the right keys: acknowledge, diagnose
  needs_onsite (support), assign (dispatcher, auto-assign), check-in and report-repair (the
  assigned engineer's own key), sign (the customer's own key, typed), record-revisit
  (revisit). The last answer must say `completed`, and one request per batch is read back
  with `GET` and must be `completed`;
- bare: `bench/lifecycle/bare_workflow.py` — a workflow with seven updates, each running one
  activity that inserts one row into the same database — served by
  `bench/lifecycle/bare_serve.py`: its worker configured like `worker.py` and a FastAPI app on
  uvicorn of the same HTTP shape (start, then `POST /{id}/{action}`), driven with the same
  bodies.

Rounds are interleaved (product then bare, bare then product in the next round, …) after one
warm-up batch of each side. Each batch runs N lifecycles with C of them in flight at once
(each lifecycle's calls one after the other). What is printed, per database and C:

- lifecycles/s: N / the batch's wall time, median over rounds; `ratio` is product / bare;
- latency p50 / p95 / p99 (ms) of each call over every round: intake vs the bare start, each
  action vs its update;
- events, history bytes (the events' protobuf size), activities and workflow tasks per
  lifecycle: mean over a sample of closed workflows of the last round, from their histories;
- CPU ms per lifecycle of the side's worker, of its API process and of the (shared) Temporal
  server, from /proc/<pid>/stat over each batch (only one side runs at a time), median over
  rounds.

`--rss` registers requests only (intake, severity 3: its first escalation is 90 minutes out,
after the run) through the product's API at concurrency 50 until 2,000, then 10,000 are
open, and reports at each level: the intake rate and latency, the worker's VmRSS (and its
peak, VmHWM) from /proc/<pid>/status, and the backlog: how many requests had not been taken
up by the worker when the last intake answered, and how long after it the last one was. A
request is taken up when its read-model row exists (`service_requests`): its workflow's first
workflow task has run and the `record_events` activity of that task has committed.

The goals of the issue are printed against each figure (a same-run ratio: the machine is
shared and the absolute numbers are noisy); `--json PATH` writes every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lifecycle import bare_serve, profile
from lifecycle.report import write_json
from lifecycle.rounds import lifecycle_mode
from lifecycle.rss import rss_mode


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--n", type=int, default=100, help="lifecycles per batch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="20,50", help="comma-separated, e.g. 20,50")
    parser.add_argument("--warmup", type=int, default=20, help="lifecycles of the warm-up batch")
    parser.add_argument(
        "--temporal-db",
        choices=("file", "memory"),
        default="file",
        help="the dev server's store: a SQLite file as devstack.py runs it, or in memory",
    )
    parser.add_argument("--rss", action="store_true", help="the open-requests RSS run instead")
    parser.add_argument("--rss-levels", default="2000,10000")
    parser.add_argument(
        "--backlog-timeout",
        type=float,
        default=600,
        help="--rss: seconds to wait after the last intake for the backlog to go",
    )
    parser.add_argument("--quick", action="store_true", help="smoke: sqlite, n=10, 1 round, C=10")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the product's worker and API with py-spy into this folder",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.db, args.n, args.rounds, args.concurrency, args.warmup = "sqlite", 10, 1, "10", 5
    args.dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    args.concurrency = [int(c) for c in str(args.concurrency).split(",") if c]
    args.rss_levels = [int(c) for c in str(args.rss_levels).split(",") if c]
    return args


def main(argv: Sequence[str]) -> None:
    if argv and argv[0] in (bare_serve.WORKER, bare_serve.API):
        bare_serve.serve(argv)
        return
    args = parse(argv)
    results: dict[str, Any] = {
        "config": {
            "dbs": args.dbs,
            "n": args.n,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "mode": "rss" if args.rss else "lifecycle",
            "cpus": os.cpu_count(),
        },
        "lifecycle": [],
        "rss": [],
    }
    began = time.perf_counter()
    try:
        asyncio.run(rss_mode(args, results) if args.rss else lifecycle_mode(args, results))
    finally:
        results["seconds"] = time.perf_counter() - began
        if args.profile is not None and args.profile.exists():
            print("where the product's CPU time went (py-spy, share of samples holding the GIL):")
            results["profile"] = profile.report(args.profile)
        if args.json:
            write_json(args.json, results)
    print(f"done in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])

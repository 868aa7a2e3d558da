"""The printed figures, each against the issue's goal where it has one, and the JSON of them
all."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lifecycle import bare, product
from lifecycle.bare_workflow import ACTIONS

SIDES = (product.NAME, bare.NAME)
#: (label, key in a side's history means, format) of the history rows.
HISTORY_ROWS = (
    ("events / lifecycle", "events", "{:.1f}"),
    ("history bytes / lifecycle", "bytes", "{:,.0f}"),
    ("activities / lifecycle", "activities", "{:.1f}"),
    ("workflow tasks / lifecycle", "workflow_tasks", "{:.1f}"),
    ("timers / lifecycle", "timers", "{:.1f}"),
)
CPU_ROWS = (("worker", "worker"), ("API", "api"), ("Temporal server", "temporal"))
#: The concurrency the goal on the first call's p99 is set at.
FIRST_P99_GOAL_CONCURRENCY = 50


def goal(ok: bool | None) -> str:
    return "n/a" if ok is None else "met" if ok else "MISSED"


def percentiles(summary: Mapping[str, float] | None) -> str:
    if not summary:
        return "-"
    return f"{summary['p50_ms']:.0f} / {summary['p95_ms']:.0f} / {summary['p99_ms']:.0f}"


def counted(kinds: Iterable[tuple[str, tuple[float, float]]]) -> str:
    """`kind count (size)` of (kind, (count, bytes)) pairs."""
    return ", ".join(f"{kind} {count:.1f} ({size / 1000:.1f} kB)" for kind, (count, size) in kinds)


def print_level(db: str, level: Mapping[str, Any], rounds: int) -> None:
    p, b = level[product.NAME], level[bare.NAME]
    c, n = level["concurrency"], level["n"]
    print(f"\n== {db}, concurrency {c}: {n} lifecycles × {rounds} rounds per side ==")
    print(f"{'':<30}{'product':>12}{'bare':>12}{'ratio':>9}")
    ratio = level["ratio"]
    print(
        f"{'lifecycles/s (median)':<30}{p['rate_median']:>12.2f}{b['rate_median']:>12.2f}"
        f"{ratio or 0:>9.2f}   goal ≥ 0.80: {goal(None if ratio is None else ratio >= 0.8)}"
    )
    rates = [" ".join(f"{x:.2f}" for x in side["rates"]) for side in (p, b)]
    print(f"{'  each round':<30}product {rates[0]}; bare {rates[1]}")
    for label, key, fmt in HISTORY_ROWS:
        pv, bv = p["history"].get(key, 0.0), b["history"].get(key, 0.0)
        line = f"{label:<30}{fmt.format(pv):>12}{fmt.format(bv):>12}"
        line += f"{pv / bv:>9.2f}" if bv else f"{'':>9}"
        if key == "events":
            line += f"   goal ≤ 1.50: {goal(None if not bv else pv / bv <= 1.5)}"
        print(line)
    for label, key in CPU_ROWS:
        pv = p["cpu_ms_per_lifecycle"][key]
        bv = b["cpu_ms_per_lifecycle"][key]
        ratio_text = f"{pv / bv:>9.2f}" if bv else ""
        print(f"{label + ' CPU ms / lifecycle':<30}{pv:>12.1f}{bv:>12.1f}{ratio_text}")
    if p["error_count"] or b["error_count"]:
        print(f"errors: product {p['error_count']}, bare {b['error_count']}")
        for error in (p["errors"] + b["errors"])[:5]:
            print(f"  {error}")
    print(f"{'latency ms (p50 / p95 / p99)':<30}{'product':>24}   {'bare':>24}")
    steps = [(f"{product.INTAKE} | {bare.START}", product.INTAKE, bare.START)]
    steps += [(a, a, a) for a in ACTIONS]
    for label, pk, bk in steps:
        text_p = percentiles(p["latency"].get(pk))
        text_b = percentiles(b["latency"].get(bk))
        print(f"  {label:<28}{text_p:>24}   {text_b:>24}")
    for side in SIDES:
        kinds = level[side]["history_activity_types"]
        print(f"{side} activities / lifecycle (input): {counted(kinds.items())}")
        top = list(level[side]["history_event_types"].items())[:4]
        print(f"{side} events by bytes / lifecycle: {counted(top)}")
    first_ratio = level["first_p99_ratio"]
    if first_ratio is not None:
        met = (
            goal(first_ratio <= 1.5)
            if c == FIRST_P99_GOAL_CONCURRENCY
            else f"n/a (goal is at concurrency {FIRST_P99_GOAL_CONCURRENCY})"
        )
        print(f"intake p99 / start p99: {first_ratio:.2f}   goal ≤ 1.50: {met}")


def print_rss_level(result: Mapping[str, Any]) -> None:
    q = result["intake_latency"].get(product.INTAKE, {})
    rss, hwm = result["worker_rss_mb"], result["worker_hwm_mb"]
    left_at_last, left = result["backlog_at_last_intake"], result["backlog_left"]
    taken_up = result["backlog_gone_s"]
    print(
        f"  {result['open_requests']:>6,} open: intake {result['intake_rate']:.1f}/s "
        f"(p50/p95/p99 {q.get('p50_ms', 0):.0f}/{q.get('p95_ms', 0):.0f}/"
        f"{q.get('p99_ms', 0):.0f} ms, {result['errors']} errors); "
        f"worker VmRSS {rss:.0f} MiB (HWM {hwm:.0f})   goal < 1024 MiB: {goal(hwm < 1024)}\n"
        f"          backlog at the last intake {left_at_last}, gone {taken_up:.1f} s after it "
        f"(left {left}; {(left_at_last - left) / max(taken_up, 1e-9):.1f}/s taken up meanwhile)"
        f"   goal ≤ 30 s: {goal(left == 0 and taken_up <= 30)}; "
        f"worker CPU {result['worker_cpu_ms_per_intake']:.1f} ms / intake; "
        f"Temporal server VmRSS {result['temporal_rss_mb']:.0f} MiB",
        flush=True,
    )


def write_json(path: Path, results: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults written to {path}")

"""The staff web app's desks against the JSON list they are drawn from (not a test): the
same open requests, served by the same process, timed in the same run.

    .venv/bin/python bench/pages_bench.py [--open 2000] [--rounds 15]

Creates a scratch SQLite database, loads the demo archive, registers `--open` requests
through the intake reservation and records each through the recording activity (as a
workflow's first record: timeline, clocks, plans, read model): a third each registered,
diagnosing and awaiting dispatch, a tenth breached.
Serves the app and times, median of `--rounds` after one warm-up, each page signed in with a
cookie as its person would be:

- baseline: `GET /v1/service-requests?page_size=200` (the list's 200 rows as JSON);
- `GET /app` (the supervisor's board: 200 rows, counts, loads, complaints, refusals);
- `GET /app/support` (200 job cards, each with its action forms);
- `GET /app/dispatch` (the queue with each request's qualified engineers, the crew).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activities.records import RecordActivities
from config import Settings
from db.demo import create_demo_keys, load_demo
from db.session import create_schema, make_engine, session_factory, transaction
from intake.reservation import reserve
from models.activity_io import RecordRequest
from models.intake import IntakeRequest
from models.lifecycle import Stage
from models.state import ServiceRequestState, TimelineEvent
from notifications.delivery import Delivery
from notifications.senders import LogSender
from tests.conftest import serve

ASSETS = (("C001", "SN-1001"), ("C002", "SN-1002"), ("C003", "SN-1003"))


def fill(settings: Settings, count: int) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        load_demo(session)
        keys = create_demo_keys(session)
    records = RecordActivities(sessions, Delivery(sessions, settings, LogSender()))
    now = datetime.now(UTC)
    for n in range(count):
        customer, serial = ASSETS[n % len(ASSETS)]
        body = IntakeRequest(
            channel="phone",
            customer_id=customer,
            asset_serial=serial,
            severity=1 + n % 4,
            fault_code="NO_PICTURE",
            description=f"bench request {n}",
            force_new=True,
        )
        reported = now - timedelta(minutes=n % 600)
        start, _ = reserve(sessions, body, None, settings.timezone, now=reported)
        state = ServiceRequestState.registered(start)
        # a third each registered, diagnosing and awaiting dispatch: every desk has its 200
        state.stage = (Stage.REGISTERED, Stage.DIAGNOSING, Stage.AWAITING_DISPATCH)[n % 3]
        if n % 10 == 0:
            state.breaches = ["response"]
        state.version = 1
        event = TimelineEvent(
            seq=1, kind="registered", at=reported, actor="bench", stage=Stage.REGISTERED
        )
        records.record_events(RecordRequest(events=[event], state=state))
    engine.dispose()
    return keys


async def timed(http: httpx.AsyncClient, rounds: int, path: str) -> float:
    assert (await http.get(path)).status_code == 200
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        answer = await http.get(path)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text[:200]
    return statistics.median(times)


async def signed_in(url: str, key: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=120)
    assert (await client.post("/app/sign-in", data={"key": key})).status_code == 303
    return client


async def measure(settings: Settings, keys: dict[str, str], rounds: int, count: int) -> None:
    async with serve(settings, None) as url:
        supervisor = await signed_in(url, keys["supervisor"])
        support = await signed_in(url, keys["support"])
        dispatcher = await signed_in(url, keys["dispatcher"])
        try:
            bare = await timed(supervisor, rounds, "/v1/service-requests?page_size=200")
            board = await timed(supervisor, rounds, "/app")
            queue = await timed(support, rounds, "/app/support")
            crew = await timed(dispatcher, rounds, "/app/dispatch")
        finally:
            for client in (supervisor, support, dispatcher):
                await client.aclose()
    print(f"open requests in the database: {count:,}")
    print(f"baseline: GET /v1/service-requests?page_size=200  {bare * 1000:8.1f} ms")
    for name, value in (
        ("GET /app (board)", board),
        ("GET /app/support (queue)", queue),
        ("GET /app/dispatch (board)", crew),
    ):
        print(f"{name:<40}  {value * 1000:8.1f} ms  ({value / bare:.2f}× baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = replace(
            Settings.from_env(),
            database_url=f"sqlite:///{scratch}/pages.db",
            demo_keys_path=Path(scratch) / "keys.json",
        )
        started = time.perf_counter()
        keys = fill(settings, args.open)
        print(f"filled in {time.perf_counter() - started:.0f} s")
        asyncio.run(measure(settings, keys, args.rounds, args.open))


if __name__ == "__main__":
    main()

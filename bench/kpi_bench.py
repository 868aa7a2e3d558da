"""KPI and what-if speed (not a test): 100,000 finished requests with their timelines in
PostgreSQL, over the API.

    .venv/bin/python bench/kpi_bench.py [--url postgresql+psycopg2://postgres@127.0.0.1/postgres]
                                        [--copies 60] [--rounds 5]

Creates a scratch database next to `--url` (dropped afterwards), records the demo's eight
weeks of history (`db.demo_history`, through the recording activity), then copies it in SQL
into a year: the eight weeks at seven offsets back in time, each request `--copies` times
(minutes apart, spread over 48 engineers), timeline, clocks, revisits and complaints with it.
Serves the API on it and times, median of `--rounds` after one warm-up:

- `GET /v1/kpis` for the last month grouped by engineer (goal < 1 s);
- `GET /v1/kpis` for the year grouped by month (goal < 3 s);
- `POST /v1/sla/what-if` over about 10,000 requests (goal < 10 s);

and, as the baseline measured in the same run, a bare `count(*)` of the month's requests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activities.records import RecordActivities
from config import Settings
from db.demo import load_demo
from db.demo_history import WEEKS, load_history
from db.session import create_schema, make_engine, session_factory, transaction
from db.tables import Engineer, ServiceRequestRow
from identity.keys import create_api_key
from kpi.periods import Period
from models.lifecycle import Role
from notifications.delivery import Delivery
from notifications.senders import LogSender
from tests.conftest import serve

TZ = "Asia/Shanghai"
TODAY = date(2026, 12, 2)
CYCLES = 7  # 7 × 8 weeks ≈ a year
ENGINEERS = 48
MONTH = Period(TODAY - timedelta(days=31), TODAY - timedelta(days=1), TZ)
WHAT_IF = Period(TODAY - timedelta(days=45), TODAY - timedelta(days=1), TZ)
SHIFT = "((%(cycle)s * 56) || ' days')::interval + ((%(copy)s * 7) || ' minutes')::interval"
TIMES = {
    "service_requests": ("reported_at", "registered_at", "closed_at", "next_deadline",
                         "rework_until", "updated_at"),
    "timeline_events": ("at",),
    "request_clocks": ("started_at", "due", "met_at", "ended_at"),
    "revisit_calls": ("closed_at", "due", "answered_at", "updated_at"),
    "complaints": ("opened_at", "respond_by", "responded_at", "breached_at", "updated_at"),
}  # fmt: skip
#: The column naming the request, and the key to make unique, in each table.
#: Each copy is of another unit of equipment (`asset_serial`): a copy of one asset's request
#: is not a repeat repair of it.
KEYS = {
    "service_requests": ("number", ("number", "workflow_id", "asset_serial", "repeats")),
    "timeline_events": ("number", ("number",)),
    "request_clocks": ("number", ("number",)),
    "revisit_calls": ("number", ("number", "id", "workflow_id", "asset_serial")),
    "complaints": ("about", ("about", "number", "workflow_id", "asset_serial")),
}
ENGINEER_COLUMNS = {"service_requests": "engineer_id", "request_clocks": "engineer_id",
                    "revisit_calls": "engineer"}  # fmt: skip


def multiply(engine: Engine, copies: int) -> int:
    """Copy the recorded weeks into a year; how many requests there are then."""
    with engine.begin() as connection:
        for table, (_, keys) in KEYS.items():
            columns = [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = :t ORDER BY ordinal_position"
                    ),
                    {"t": table},
                )
                if row[0] != "id" or table != "timeline_events"
            ]
            chosen = []
            for column in columns:
                if column in keys:
                    chosen.append(f"{column} || '-' || %(cycle)s || '-' || %(copy)s")
                elif column in TIMES[table]:
                    chosen.append(f"{column} - {SHIFT}")
                elif column == ENGINEER_COLUMNS.get(table):
                    chosen.append(
                        f"CASE WHEN {column} IS NULL THEN NULL ELSE "
                        f"'EB' || lpad(mod(%(copy)s + %(cycle)s, {ENGINEERS})::text, 2, '0') END"
                    )
                else:
                    chosen.append(column)
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(chosen)} FROM {table} "
                f"WHERE {KEYS[table][0]} NOT LIKE '%%-%%-%%-%%'"
            )
            raw = connection.connection.cursor()
            for cycle in range(CYCLES):
                for copy in range(copies):
                    if (cycle, copy) != (0, 0):  # the originals stand for themselves
                        raw.execute(insert, {"cycle": cycle, "copy": copy})
        total = connection.scalar(select(func.count()).select_from(ServiceRequestRow))
        connection.execute(text("ANALYZE"))
    return int(total or 0)


async def timed(
    http: httpx.AsyncClient, rounds: int, method: str, path: str, json: Any = None
) -> float:
    response = await http.request(method, path, json=json)
    assert response.status_code == 200, response.text[:300]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = await http.request(method, path, json=json)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(times)


async def measure(settings: Settings, key: str, rounds: int, requests: int) -> None:
    month = f"from={TODAY - timedelta(days=31)}&to={TODAY - timedelta(days=1)}"
    year = f"from={TODAY - timedelta(days=365)}&to={TODAY - timedelta(days=1)}"
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:

        def baseline() -> None:
            connection.execute(
                select(func.count()).where(ServiceRequestRow.closed_at >= MONTH.start)
            ).scalar()

        baseline()
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            baseline()
            times.append(time.perf_counter() - start)
        bare = statistics.median(times)
        in_what_if = connection.scalar(
            select(func.count()).where(ServiceRequestRow.reported_at >= WHAT_IF.start)
        )
    engine.dispose()
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        serve(settings, None) as url,
        httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http,
    ):
        by_engineer = await timed(http, rounds, "GET", f"/v1/kpis?{month}&group_by=engineer")
        by_month = await timed(http, rounds, "GET", f"/v1/kpis?{year}&group_by=month")
        body = {"from": str(TODAY - timedelta(days=45)), "to": str(TODAY - timedelta(days=1))}
        what_if = await timed(
            http,
            max(1, rounds // 2),
            "POST",
            "/v1/sla/what-if",
            json=body | {"profile_name": "standard"},
        )
    print(f"requests in the database: {requests:,}")
    print(f"baseline: count(*) of a month's requests        {bare * 1000:8.1f} ms")
    print(
        f"GET /v1/kpis, a month by engineer (goal < 1 s)  {by_engineer * 1000:8.1f} ms  "
        f"({by_engineer / bare:,.0f}× baseline)"
    )
    print(
        f"GET /v1/kpis, a year by month (goal < 3 s)      {by_month * 1000:8.1f} ms  "
        f"({by_month / bare:,.0f}× baseline)"
    )
    print(f"what-if over {in_what_if:,} requests (goal < 10 s)  {what_if * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--copies", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = make_url(args.url)
    name = f"kpi_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = url.set(database=name).render_as_string(hide_password=False)
    settings = replace(Settings.from_env(), database_url=scratch, timezone=TZ)
    engine = make_engine(scratch)
    try:
        create_schema(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            load_demo(session)
            session.add_all(
                Engineer(
                    id=f"EB{n:02d}", name=f"工程师{n:02d}", skills=["camera"], regions=["jinan"]
                )
                for n in range(ENGINEERS)
            )
            key = create_api_key(session, Role.SUPERVISOR, "bench").key
        records = RecordActivities(sessions, Delivery(sessions, settings, LogSender()), timezone=TZ)
        start = time.perf_counter()
        made = load_history(sessions, TZ, TODAY, records.record_events)
        print(f"recorded {made} requests of {WEEKS} weeks in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        requests = multiply(engine, args.copies)
        print(f"copied into a year in {time.perf_counter() - start:.1f} s")
        asyncio.run(measure(settings, key, args.rounds, requests))
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


if __name__ == "__main__":
    main()

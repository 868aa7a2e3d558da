"""The processes under test: a fresh database, a Temporal dev server and each side's worker
and API as separate processes on free loopback ports, and their CPU time and memory from
/proc."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

import devstack
from db.session import make_engine
from lifecycle.driver import HOST, Driver, Endpoints
from models.search_attributes import dev_server_flags

TEMPORAL = devstack.temporal_binary()
PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
HTTP_TIMEOUT_S = 60.0
#: Below uvicorn's 5 s keep-alive: the client drops an idle connection before the server does,
#: so that no request is sent on a connection the server is closing.
LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=200, keepalive_expiry=2.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[str]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process (its threads included)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MiB."""
        values: dict[str, float] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]

    def check(self) -> None:
        if self.popen.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited ({self.popen.returncode}); log:\n{tail}")


def spawn(name: str, cmd: Sequence[str], env: Mapping[str, str], logs: Path) -> Proc:
    log = logs / f"{name}.log"
    with log.open("w", encoding="utf-8") as out:
        popen = devstack.spawn(cmd, env, out)  # the children as `make run` starts them
    return Proc(name, popen, log)


def stop(proc: Proc) -> None:
    if proc.popen.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.popen.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.popen.wait()


async def wait_for(what: str, ready: Callable[[], Awaitable[bool]], procs: Sequence[Proc]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        for proc in procs:
            proc.check()
        with contextlib.suppress(Exception):
            if await ready():
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not ready after {STARTUP_TIMEOUT_S:.0f} s")
        await asyncio.sleep(0.3)


async def http_ready(url: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as http:
        return (await http.get(f"{url}/healthz")).status_code == 200


@dataclass
class Side:
    driver: Driver
    url: str
    worker: Proc
    api: Proc


def api_client(side: Side) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=side.url, timeout=HTTP_TIMEOUT_S, limits=LIMITS)


@dataclass
class Stack:
    address: str
    temporal: Proc
    client: Client
    sides: dict[str, Side]
    keys: dict[str, str]
    engine: Engine


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    name = f"bench_lifecycle_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_temporal(folder: Path, port: int, temporal_file: bool, logs: Path) -> Proc:
    """Headless, every search attribute registered; its own SQLite file as `devstack.py` runs
    it, or in memory."""
    store = ["--db-filename", str(folder / "temporal.db")] if temporal_file else []
    listen = ["--ip", HOST, "--port", str(port), "--http-port", str(free_port())]
    cmd = [TEMPORAL, "server", "start-dev", *store, *listen, "--headless", "--log-level", "warn"]
    return spawn("temporal", [*cmd, *dev_server_flags()], os.environ, logs)


async def temporal_ready(address: str) -> bool:
    client = await Client.connect(address)
    await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace="default"),
        retry=False,
        timeout=timedelta(seconds=2),
    )
    return True


@contextlib.asynccontextmanager
async def stack(
    url: str, folder: Path, drivers: Sequence[Driver], temporal_file: bool
) -> AsyncIterator[Stack]:
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    engine = make_engine(url)
    keys: dict[str, str] = {}
    for driver in drivers:
        keys |= driver.prepare(engine)
    port = free_port()
    address = f"{HOST}:{port}"
    server = start_temporal(folder, port, temporal_file, logs)
    procs = [server]
    try:
        await wait_for("the Temporal dev server", functools.partial(temporal_ready, address), procs)
        client = await Client.connect(address, data_converter=pydantic_data_converter)
        env = dict(os.environ) | {
            "DATABASE_URL": url,
            "TEMPORAL_ADDRESS": address,
            "TEMPORAL_NAMESPACE": "default",
            "SIGNING_SECRET": "bench-" + uuid.uuid4().hex,
            "NOTIFY_SENDER": "log",
            "PYTHONUNBUFFERED": "1",
        }
        sides: dict[str, Side] = {}
        for driver in drivers:
            at = Endpoints(address, url, f"bench-{driver.name}", free_port())
            side_env = env | {
                "TEMPORAL_TASK_QUEUE": at.task_queue,
                "PUBLIC_BASE_URL": f"http://{HOST}:{at.api_port}",
                # served as `make run` serves it, on a port of its own
                "WORKER_METRICS_ADDRESS": f"{HOST}:{free_port()}",
            }
            worker_cmd, api_cmd = driver.commands(at)
            worker = spawn(f"{driver.name}-worker", worker_cmd, side_env, logs)
            api = spawn(f"{driver.name}-api", api_cmd, side_env, logs)
            procs += [worker, api]
            sides[driver.name] = Side(driver, f"http://{HOST}:{at.api_port}", worker, api)
        for name, side in sides.items():
            await wait_for(f"the {name} API", functools.partial(http_ready, side.url), procs)
        await asyncio.sleep(1.0)  # let the workers' pollers settle
        yield Stack(address, server, client, sides, keys, engine)
    finally:
        for proc in reversed(procs):
            stop(proc)
        engine.dispose()

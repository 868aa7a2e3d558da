"""The README's command-line walk-through, run as written (twice) against the API on the dev
server: every action answers with its new stage, the request completes, and pasting it again
registers a new request rather than answering 409 to every action."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest

from models.lifecycle import Role

ROOT = Path(__file__).parent.parent


def walk_through() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A request from the command line", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def stage(tmp_path: Path, api_keys) -> Path:
    """A directory laid out as the project's (`var/demo-keys.json`, `.venv`, `starter.py`)."""
    (tmp_path / "var").mkdir()
    keys = {role.value: api_keys[role] for role in Role}
    (tmp_path / "var" / "demo-keys.json").write_text(json.dumps(keys), encoding="utf-8")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    (tmp_path / "starter.py").symlink_to(ROOT / "starter.py")
    return tmp_path


async def test_the_walk_through_runs_as_written_and_again(stage: Path, api_url: str):
    script = walk_through()
    assert "Idempotency-Key: CALL-0042" not in script  # a fixed key would answer 409 next time
    script = re.sub(r"^API=\S+", f"API={api_url}/v1/service-requests", script, flags=re.M)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    numbers = []
    for _ in range(2):
        # not subprocess.run: the API under test answers on this test's own event loop
        bash = await asyncio.create_subprocess_exec(
            "bash", "-c", "set -e\n" + script, cwd=stage, env=env, stdout=PIPE, stderr=PIPE
        )
        out, err = await asyncio.wait_for(bash.communicate(), timeout=120)
        stdout = out.decode()
        assert bash.returncode == 0, err.decode()
        lines = [line for line in stdout.splitlines() if line.startswith("SR-")]
        assert len(lines) == 7, stdout  # one readable line per action
        assert "→ completed" in lines[-1], stdout
        assert not [line for line in lines if "409" in line or "may not" in line], stdout
        numbers.append(lines[0].split()[0])
        timeline = json.loads(stdout[stdout.index("\n[") :])
        assert timeline[-1]["data"]["to"] == "completed"
    assert numbers[0] != numbers[1]

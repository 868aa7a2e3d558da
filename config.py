"""One settings object for every entry point (worker, API, starter, manage, devstack).

Configuration comes from the environment so the same code runs on the embedded defaults
(`make run`) and on a cluster (docker-compose, Kubernetes) without edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

ROOT = Path(__file__).resolve().parent
VAR = ROOT / "var"


@dataclass(frozen=True)
class Settings:
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    database_url: str
    timezone: str
    demo_keys_path: Path

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            temporal_address=env.get("TEMPORAL_ADDRESS", "localhost:7233"),
            temporal_namespace=env.get("TEMPORAL_NAMESPACE", "default"),
            task_queue=env.get("TEMPORAL_TASK_QUEUE", "aftersales"),
            database_url=env.get("DATABASE_URL", f"sqlite:///{VAR / 'aftersales.db'}"),
            timezone=env.get("SERVICE_TIMEZONE", "Asia/Shanghai"),
            demo_keys_path=Path(env.get("DEMO_KEYS_PATH", str(VAR / "demo-keys.json"))),
        )


async def connect_temporal(settings: Settings) -> Client:
    """Every client (worker, API, starter) uses the pydantic data converter (SPEC §7)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )

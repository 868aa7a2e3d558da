"""The bare workflow the product is compared with: the same shape as a service request's
lifecycle and nothing else.

A start, then seven Workflow Updates named like the product's actions, each running one
activity that inserts one row into a table of the same database (SQLAlchemy, the engine from
the product's `make_engine`, so the same SQLite pragmas and PostgreSQL pool); the run method
returns once the seventh update is done.

Workflow code uses only temporalio and the standard library; the rest is passed through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from sqlalchemy import (
        JSON,
        Column,
        DateTime,
        Engine,
        Integer,
        MetaData,
        String,
        Table,
        UniqueConstraint,
        insert,
    )

#: The product's seven actions from intake to `completed`, in order (URL spelling).
ACTIONS = (
    "acknowledge",
    "diagnose",
    "assign",
    "check-in",
    "report-repair",
    "sign",
    "record-revisit",
)
_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))

_TABLES: dict[str, Table] = {}


def steps_table() -> Table:
    """The bare side's one table (built on first use: the sandbox re-imports this module for
    every workflow run, which must not pay for it)."""
    if not _TABLES:
        _TABLES["steps"] = Table(
            "bench_bare_steps",
            MetaData(),
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("workflow_id", String(80), nullable=False),
            Column("seq", Integer, nullable=False),
            Column("action", String(40), nullable=False),
            Column("at", DateTime(timezone=True), nullable=False),
            Column("body", JSON, nullable=False),
            UniqueConstraint("workflow_id", "seq"),
        )
    return _TABLES["steps"]


def create_table(engine: Engine) -> None:
    steps_table().metadata.create_all(engine)


@dataclass
class Step:
    workflow_id: str
    seq: int
    action: str
    body: dict[str, Any] = field(default_factory=dict)


class BareActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="bare_insert_step")
    def insert_step(self, step: Step) -> None:
        """One row per update, in its own transaction (as `record_events` writes)."""
        with self._engine.begin() as connection:
            connection.execute(
                insert(steps_table()).values(
                    workflow_id=step.workflow_id,
                    seq=step.seq,
                    action=step.action,
                    at=datetime.now(UTC),
                    body=step.body,
                )
            )


@workflow.defn
class BareLifecycleWorkflow:
    def __init__(self) -> None:
        self.done = 0
        self.state: dict[str, Any] = {"stage": "registered", "done": 0}

    @workflow.run
    async def run(self, start: dict[str, Any]) -> dict[str, Any]:
        self.state["start"] = start
        await workflow.wait_condition(
            lambda: self.done >= len(ACTIONS) and workflow.all_handlers_finished()
        )
        return self.state

    async def _step(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        seq = ACTIONS.index(action) + 1
        await workflow.execute_activity(
            "bare_insert_step",
            Step(workflow.info().workflow_id, seq, action, body),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_RETRY,
        )
        self.done += 1
        self.state["stage"] = action
        self.state["done"] = self.done
        return self.state

    @workflow.update(name="acknowledge")
    async def acknowledge(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("acknowledge", body)

    @workflow.update(name="diagnose")
    async def diagnose(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("diagnose", body)

    @workflow.update(name="assign")
    async def assign(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("assign", body)

    @workflow.update(name="check-in")
    async def check_in(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("check-in", body)

    @workflow.update(name="report-repair")
    async def report_repair(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("report-repair", body)

    @workflow.update(name="sign")
    async def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("sign", body)

    @workflow.update(name="record-revisit")
    async def record_revisit(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._step("record-revisit", body)

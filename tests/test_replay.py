"""Replay safety (SPEC §7): recorded histories replay on the current workflow code.

Deadlines are computed by the `plan_clocks` activity and its results live in history, so the
replay below succeeds even with the SLA engine broken: a change of engine code or calendar
data cannot alter what a running request replays. Code changes that alter the workflow's
commands must go through `workflow.patched`, or these replays fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

import sla.calendar
import sla.deadlines
from workflows.complaint import ComplaintWorkflow
from workflows.revisit_call import RevisitCallWorkflow
from workflows.scheduled import ScheduledServiceWorkflow
from workflows.service_request import ServiceRequestWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
WORKFLOWS = [
    ServiceRequestWorkflow,
    ScheduledServiceWorkflow,
    ComplaintWorkflow,
    RevisitCallWorkflow,
]


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path):
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(load(path))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replay_does_not_depend_on_the_sla_engine(path, monkeypatch):
    def broken(*args, **kwargs):
        raise AssertionError("the SLA engine must not run during a replay")

    monkeypatch.setattr(sla.deadlines, "plan", broken)
    monkeypatch.setattr(sla.deadlines, "elapse", broken)
    monkeypatch.setattr(sla.calendar.BusinessCalendar, "from_spec", broken)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(load(path))


def test_there_is_a_recorded_history():
    assert HISTORIES, "record one with: .venv/bin/python -m tests.histories.record"

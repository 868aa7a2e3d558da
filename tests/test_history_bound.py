"""Bounded history (SPEC §7): a request paused and resumed a thousand times completes, each of
its runs stays under a stated bound (continue-as-new), the history grows linearly with the
cycles, its deadlines are exactly those of its whole pause history, and an action retried
across a continue-as-new is applied once — on the time-skipping server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle

from models.actions import ActionCommand
from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.state import ServiceRequestState
from sla.deadlines import plan
from tests.sla_fixtures import STANDARD
from tests.workflow_helpers import act, owner, start
from workflows.service_request.workflow import EVENT_BUDGET

CYCLES = 1_000
#: What one action and the loop's turn after it add past the budget.
SLACK = 100
#: Every run's history stays under this many bytes, as Temporal counts them (its limits are
#: 10 MB to warn, 50 MB to terminate): the state each commit records is bounded, as the pauses
#: a plan no longer needs are folded into the clocks' checkpoints.
RUN_BYTES = 3_000_000
PAUSE = {"reason": "awaiting_customer"}


@dataclass
class Run:
    run_id: str
    events: int
    size: int
    next_run: str | None


async def runs(client: Client, workflow_id: str, first: str) -> list[Run]:
    """Every run of the workflow, following its continue-as-new chain."""
    found: list[Run] = []
    run_id: str | None = first
    while run_id is not None:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        last = history.events[-1]
        following = last.workflow_execution_continued_as_new_event_attributes
        next_run = following.new_execution_run_id or None
        size = sum(event.ByteSize() for event in history.events)
        found.append(Run(run_id, len(history.events), size, next_run))
        run_id = next_run
    return found


async def describe_run(handle: WorkflowHandle[Any, Any]) -> str:
    """The current run's ID (read raw: the test server's description of a search attribute
    just unset does not decode)."""
    client = handle._client
    described = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    return described.workflow_execution_info.execution.run_id


async def test_a_thousand_pauses_complete_with_every_run_bounded(ts_env, ts_client, intake):
    begun = await start(ts_client, intake(at=await ts_env.get_current_time(), severity=3))
    first_run = begun.result_run_id or ""
    assert first_run
    request = ts_client.get_workflow_handle(begun.id)  # whichever run is current
    support = await owner(request, "support")
    applied: list[tuple[str, str]] = []  # (resume update ID, the run that applied it)
    pauses: list[Interval] = []
    run = first_run
    for cycle in range(CYCLES):
        paused = await request.execute_update(
            "pause", ActionCommand(actor=support, body=PAUSE), result_type=ServiceRequestState
        )
        await ts_env.sleep(timedelta(minutes=7))
        resume_id = f"resume-{cycle}"
        resumed = await request.execute_update(
            "resume", ActionCommand(actor=support, body={}), id=resume_id,
            result_type=ServiceRequestState,
        )  # fmt: skip
        pauses.append(Interval(start=paused.pauses[-1].start, end=resumed.pauses[-1].end))
        assert len(resumed.pauses) <= 21, "the state shows a bounded number of pauses"
        # A run continues as new in the loop's turn after an action: a resume that found the
        # run the pause went to was applied there (the pause's own turn came first).
        if cycle % 10 == 0:
            now = await describe_run(request)
            if now == run:
                applied.append((resume_id, run))
            run = now

    # A resume applied in the run before the current one, retried (same update ID) while the
    # request is paused again, is answered without resuming it: Temporal deduplicates within a
    # run only, the carry-over remembers across.
    current = await describe_run(request)
    earlier = [update for update, run in applied if run != current]
    assert earlier, "the request never continued as new"
    await act(request, "pause", "support", PAUSE)
    again = await request.execute_update(
        "resume", ActionCommand(actor=support, body={}), id=earlier[-1],
        result_type=ServiceRequestState,
    )  # fmt: skip
    assert again.paused, "a retried update was applied a second time"
    state = await act(request, "resume", "support")

    # Deadlines: exactly those of the whole pause history.
    whole = plan(
        ClockPlanRequest(
            profile=STANDARD,
            severity=state.severity,
            region=state.region,
            starts={ClockName.RESOLUTION: state.clocks[ClockName.RESOLUTION].started_at},
            pauses=[*pauses, *(Interval(start=p.start, end=p.end) for p in state.pauses[-1:])],
        )
    )
    assert state.clocks[ClockName.RESOLUTION].due == whole.due[ClockName.RESOLUTION]

    for action, role, body in (
        ("acknowledge", "support", {}),
        ("diagnose", "support", {"outcome": "resolved_remotely", "notes": "restarted"}),
        ("sign", "customer", {"signer": "x", "typed_name": "x", "quality": 5, "attitude": 5}),
        ("record_revisit", "revisit", {"satisfaction": 5, "solved": True, "attitude": 5}),
    ):
        state = await act(request, action, role, body)
    assert state.stage == "completed"
    assert (await request.result())["stage"] == "completed"

    chain = await runs(ts_client, request.id, first_run)
    assert len(chain) > 5
    for each in chain:
        assert each.events <= EVENT_BUDGET + SLACK, each
        assert each.size <= RUN_BYTES, each
    # Linear: the runs of the later cycles are no bigger than those of the earlier ones.
    full = chain[:-1]
    half = len(full) // 2
    early = sum(r.size for r in full[:half]) / half
    late = sum(r.size for r in full[half:]) / (len(full) - half)
    assert late <= early * 1.2, (early, late)
    print(json.dumps({"runs": len(chain), "events": [r.events for r in chain],
                      "bytes": [r.size for r in chain]}))  # fmt: skip

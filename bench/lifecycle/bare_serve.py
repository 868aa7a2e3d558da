"""The bare side's two processes, served like the product's: a worker configured as
`worker.py` configures the product's (its own task queue), and a FastAPI app on uvicorn with
the product's HTTP shape, `POST /v1/bare` (start, 201) and `POST /v1/bare/{id}/{action}`
(update, 200 with the state)."""

from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from db.session import make_engine
from lifecycle.bare_workflow import ACTIONS, BareActivities, BareLifecycleWorkflow
from lifecycle.driver import HOST
from worker import ACTIVITY_THREADS, RUNNER

WORKER, API = "_bare-worker", "_bare-api"


async def connect(address: str) -> Client:
    return await Client.connect(address, data_converter=pydantic_data_converter)


async def run_worker(address: str, database_url: str, task_queue: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    client = await connect(address)
    activities = BareActivities(make_engine(database_url))
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[BareLifecycleWorkflow],
        activities=[activities.insert_step],
        workflow_runner=RUNNER,
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS),
        max_concurrent_activities=ACTIVITY_THREADS,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logging.info("bare worker polling %s on %s", task_queue, address)
    async with worker:
        await stop.wait()


def create_app(address: str, task_queue: str) -> FastAPI:
    """The product's HTTP shape: start answers 201 with the id, an action 200 with the state."""
    app = FastAPI(title="bare lifecycle")
    clients: list[Client] = []
    connecting = asyncio.Lock()

    async def temporal() -> Client:
        async with connecting:
            if not clients:
                clients.append(await connect(address))
        return clients[0]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        await temporal()
        return {"status": "ok"}

    @app.post("/v1/bare", status_code=201)
    async def start(body: dict[str, Any]) -> dict[str, Any]:
        number = f"bare-{uuid.uuid4().hex}"
        await (await temporal()).start_workflow(
            BareLifecycleWorkflow.run,
            body,
            id=number,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        return {"number": number, "workflow_id": number, "stage": "registered"}

    @app.post("/v1/bare/{number}/{action}", response_model=None)
    async def act(number: str, action: str, body: dict[str, Any]) -> Any:
        if action not in ACTIONS:
            return JSONResponse({"detail": f"no action {action!r}"}, 404)
        handle = (await temporal()).get_workflow_handle(number)
        try:
            async with asyncio.timeout(30):
                return await handle.execute_update(action, body, result_type=dict)
        except (WorkflowUpdateFailedError, TimeoutError) as exc:
            return JSONResponse({"detail": f"{type(exc).__name__}: {exc}"}, 503)

    return app


def serve(argv: Sequence[str]) -> None:
    """`_bare-worker ADDRESS URL QUEUE` or `_bare-api ADDRESS QUEUE PORT` (uvicorn with the
    defaults of the `uvicorn` command, as the product's API runs)."""
    if argv[0] == WORKER:
        asyncio.run(run_worker(argv[1], argv[2], argv[3]))
    else:
        uvicorn.run(create_app(argv[1], argv[2]), host=HOST, port=int(argv[3]))

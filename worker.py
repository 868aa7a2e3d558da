"""Runs the Temporal worker for the `aftersales` task queue (configuration from the environment)."""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.analysis import AnalysisActivities
from activities.complaints import ComplaintActivities
from activities.dispatch import DispatchActivities
from activities.end_of_warranty import EndOfWarrantyActivities
from activities.loaners import LoanerActivities
from activities.notifications import NotificationActivities
from activities.records import RecordActivities
from activities.scheduled import ScheduledActivities
from activities.signing import SigningActivities
from activities.sla import SlaActivities
from config import Settings, connect_temporal, metrics_runtime
from db.profiles import ProfileVersions
from db.session import SessionFactory, make_engine, session_factory
from notifications.delivery import Delivery
from notifications.relay import OutboxRelay
from workflows.analysis_report import AnalysisReportWorkflow
from workflows.complaint import ComplaintWorkflow
from workflows.end_of_warranty import EndOfWarrantyInspectionsWorkflow
from workflows.revisit_call import RevisitCallWorkflow
from workflows.scheduled import ScheduledServiceWorkflow
from workflows.service_request import ServiceRequestWorkflow

#: Activities are synchronous database work; they run on this many threads.
ACTIVITY_THREADS = 16
#: Workflows run without the sandbox. It re-ran each activation's code through its import and
#: builtins guards (12 % of the worker's CPU under load, after the workflow modules were
#: already passed through it, which left it nothing of ours to guard); what it would catch —
#: a clock, randomness, I/O, a module global written — tests/test_layers.py refuses in every
#: module a workflow runs (`workflows/`, `models/`, `sla/`), and tests/test_replay.py replays
#: every recorded history inside the sandbox, where it would still fail.
RUNNER = UnsandboxedWorkflowRunner()


class ServiceWorker:
    """The Temporal worker and the outbox relay beside it, started and stopped together."""

    def __init__(self, worker: Worker, relay: OutboxRelay) -> None:
        self.worker, self.relay = worker, relay
        self._relay_running = ExitStack()

    async def __aenter__(self) -> ServiceWorker:
        self._relay_running.enter_context(self.relay.running())
        try:
            await self.worker.__aenter__()
        except BaseException:
            self._relay_running.close()
            raise
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self.worker.__aexit__(*exc_info)
        finally:
            self._relay_running.close()


def build_worker(client: Client, sessions: SessionFactory, task_queue: str) -> ServiceWorker:
    settings = Settings.from_env()
    relay = OutboxRelay(sessions, Delivery(sessions, settings))
    versions = ProfileVersions(sessions)
    records = RecordActivities(
        sessions, Delivery(sessions, settings), relay, versions, settings.timezone
    )
    dispatch = DispatchActivities(sessions, settings.dispatch_max_open_jobs)
    loaners = LoanerActivities(sessions)
    sla = SlaActivities(sessions, versions)
    notifications = NotificationActivities(sessions, settings)
    complaints = ComplaintActivities(sessions, settings.timezone)
    signing = SigningActivities(sessions, settings.signing_secret, settings.public_base_url)
    scheduled = ScheduledActivities(sessions, client, settings.timezone)
    end_of_warranty = EndOfWarrantyActivities(sessions, client, settings.timezone)
    analysis = AnalysisActivities(
        sessions, Delivery(sessions, settings), relay, settings.public_base_url
    )
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[
            ServiceRequestWorkflow,
            ScheduledServiceWorkflow,
            AnalysisReportWorkflow,
            ComplaintWorkflow,
            RevisitCallWorkflow,
            EndOfWarrantyInspectionsWorkflow,
        ],
        activities=[
            sla.plan_clocks,
            sla.plan_revisit_calls,
            sla.quiet_calendar_release,
            sla.business_instant,
            sla.plan_complaint,
            complaints.open_rework_request,
            records.record_events,
            records.record_complaint,
            records.record_revisit_call,
            dispatch.find_engineer,
            dispatch.auto_assign_engineer,
            loaners.issue_loaner,
            loaners.return_loaner,
            notifications.queue_notification,
            signing.create_signing_link,
            scheduled.next_working_date,
            scheduled.register_inspection,
            scheduled.contract_assets,
            scheduled.prepare_revisit_call,
            end_of_warranty.register_end_of_warranty_inspections,
            analysis.make_analysis_report,
        ],
        workflow_runner=RUNNER,
        activity_executor=ThreadPoolExecutor(ACTIVITY_THREADS),
        max_concurrent_activities=ACTIVITY_THREADS,
    )
    return ServiceWorker(worker, relay)


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    settings = Settings.from_env()
    client = await connect_temporal(settings, metrics_runtime(settings.worker_metrics_address))
    sessions = session_factory(make_engine(settings.database_url))
    worker = build_worker(client, sessions, settings.task_queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logging.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
    if settings.worker_metrics_address:
        logging.info("worker metrics at http://%s/metrics", settings.worker_metrics_address)
    async with worker:
        await stop.wait()
    logging.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(main())

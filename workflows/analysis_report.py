"""`AnalysisReportWorkflow`: one run of a periodic analysis report, started by its Temporal
Schedule (weekly, monthly, half-yearly): the report of the period that ended before the run's
scheduled instant, made once per period by its activity."""

from __future__ import annotations

from temporalio import workflow

from workflows.calls import LONG_TIMEOUT, RETRY, SCHEDULED_START

with workflow.unsafe.imports_passed_through():
    from models.analysis import MAKE_REPORT, WORKFLOW_TYPE, AnalysisRun, ReportRequest


@workflow.defn(name=WORKFLOW_TYPE)
class AnalysisReportWorkflow:
    @workflow.run
    async def run(self, run: AnalysisRun) -> str:
        """The report's ID."""
        at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        report: str = await workflow.execute_activity(
            MAKE_REPORT,
            ReportRequest(kind=run.kind, timezone=run.timezone, at=at),
            result_type=str,
            start_to_close_timeout=LONG_TIMEOUT,
            retry_policy=RETRY,
            summary=f"{run.kind} analysis report",
        )
        return report

"""`EndOfWarrantyInspectionsWorkflow`: the daily run, started by its Temporal Schedule, that
registers the end-of-warranty inspections due that day (`activities.end_of_warranty`)."""

from __future__ import annotations

from temporalio import workflow

from workflows.calls import LONG_TIMEOUT, RETRY, SCHEDULED_START

with workflow.unsafe.imports_passed_through():
    from models.schedules import END_OF_WARRANTY_WORKFLOW, ScheduledActivity


@workflow.defn(name=END_OF_WARRANTY_WORKFLOW)
class EndOfWarrantyInspectionsWorkflow:
    @workflow.run
    async def run(self) -> list[str]:
        """The numbers of the inspections registered by this run."""
        at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        registered: list[str] = await workflow.execute_activity(
            ScheduledActivity.END_OF_WARRANTY,
            at,
            result_type=list[str],
            start_to_close_timeout=LONG_TIMEOUT * 5,  # every asset's warranty is computed
            retry_policy=RETRY,
        )
        return registered

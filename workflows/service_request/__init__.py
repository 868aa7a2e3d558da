"""The service request's workflow (维修服务单), in parts: the Temporal glue (`workflow`), the
building blocks every phase shares (`request`), one module per phase, and the pure parts it
drives (`timeline`, `held_notices`, and `sla.clocks`)."""

from workflows.service_request.workflow import ServiceRequestWorkflow

__all__ = ["ServiceRequestWorkflow"]

"""How a workflow refuses an update: an ApplicationError of one of these types, which the API
maps to a domain error and the API to an HTTP status (gateway/)."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

FORBIDDEN, WRONG_STAGE, INVALID, CONFLICT = "Forbidden", "WrongStage", "InvalidData", "Conflict"
#: Someone else's request, to a customer: answered as if it did not exist.
NOT_FOUND = "NotFound"


def reject(kind: str, message: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)

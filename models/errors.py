"""Domain errors: what a person asked for that cannot be done, and why, in words they
understand. Domain code (intake, the Temporal gateway, schedules, the archive) raises these;
the API maps each kind to its HTTP status (`api/problems.py`), the CLIs print the message.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Protocol


class DomainError(Exception):
    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        #: One `{"field", "reason"}` per bad field, for input that is invalid.
        self.errors = errors


class InvalidInput(DomainError):
    """The input is wrong: each bad field and why."""


class NotFound(DomainError):
    """There is no such thing (or none this person may know of)."""


class NotAllowed(DomainError):
    """This person may not do this."""


class Conflict(DomainError):
    """Not possible in the current state (or a key already used for something else)."""


class Unavailable(DomainError):
    """A service it needs (Temporal, a worker) did not answer; trying again may work."""


def invalid_fields(errors: list[dict[str, str]]) -> InvalidInput:
    """Invalid input naming every bad field; the detail sums up the first few."""
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return InvalidInput(summary or "the request body is not valid", errors=list(errors))


def invalid_field(field: str, reason: str) -> InvalidInput:
    return invalid_fields([{"field": field, "reason": reason}])


class HasErrors(Protocol):
    """pydantic's ValidationError, or FastAPI's RequestValidationError."""

    def errors(self) -> Any: ...


def invalid_model(exc: HasErrors, prefix: str = "") -> InvalidInput:
    return invalid_fields(field_errors(exc, prefix))


#: Validators that check several fields at once name the one at fault before the message
#: ("targets.response.1: unknown calendar 'night'"); that path belongs in `field`.
_LEADING_PATH = re.compile(r"^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*): (.+)$", re.DOTALL)
#: The reason for a body that is not JSON at all (FastAPI hands it on as bytes).
NOT_JSON = "must be a JSON object, sent with Content-Type: application/json"


def field_errors(
    exc: HasErrors,
    prefix: str = "",
    *,
    skip: Collection[str] = (),
    default: str = "body",
) -> list[dict[str, str]]:
    """One `{"field", "reason"}` per problem, `field` being the dotted path in the document.

    `skip` drops location parts a model adds that the document does not write; `default` is
    the field of a problem with the whole document.
    """
    return [_field_error(err, prefix, frozenset(skip), default) for err in exc.errors()]


def _field_error(err: Any, prefix: str, skip: frozenset[str], default: str) -> dict[str, str]:
    location = [str(part) for part in err.get("loc", ()) if part != "body" and part not in skip]
    reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if tuple(err.get("loc", ())) == ("body",) and isinstance(err.get("input"), bytes):
        reason = NOT_JSON
    if len(location) > 1 and location[-1] == "[key]":
        location.pop()
        reason = f"{location[-1]!r} is not a valid key: {reason}"
    lifted = _LEADING_PATH.match(reason)
    if lifted:
        location += lifted[1].split(".")
        reason = lifted[2]
    field = ".".join(location) or prefix or default
    if prefix and location:
        field = f"{prefix}.{field}"
    return {"field": field, "reason": reason}

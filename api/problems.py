"""Errors as `application/problem+json` (RFC 9457) with a message a person understands."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed for this role",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the request's current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(Exception):
    def __init__(
        self, status: int, detail: str, *, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


#: Validators that check several fields at once name the one at fault before the message
#: ("targets.response.1: unknown calendar 'night'"); that path belongs in `field`.
_LEADING_PATH = re.compile(r"^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*): (.+)$", re.DOTALL)


def field_errors(
    exc: ValidationError | RequestValidationError,
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


def unprocessable(errors: list[dict[str, str]]) -> Problem:
    """422 naming every bad field; the detail sums up the first few."""
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return Problem(422, summary or "the request body is not valid", errors=list(errors))


def invalid(exc: ValidationError | RequestValidationError, prefix: str = "") -> Problem:
    return unprocessable(field_errors(exc, prefix))


def problem_response(
    status: int, detail: str, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
    }
    body["detail"] = detail
    if errors:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def _no_nul(request: Request, call_next: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it for every body instead of failing late.
        body = await request.body()
        if b"\\u0000" in body or b"\x00" in body:
            return problem_response(422, "text must not contain NUL characters (\\u0000)")
        return await call_next(request)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problem = invalid(exc)
        return problem_response(422, problem.detail, problem.errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = (
            exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        )
        return problem_response(exc.status_code, detail)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if isinstance(exc, IntegrityError):
            return problem_response(409, "this conflicts with data that already exists")
        if isinstance(exc, DataError):
            return problem_response(422, "a value does not fit the data it is stored in")
        log.warning("database error: %s", exc)
        return problem_response(503, "the database is not reachable right now; try again shortly")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return problem_response(500, "an unexpected error occurred; it has been logged")

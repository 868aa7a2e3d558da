"""Errors as `application/problem+json` (RFC 9457) with a message a person understands."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.serialization import ServiceZoneInstants
from models.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    Unavailable,
    invalid_fields,
    invalid_model,
)

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


#: The HTTP status of each kind of domain error.
STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    NotAllowed: 403,
    Conflict: 409,
    Unavailable: 503,
}


def status_of(error: DomainError | Problem) -> int:
    if isinstance(error, Problem):
        return error.status
    return next(status for kind, status in STATUS.items() if isinstance(error, kind))


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


#: What a RecursionError while reading input means to the person who sent it.
TOO_DEEP = (
    "is nested too deeply to read: lists or objects inside each other hundreds of levels "
    "deep (the documents here need only a few levels)"
)
NUL_TEXT = "must not contain NUL characters (\\u0000)"
#: curl's `-d` sends `application/x-www-form-urlencoded`; no route under this prefix reads a
#: form, so such a body that is a JSON object or list is read as the JSON it is.
JSON_PREFIX = "/v1/"
FORM = "application/x-www-form-urlencoded"


class InputGuard:
    """Bad input answered before any route sees it (pure ASGI, so the body is read once):

    - a NUL character (`%00`) in the path is a 404 (no id, serial or number contains one) and
      in a query value a 422 naming the parameter; in the body (raw, `\\u0000` in JSON, or
      `%00` in a form's fields) a 422. PostgreSQL cannot store NUL in text, so it is refused
      here for every route instead of failing late;
    - a JSON object or list sent without `Content-Type` or as a form (curl's `-d` default)
      to `/v1/…` is read as `application/json`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _nul_in_address(scope)
        if refusal is None:
            body, receive = await _buffered(receive)
            if b"\\u0000" in body or b"\x00" in body or _nul_in_form(scope, body):
                refusal = problem_response(422, f"text {NUL_TEXT}")
            else:
                _json_sent_as_form(scope, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _nul_in_address(scope: Scope) -> JSONResponse | None:
    if "\x00" in scope["path"]:
        shown = scope.get("raw_path", b"").decode("latin-1") or scope["path"].replace("\x00", "%00")
        return problem_response(
            404,
            f"there is nothing at {shown}: no id, serial or number contains a NUL character (%00)",
        )
    query = scope.get("query_string", b"").decode("latin-1")
    bad = sorted(
        {
            name or "query"
            for name, value in parse_qsl(query, keep_blank_values=True)
            if "\x00" in name or "\x00" in value
        }
    )
    if not bad:
        return None
    problem = invalid_fields(
        [{"field": name.replace("\x00", "%00"), "reason": NUL_TEXT} for name in bad]
    )
    return problem_response(422, problem.detail, problem.errors)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a `receive` that hands it on as one message."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            pending: list[Message] = [message]
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
            break

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return b"".join(chunks), replay


def _nul_in_form(scope: Scope, body: bytes) -> bool:
    """A browser's form sends its fields percent-encoded, a NUL as `%00` (JSON sent as a form
    is JSON: `%00` in its text is three characters)."""
    declared = [v for k, v in scope["headers"] if k == b"content-type"]
    form = bool(declared) and declared[0].split(b";")[0].strip().lower() == FORM.encode()
    return form and b"%00" in body and body.lstrip()[:1] not in (b"{", b"[")


def _json_sent_as_form(scope: Scope, body: bytes) -> None:
    if scope["method"] not in ("POST", "PUT", "PATCH") or not scope["path"].startswith(JSON_PREFIX):
        return
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
    declared = [v for k, v in scope["headers"] if k == b"content-type"]
    media = declared[0].split(b";")[0].strip().lower().decode("latin-1") if declared else ""
    if media in ("", FORM) and body.lstrip()[:1] in (b"{", b"["):
        scope["headers"] = [*headers, (b"content-type", b"application/json")]


def _too_deep_problem() -> JSONResponse:
    problem = invalid_fields([{"field": "body", "reason": TOO_DEEP}])
    return problem_response(422, problem.detail, problem.errors)


def install(app: FastAPI) -> None:
    """Bad input and errors as problems, for every route; and, as every answer is read here
    too, its instants in the service time zone (`api/serialization.py`)."""
    app.add_middleware(InputGuard)
    app.add_middleware(ServiceZoneInstants)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.errors)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(status_of(exc), exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problem = invalid_model(exc)
        return problem_response(422, problem.detail, problem.errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, RecursionError):  # FastAPI reading a JSON body
            return _too_deep_problem()
        detail = (
            exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        )
        return problem_response(exc.status_code, detail)

    @app.exception_handler(RecursionError)
    async def _too_deep(_: Request, exc: RecursionError) -> JSONResponse:
        # Only input nested beyond reason drives this code that deep (JSON, YAML, pydantic).
        log.info("input nested too deeply: %s", exc)
        return _too_deep_problem()

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

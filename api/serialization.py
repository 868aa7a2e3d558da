"""Every instant the API answers with is written in the service time zone (`Settings.timezone`,
default Asia/Shanghai: `…+08:00`), whichever offset it was computed or stored with.

The workflows and the database keep UTC (and the SLA engine answers in a calendar's zone);
this is the one place that decides how instants look to the people reading the API. It is an
ASGI middleware over every JSON answer of an API route, guided by the route's response model
(routes without one are read as untyped JSON):

- a field typed as a datetime is converted;
- inside untyped JSON (`dict[str, Any]`: a timeline event's `data`, the KPI documents) every
  string that is an ISO 8601 instant with its offset is converted: the workflows write those
  from datetimes (`due`, `notify_at`, `appointment_at`, …);
- a field typed as text stays as written, even when it looks like an instant: a legacy repair's
  `registered_at` keeps the local date the old system recorded (`models/archive.py`).

Converting changes only the offset, never the instant: `2026-11-20T14:10:00Z` becomes
`2026-11-20T22:10:00+08:00`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import types
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from fastapi.routing import APIRoute
from pydantic import AwareDatetime, BaseModel, FutureDatetime, NaiveDatetime, PastDatetime
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
#: An instant as the API and the workflows write one: date, `T`, time, offset (`Z` or ±hh:mm).
INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$"
)
_UNTYPED = object()
#: pydantic's constrained datetimes are annotations of their own, not datetime subclasses.
_DATETIMES: tuple[Any, ...] = (AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime)


class ServiceZoneInstants:
    """Rewrites the instants of every successful `application/json` answer (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        zone = _service_zone(scope) if scope["type"] == "http" else None
        if zone is None:
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and _is_json_success(message):
                held = message
                return
            if message["type"] != "http.response.body" or held is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _converted(b"".join(chunks), scope.get("route"), zone)
            headers = [(k, v) for k, v in held["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, rewrite)


def _service_zone(scope: Scope) -> tzinfo | None:
    app = scope.get("app")
    ctx = getattr(getattr(app, "state", None), "ctx", None)
    settings = getattr(ctx, "settings", None)
    return ZoneInfo(settings.timezone) if settings is not None else None


def _is_json_success(start: Message) -> bool:
    if not 200 <= start["status"] < 300:
        return False
    for key, value in start.get("headers", []):
        if key.lower() == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


def _converted(body: bytes, route: object, zone: tzinfo) -> bytes:
    if not body or not isinstance(route, APIRoute):  # not an API route: `/openapi.json`
        return body
    annotation = route.response_model
    try:
        document = json.loads(body)
        converted = in_zone(document, annotation or _UNTYPED, zone)
    except Exception:  # never fail an answer over its formatting
        log.exception("could not put the instants of a response in the service time zone")
        return body
    return json.dumps(converted, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ------------------------------------------------------------------ the walk
def in_zone(value: Any, annotation: Any, zone: tzinfo) -> Any:
    """`value` (JSON, as the route's `annotation` describes it) with its instants in `zone`."""
    if value is None:
        return None
    if annotation is _UNTYPED or annotation is Any or isinstance(annotation, str):
        return _untyped(value, zone)
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return in_zone(value, args[0], zone)
    if origin in (Union, types.UnionType):
        return _union(value, [a for a in args if a is not type(None)], zone)
    if origin is Literal:
        return value
    if annotation in _DATETIMES:
        return _instant(value, zone) if isinstance(value, str) else value
    if isinstance(annotation, type):
        if issubclass(annotation, datetime):
            return _instant(value, zone) if isinstance(value, str) else value
        if issubclass(annotation, BaseModel):
            return _model(value, annotation, zone)
        if dataclasses.is_dataclass(annotation):
            return _untyped(value, zone)
    if isinstance(value, list) and origin is not None and _is_sequence(origin):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return [in_zone(v, a, zone) for v, a in zip(value, args, strict=False)]
        item = args[0] if args else _UNTYPED
        return [in_zone(v, item, zone) for v in value]
    if isinstance(value, dict) and origin is not None and _is_mapping(origin):
        item = args[1] if len(args) == 2 else _UNTYPED
        return {k: in_zone(v, item, zone) for k, v in value.items()}
    if origin is None and annotation in (dict, list, object):
        return _untyped(value, zone)
    return value  # text, numbers, dates, enums: as written


def _model(value: Any, model: type[BaseModel], zone: tzinfo) -> Any:
    fields = dict(model.model_fields)
    if "root" in fields and getattr(model, "__pydantic_root_model__", False):
        return in_zone(value, fields["root"].annotation, zone)
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name, info in fields.items():
        key = info.serialization_alias or info.alias or name
        if key in out:
            out[key] = in_zone(out[key], info.annotation, zone)
    for name, computed in model.model_computed_fields.items():
        key = computed.alias or name
        if key in out:
            out[key] = in_zone(out[key], computed.return_type, zone)
    return out


def _union(value: Any, members: list[Any], zone: tzinfo) -> Any:
    if len(members) == 1:
        return in_zone(value, members[0], zone)
    bare = [_bare(m) for m in members]
    if isinstance(value, dict):
        models = [m for m in bare if _is_model(m)]
        chosen = next((m for m in models if _tagged(m, value)), None) or next(
            (m for m in models if _complete(m, value)), None
        )
        return _model(value, chosen, zone) if chosen is not None else value
    if isinstance(value, str) and datetime in bare and str not in bare:
        return _instant(value, zone)
    return value


def _tagged(model: type[BaseModel], value: dict[str, Any]) -> bool:
    """The document carries this member's tag: a literal field (the discriminator) whose value
    is one the member allows."""
    tags = [
        (info.serialization_alias or info.alias or name, get_args(info.annotation))
        for name, info in model.model_fields.items()
        if get_origin(info.annotation) is Literal
    ]
    present = [(key, allowed) for key, allowed in tags if key in value]
    return bool(present) and all(value[key] in allowed for key, allowed in present)


def _complete(model: type[BaseModel], value: dict[str, Any]) -> bool:
    return all(
        (info.serialization_alias or info.alias or name) in value
        for name, info in model.model_fields.items()
        if info.is_required()
    )


def _untyped(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, str):
        return _instant(value, zone) if INSTANT.match(value) else value
    if isinstance(value, list):
        return [_untyped(v, zone) for v in value]
    if isinstance(value, dict):
        return {k: _untyped(v, zone) for k, v in value.items()}
    return value


def _instant(text: str, zone: tzinfo) -> str:
    try:
        instant = datetime.fromisoformat(text)
        if instant.tzinfo is None:
            return text
        return instant.astimezone(zone).isoformat()
    except (ValueError, OverflowError):
        return text


def _bare(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_sequence(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset)


def _is_mapping(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, Mapping)

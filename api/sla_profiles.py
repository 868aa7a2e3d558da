"""`/v1/sla-profiles`: SLA profiles as data (SPEC §3), in JSON or YAML.

Every write stores a new immutable version; running requests carry the version they started
with in their workflow input, so an edit only affects requests registered after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.context import Admin, ArchiveReader, Ctx
from api.problems import TOO_DEEP, Problem
from db.profiles import (
    Format,
    customers_using,
    delete_profile,
    find_version,
    list_profiles,
    parse_profile,
    store_profile,
)
from db.session import transaction
from db.tables import SlaProfileVersion
from models.errors import invalid_fields
from models.profile import SlaProfile, profile_errors

T = TypeVar("T")
router = APIRouter(prefix="/v1/sla-profiles", tags=["SLA profiles"])
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
#: The standard profile is 4 KiB; a body a hundred times larger is a mistake or an attack.
MAX_BODY_BYTES = 512 * 1024


class ProfileSummary(BaseModel):
    name: str
    version: int
    created_at: datetime


class StoredProfile(ProfileSummary):
    profile: Annotated[dict[str, Any], Field(description="the profile document of SPEC §3")]


# ------------------------------------------------------------------ request bodies
def _body_format(request: Request) -> Format:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        return "yaml"
    if media in ("", "application/json") or media.endswith("+json"):
        return "json"
    raise Problem(415, f"send the profile as application/json or application/yaml, not {media}")


async def _profile_body(request: Request) -> SlaProfile:
    """The profile in the request body, or 422 naming every bad field."""
    return read_profile(await request.body(), _body_format(request))


def read_profile(raw: bytes, kind: Format) -> SlaProfile:
    """A profile document (the API's body, or a file the admin page uploads), or 422 naming
    every bad field."""
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, f"a profile is at most {MAX_BODY_BYTES // 1024} KiB")
    try:
        return parse_profile(raw.decode("utf-8"), kind)
    except ValidationError as exc:
        raise invalid_fields(profile_errors(exc)) from None
    except ValueError as exc:  # unparsable, or not UTF-8
        raise invalid_fields([{"field": "body", "reason": str(exc)}]) from None
    except RecursionError:  # `[[[[…]]]]` thousands deep, in JSON or YAML
        raise invalid_fields([{"field": "body", "reason": TOO_DEEP}]) from None


async def keep_profile(ctx: Ctx, profile: SlaProfile) -> StoredProfile:
    """Store the profile: its first version, or a new one (none for an unchanged body)."""
    return await _write(ctx, lambda session: _save(session, profile))


def _inline_refs(schema: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `$ref` replaced by its definition: an operation's inline schema
    cannot point into `$defs` (OpenAPI resolves references from the document's root)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _inline_refs(defs[ref.rsplit("/", 1)[-1]], defs)
        return {key: _inline_refs(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline_refs(item, defs) for item in schema]
    return schema


def _profile_schema() -> dict[str, Any]:
    schema = SlaProfile.model_json_schema()
    return dict(_inline_refs(schema, schema.pop("$defs", {})))


_PROFILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _profile_schema()},
            "application/yaml": {"schema": {"type": "string", "description": "the same in YAML"}},
        },
    }
}


# ------------------------------------------------------------------ database work
def _stored(row: SlaProfileVersion) -> StoredProfile:
    return StoredProfile(
        name=row.name, version=row.version, created_at=row.created_at, profile=row.body
    )


def _existing(session: Session, name: str, version: int | None = None) -> SlaProfileVersion:
    row = find_version(session, name, version)
    if row is not None:
        return row
    if version is not None and find_version(session, name) is not None:
        raise Problem(404, f"SLA profile {name!r} has no version {version}")
    raise Problem(404, f"there is no SLA profile {name!r}")


async def _write(ctx: Ctx, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; two writers storing the same version meet in the
    primary key, and the later one is told to retry."""

    def run() -> T:
        with transaction(ctx.sessions) as session:
            return work(session)

    try:
        return await ctx.db(run)
    except IntegrityError:
        raise Problem(
            409, "the profile was changed by someone else at the same moment; try again"
        ) from None


def _save(session: Session, profile: SlaProfile) -> StoredProfile:
    version = store_profile(session, profile)
    return _stored(_existing(session, profile.name, version))


# ------------------------------------------------------------------ routes
@router.get("", response_model=list[ProfileSummary])
async def list_all(ctx: Ctx, _: ArchiveReader) -> list[ProfileSummary]:
    """The latest version of every profile."""

    def load() -> list[ProfileSummary]:
        with ctx.sessions() as session:
            return [
                ProfileSummary(name=r.name, version=r.version, created_at=r.created_at)
                for r in list_profiles(session)
            ]

    return await ctx.db(load)


@router.get("/{name}", response_model=StoredProfile)
async def get_profile(
    name: str, ctx: Ctx, _: ArchiveReader, version: Annotated[int | None, Query(ge=1)] = None
) -> StoredProfile:
    """The latest version of the profile, or the one given by `version`."""

    def load() -> StoredProfile:
        with ctx.sessions() as session:
            return _stored(_existing(session, name, version))

    return await ctx.db(load)


@router.post("", status_code=201, response_model=StoredProfile, openapi_extra=_PROFILE_BODY)
async def create_profile(request: Request, ctx: Ctx, _: Admin) -> StoredProfile:
    """Create a profile (its first version; after a deleted profile of that name, the next
    number, as numbers are never reused). JSON, or YAML with `Content-Type: application/yaml`."""
    profile = await _profile_body(request)

    def create(session: Session) -> StoredProfile:
        existing = find_version(session, profile.name)
        if existing is not None:
            raise Problem(
                409,
                f"SLA profile {profile.name!r} already exists (version {existing.version}); "
                f"PUT /v1/sla-profiles/{profile.name} stores a new version",
            )
        return _save(session, profile)

    return await _write(ctx, create)


@router.put("/{name}", response_model=StoredProfile, openapi_extra=_PROFILE_BODY)
async def update_profile(name: str, request: Request, ctx: Ctx, _: Admin) -> StoredProfile:
    """Store a new version. Requests already running keep the version they started with;
    a body equal to the latest version stores nothing and returns that version."""
    profile = await _profile_body(request)
    if profile.name != name:
        raise invalid_fields(
            [{"field": "name", "reason": f"is {profile.name!r} but the path names {name!r}"}]
        )

    def update(session: Session) -> StoredProfile:
        _existing(session, name)
        return _save(session, profile)

    return await _write(ctx, update)


@router.delete("/{name}", status_code=204, response_class=Response)
async def remove_profile(name: str, ctx: Ctx, _: Admin) -> Response:
    """Delete every version; refused while a customer names the profile as its default.
    Requests that started on it still run on their version."""

    def remove(session: Session) -> None:
        _existing(session, name)
        users = customers_using(session, name)
        if users:
            shown = ", ".join(users[:10]) + (" …" if len(users) > 10 else "")
            raise Problem(
                409,
                f"SLA profile {name!r} is the profile of {len(users)} customer(s) ({shown}); "
                "give them another profile first",
            )
        delete_profile(session, name)

    await _write(ctx, remove)
    return Response(status_code=204)

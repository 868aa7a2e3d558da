"""`/v1/api-keys`: the admin issues, lists and revokes the keys of persons (SPEC §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.context import Admin, Ctx
from api.problems import Problem
from db.session import transaction
from identity.keys import (
    ApiKeyInfo,
    IssuedKey,
    KeyRejected,
    UnknownKey,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from identity.passwords import set_password
from models.errors import invalid_fields
from models.lifecycle import Role

router = APIRouter(prefix="/v1/api-keys", tags=["API keys"])
Name = Annotated[str, Field(max_length=100)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The name the person signs in to the web app with (lowercase letters, digits, . _ -).
    login: Annotated[str, Field(max_length=64)]
    password: Annotated[str, Field(max_length=400)]


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    #: The person; engineer and customer keys default to the archive's name.
    name: Name = ""
    engineer_id: Id | None = None
    customer_id: Id | None = None
    contact: Name | None = None
    expires_at: AwareDatetime | None = None


@router.post("", status_code=201, response_model=IssuedKey)
async def create(body: NewKey, ctx: Ctx, _: Admin) -> IssuedKey:
    """A key for a person. The response carries the secret `key`, shown this once: only its
    hash is stored."""

    def issue() -> IssuedKey:
        with transaction(ctx.sessions) as session:
            return create_api_key(session, **body.model_dump())

    try:
        return await ctx.db(issue)
    except KeyRejected as exc:
        raise invalid_fields([{"field": exc.field, "reason": exc.reason}]) from None


@router.get("", response_model=list[ApiKeyInfo])
async def list_keys(ctx: Ctx, _: Admin, active: bool = False) -> list[ApiKeyInfo]:
    """Every key with its person and status (`active`, `expired`, `revoked`), never a secret."""

    def load() -> list[ApiKeyInfo]:
        with ctx.sessions() as session:
            keys = list_api_keys(session, include_revoked=not active)
        return [k for k in keys if not active or k.status == "active"]

    return await ctx.db(load)


@router.delete("/{key_id}", response_model=ApiKeyInfo)
async def revoke(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ctx: Ctx, _: Admin
) -> ApiKeyInfo:
    """Revoke a key: it answers 401 from the next request on. Revoking again changes nothing."""

    def run() -> ApiKeyInfo:
        with transaction(ctx.sessions) as session:
            return revoke_api_key(session, key_id)

    try:
        revoked = await ctx.db(run)
    except UnknownKey as exc:
        raise Problem(404, str(exc)) from None
    ctx.keys.forget(key_id)
    return revoked


@router.put("/{key_id}/password", response_model=ApiKeyInfo)
async def set_key_password(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: NewPassword, ctx: Ctx, _: Admin
) -> ApiKeyInfo:
    """Let the key's person sign in to the staff web app with a login and password instead of
    the key (at least 10 characters; kept as scrypt). Setting it again replaces both."""

    def run() -> ApiKeyInfo:
        with transaction(ctx.sessions) as session:
            return set_password(session, key_id, body.login, body.password)

    try:
        return await ctx.db(run)
    except KeyRejected as exc:
        raise invalid_fields([{"field": exc.field, "reason": exc.reason}]) from None
    except UnknownKey as exc:
        raise Problem(404, str(exc)) from None

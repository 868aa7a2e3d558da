"""`/app/admin`: the administrator's pages (系统管理). The archive's customers (with sites and
contacts), assets and engineers listed, created and edited; SLA profiles uploaded as JSON or
YAML, with their versions; API keys and sign-in passwords issued and revoked; contract
schedules. Every save goes through the API route's own function, and its validation messages
are shown next to the fields they name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from api.api_keys import NewKey, NewPassword, set_key_password
from api.api_keys import create as create_key
from api.api_keys import revoke as revoke_key
from api.context import AppContext, Ctx
from api.maintenance import customer_maintenance
from api.price_list import remove_price, set_price
from api.problems import Problem, status_of
from api.schedules import create as create_schedule
from api.schedules import delete as delete_schedule
from api.schedules import list_schedules
from api.schedules import update as update_schedule
from api.sla_profiles import keep_profile, read_profile
from api.web.admin_forms import (
    CUSTOMER,
    ENTITIES,
    KEY_FIELDS,
    PASSWORD_FIELDS,
    PRICE_FIELDS,
    SCHEDULE_FIELDS,
    TIMING_FIELDS,
    Entity,
)
from api.web.forms import Part, flatten, read_form
from api.web.pages import ADMIN, PageRoute, for_roles, render
from db.price_list import price_list
from db.profiles import Format, stored_versions
from db.tables import SlaProfileVersion
from identity.keys import list_api_keys
from identity.web_sessions import SignedIn
from models.archive import AssetView, MaintenanceDue
from models.errors import DomainError, field_errors
from models.fees import PriceKind, PriceView
from models.lifecycle import Role
from models.schedules import ScheduleBody, ScheduleTiming

router = APIRouter(prefix="/app/admin", include_in_schema=False, route_class=PageRoute)
AdminPage = Annotated[SignedIn, Depends(for_roles(Role.ADMIN))]
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass
class Outcome:
    """A form's refusal: its status, the message, and the reasons by field."""

    status: int
    message: str
    errors: dict[str, str]

    @classmethod
    def of(cls, refused: Problem | DomainError, named: Callable[[str], str] = str) -> Outcome:
        """The API's refusal, its fields named as the form names them."""
        errors = {named(e["field"]): e["reason"] for e in refused.errors or []}
        return cls(status_of(refused), refused.detail, errors)


async def _submit(
    parts: Sequence[Part],
    items: list[tuple[str, str]],
    model: type[BaseModel],
    save: Callable[[Any], Awaitable[Any]],
    timezone: str,
    kept: dict[str, Any] | None = None,
) -> tuple[Any, Outcome | None]:
    """Read the form into `model` and save it with the API's function; what went wrong."""
    submitted = read_form(parts, items, timezone)
    try:
        body = model.model_validate(_merged(kept or {}, submitted.body))
    except ValidationError as exc:
        errors = {submitted.form_path(e["field"]): e["reason"] for e in field_errors(exc)}
        return None, Outcome(422, "请检查标出的字段。 Please check the fields marked.", errors)
    try:
        return await save(body), None
    except (Problem, DomainError) as refused:
        return None, Outcome.of(refused, submitted.form_path)


def _merged(kept: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    """What the form sent, over what an edit keeps (nested objects merged)."""
    out = dict(kept)
    for key, value in entered.items():
        inner = out.get(key)
        if isinstance(inner, dict) and isinstance(value, dict):
            out[key] = _merged(inner, value)
        else:
            out[key] = value
    return out


def _kept(stored: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """The stored values at `paths` (`warranty.components`), nested as stored."""
    kept: dict[str, Any] = {}
    for path in paths:
        *outer, last = path.split(".")
        source: Any = stored
        for piece in outer:
            source = source.get(piece, {}) if isinstance(source, dict) else {}
        if isinstance(source, dict) and last in source:
            target = kept
            for piece in outer:
                target = target.setdefault(piece, {})
            target[last] = source[last]
    return kept


async def _items(request: Request) -> list[tuple[str, str]]:
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


# ------------------------------------------------------------------ the overview
async def _overview(
    ctx: AppContext, web: SignedIn, *, status: int = 200, **shown: Any
) -> HTMLResponse:
    def load() -> dict[str, Any]:
        with ctx.sessions() as session:
            profiles: dict[str, list[SlaProfileVersion]] = {}
            for row in stored_versions(session):
                profiles.setdefault(row.name, []).append(row)
            return {
                "keys": list_api_keys(session),
                "profiles": profiles,
                "prices": price_list(session),
            }

    listed = await ctx.db(load)
    records = {name: (await entity.list_all(ctx, web)).items for name, entity in ENTITIES.items()}
    try:
        schedules = await list_schedules(ctx, web.who)
        schedules_error = ""
    except Problem as unavailable:
        schedules, schedules_error = [], unavailable.detail
    values: dict[str, Any] = {
        "entered": {},
        "errors": {},
        "refusal": "",
        "failed": "",
        "issued": None,
    } | shown
    return render(
        ctx,
        web,
        "admin.html",
        status=status,
        here=ADMIN.href,
        entities=ENTITIES,
        records=records,
        schedules=schedules,
        schedules_error=schedules_error,
        key_fields=KEY_FIELDS,
        password_fields=PASSWORD_FIELDS,
        price_fields=PRICE_FIELDS,
        schedule_fields=SCHEDULE_FIELDS,
        timing_fields=TIMING_FIELDS,
        timing_of=lambda schedule: flatten(
            schedule.definition.model_dump(mode="json"), TIMING_FIELDS, ctx.settings.timezone
        ),
        roles=list(Role),
        **listed,
        **values,
    )


async def _refused(
    ctx: AppContext, web: SignedIn, form: str, outcome: Outcome, entered: dict[str, str]
) -> HTMLResponse:
    """The overview again, the refused `form` open with the reasons and what was entered."""
    return await _overview(
        ctx,
        web,
        status=outcome.status,
        failed=form,
        refusal=outcome.message,
        errors=outcome.errors,
        entered=entered,
    )


@router.get("", response_class=HTMLResponse)
async def overview(ctx: Ctx, web: AdminPage, done: str = "") -> HTMLResponse:
    return await _overview(ctx, web, flash=f"已保存 Saved: {done}" if done else "")


# ------------------------------------------------------------------ SLA profiles
@router.post("/profiles")
async def upload_profile(ctx: Ctx, web: AdminPage, request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    text = form.get("document")
    raw = b""
    name = ""
    if isinstance(upload, UploadFile) and upload.filename:
        raw, name = await upload.read(), upload.filename
    elif isinstance(text, str):
        raw = text.encode()
    as_json = raw.lstrip().startswith(b"{") and not name.endswith((".yaml", ".yml"))
    kind: Format = "json" if as_json else "yaml"
    try:
        stored = await keep_profile(ctx, read_profile(raw, kind))
    except (Problem, DomainError) as refused:
        document = {"document": raw.decode("utf-8", "replace")}
        return await _refused(ctx, web, "profile", Outcome.of(refused), document)
    return RedirectResponse(f"{ADMIN.href}?done={stored.name} v{stored.version}#profiles", 303)


# ------------------------------------------------------------------ API keys and passwords
@router.post("/keys")
async def issue_key(ctx: Ctx, web: AdminPage, request: Request) -> Response:
    items = await _items(request)

    async def save(body: Any) -> Any:
        return await create_key(body, ctx, web.who)

    issued, outcome = await _submit(KEY_FIELDS, items, NewKey, save, ctx.settings.timezone)
    if outcome is not None:
        return await _refused(ctx, web, "key", outcome, dict(items))
    page = await _overview(ctx, web, status=201, issued=issued)
    page.headers["Cache-Control"] = "no-store"  # the secret, shown this once
    return page


@router.post("/keys/{key_id}/revoke")
async def revoke(key_id: KeyId, ctx: Ctx, web: AdminPage) -> Response:
    await revoke_key(key_id, ctx, web.who)
    return RedirectResponse(f"{ADMIN.href}?done=key {key_id}#keys", 303)


@router.post("/keys/{key_id}/password")
async def password(key_id: KeyId, ctx: Ctx, web: AdminPage, request: Request) -> Response:
    """Through `PUT /v1/api-keys/{key_id}/password`'s function."""
    items = await _items(request)

    async def save(body: Any) -> Any:
        return await set_key_password(key_id, body, ctx, web.who)

    _, outcome = await _submit(PASSWORD_FIELDS, items, NewPassword, save, ctx.settings.timezone)
    if outcome is not None:
        login = {"login": dict(items).get("login", "")}
        return await _refused(ctx, web, f"password-{key_id}", outcome, login)
    return RedirectResponse(f"{ADMIN.href}?done=password of key {key_id}#keys", 303)


# ------------------------------------------------------------------ the price list
@router.post("/prices")
async def put_price(ctx: Ctx, web: AdminPage, request: Request) -> Response:
    """Through `PUT /v1/price-list/{kind}/{code}`'s function: adds the price or changes it."""
    items = await _items(request)

    async def save(body: PriceView) -> PriceView:
        return await set_price(body.kind, body.code, body, ctx, web.who)

    saved, outcome = await _submit(PRICE_FIELDS, items, PriceView, save, ctx.settings.timezone)
    if outcome is not None:
        return await _refused(ctx, web, "price", outcome, dict(items))
    return RedirectResponse(f"{ADMIN.href}?done={saved.kind} {saved.code}#prices", 303)


@router.post("/prices/{kind}/{code}/delete")
async def delete_price(kind: PriceKind, code: str, ctx: Ctx, web: AdminPage) -> Response:
    await remove_price(kind, code, ctx, web.who)
    return RedirectResponse(f"{ADMIN.href}?done={kind} {code}#prices", 303)


# ------------------------------------------------------------------ contract schedules
@router.post("/schedules")
async def add_schedule(ctx: Ctx, web: AdminPage, request: Request) -> Response:
    items = await _items(request)

    async def save(body: Any) -> Any:
        return await create_schedule(body, ctx, web.who)

    made, outcome = await _submit(SCHEDULE_FIELDS, items, ScheduleBody, save, ctx.settings.timezone)
    if outcome is not None:
        return await _refused(ctx, web, "schedule", outcome, dict(items))
    return RedirectResponse(f"{ADMIN.href}?done={made.id}#schedules", 303)


@router.post("/schedules/{sid}")
async def change_schedule(sid: str, ctx: Ctx, web: AdminPage, request: Request) -> Response:
    """Through `PUT /v1/schedules/{sid}`'s function: the timing and the note."""
    items = await _items(request)

    async def save(body: Any) -> Any:
        return await update_schedule(sid, body, ctx, web.who)

    _, outcome = await _submit(TIMING_FIELDS, items, ScheduleTiming, save, ctx.settings.timezone)
    if outcome is not None:
        return await _refused(ctx, web, f"schedule-{sid}", outcome, dict(items))
    return RedirectResponse(f"{ADMIN.href}?done={sid}#schedules", 303)


@router.post("/schedules/{sid}/delete")
async def remove_schedule(sid: str, ctx: Ctx, web: AdminPage) -> Response:
    await delete_schedule(sid, ctx, web.who)
    return RedirectResponse(f"{ADMIN.href}?done={sid}#schedules", 303)


# ------------------------------------------------------------------ customers, assets, engineers
# Last: `/{kind}` would otherwise take the paths above.
def _entity(kind: str) -> Entity:
    entity = ENTITIES.get(kind)
    if entity is None:
        raise Problem(404, f"there is nothing called {kind!r} to manage here")
    return entity


@router.get("/{kind}/new", response_class=HTMLResponse)
async def new_record(kind: str, ctx: Ctx, web: AdminPage) -> HTMLResponse:
    entity = _entity(kind)
    return _editor(ctx, web, entity, None, dict(entity.blank))


@router.get("/{kind}/{key}", response_class=HTMLResponse)
async def edit_record(kind: str, key: str, ctx: Ctx, web: AdminPage) -> HTMLResponse:
    entity = _entity(kind)
    record = await entity.get(ctx, web, key)
    shown = flatten(record.model_dump(mode="json"), entity.fields, ctx.settings.timezone)
    due = await customer_maintenance(key, ctx, web.who) if entity is CUSTOMER else []
    asset = record if isinstance(record, AssetView) else None
    return _editor(ctx, web, entity, key, shown, maintenance=due, asset=asset)


def _editor(
    ctx: AppContext,
    web: SignedIn,
    entity: Entity,
    key: str | None,
    entered: dict[str, str],
    outcome: Outcome | None = None,
    maintenance: Sequence[MaintenanceDue] = (),
    asset: AssetView | None = None,
) -> HTMLResponse:
    """`asset`: what the archive shows beside an asset's record (replacements, return)."""
    return render(
        ctx,
        web,
        "admin_record.html",
        status=outcome.status if outcome else 200,
        here=ADMIN.href,
        entity=entity,
        key=key,
        entered=entered,
        errors=outcome.errors if outcome else {},
        refusal=outcome.message if outcome else "",
        maintenance=maintenance,
        replacements=[r for r in (asset.replaces, asset.replaced) if r] if asset else [],
        returned=asset.returned if asset else None,
    )


@router.post("/{kind}")
async def create_record(kind: str, request: Request, ctx: Ctx, web: AdminPage) -> Response:
    entity = _entity(kind)
    return await _save_record(ctx, web, entity, None, await _items(request))


@router.post("/{kind}/{key}")
async def replace_record(
    kind: str, key: str, request: Request, ctx: Ctx, web: AdminPage
) -> Response:
    entity = _entity(kind)
    return await _save_record(ctx, web, entity, key, await _items(request))


async def _save_record(
    ctx: AppContext, web: SignedIn, entity: Entity, key: str | None, items: list[tuple[str, str]]
) -> Response:
    """Create (no `key`) or replace the record, keeping what the form does not show."""
    kept: dict[str, Any] = {}
    if key is not None:
        stored = (await entity.get(ctx, web, key)).model_dump(mode="json")
        kept = _kept(stored, entity.kept)

    async def save(body: Any) -> Any:
        if key is None:
            return await entity.create(ctx, web, body)
        return await entity.replace(ctx, web, key, body)

    saved, outcome = await _submit(
        entity.fields, items, entity.model, save, ctx.settings.timezone, kept
    )
    if outcome is not None:
        return _editor(ctx, web, entity, key, dict(items), outcome)
    return RedirectResponse(f"{ADMIN.href}?done={entity.key_of(saved)}#{entity.name}", 303)

"""What every request handler needs: settings, database sessions and the Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.problems import Problem
from config import Settings, connect_temporal
from db.session import SessionFactory
from identity.key_cache import KeyCache
from identity.keys import Principal, valid_key
from identity.throttle import Throttle
from identity.web_sessions import SignedIn, signed_in
from models.lifecycle import Role

T = TypeVar("T")
#: The web app's session cookie (`api/web/auth.py` sets it at sign-in).
SESSION_COOKIE = "aftersales_session"
#: Methods that change nothing: a session cookie alone is enough for them. Anything else sent
#: with the cookie must also carry the session's CSRF token (`api/web/auth.py`).
SAFE_METHODS = frozenset({"GET", "HEAD"})


class AppContext:
    def __init__(self, settings: Settings, sessions: SessionFactory, client: Client | None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.keys = KeyCache(timedelta(seconds=settings.api_key_cache_seconds))
        #: Failed web app sign-ins, to slow guessing down (`api/web/sign_in.py`).
        self.sign_ins = Throttle()
        self._client = client
        self._connecting = asyncio.Lock()

    async def temporal(self) -> Client:
        """The client, connected on first use so the API starts (and answers 503) while
        Temporal is still down."""
        if self._client is None:
            async with self._connecting:
                if self._client is None:
                    try:
                        self._client = await connect_temporal(self.settings)
                    except Exception as exc:
                        raise Problem(
                            503,
                            f"the workflow service at {self.settings.temporal_address} is not "
                            "reachable right now; try again shortly",
                        ) from exc
        return self._client

    async def db(self, work: Callable[[], T]) -> T:
        """Run blocking database work off the event loop."""
        return await run_in_threadpool(work)


def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(context)]


#: The two ways of sending a key, declared as OpenAPI security schemes so that the operations
#: needing one say so and the Authorize button of /docs sends it. They never refuse a request
#: themselves (auto_error=False): `principal` reads the headers and answers the 401s.
BEARER_KEY = HTTPBearer(
    scheme_name="BearerKey",
    bearerFormat="API key",
    description="Your API key as `Authorization: Bearer <key>`.",
    auto_error=False,
)
X_API_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="XApiKey",
    description="Your API key as `X-API-Key: <key>` (used when no Bearer key is sent).",
    auto_error=False,
)


async def principal(
    ctx: Ctx,
    request: Request,
    x_api_key: Annotated[str | None, Depends(X_API_KEY)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_KEY)],
) -> Principal:
    key = x_api_key
    # The Bearer key is read here, not taken from HTTPBearer, whose parsing of the header
    # differs in corner cases (spaces around the key).
    authorization = request.headers.get("authorization")
    if authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        web = await web_session(ctx, request) if request.method in SAFE_METHODS else None
        if web is not None:
            return web.who
        raise Problem(401, "send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'")

    found = ctx.keys.recall(key)
    if found is None:

        def lookup() -> tuple[Principal, datetime | None] | None:
            with ctx.sessions() as session:
                return valid_key(session, key)

        checked = await ctx.db(lookup)
        ctx.keys.remember(key, checked)
        found = checked[0] if checked else None
    if found is None:
        raise Problem(401, "this API key is not valid (unknown, revoked or expired)")
    return found


async def web_session(ctx: AppContext, request: Request) -> SignedIn | None:
    """The signed-in browser's session, if its cookie is valid: looked up once per request,
    however many dependencies (the page's, the list filters' `principal`) ask."""
    if hasattr(request.state, "web_session"):
        known: SignedIn | None = request.state.web_session
        return known
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:

        def lookup() -> SignedIn | None:
            with ctx.sessions() as session:
                return signed_in(session, token)

        found = await ctx.db(lookup)
    request.state.web_session = found
    return found


#: Any valid key; the route then holds customers and engineers to their own work.
Anyone = Annotated[Principal, Depends(principal)]
#: Every role but the customer's.
STAFF_ROLES = tuple(r for r in Role if r != Role.CUSTOMER)


def require(*roles: Role) -> Callable[..., object]:
    allowed = frozenset(roles)

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in allowed:
            names = ", ".join(sorted(allowed))
            raise Problem(403, f"role '{who.role}' may not do this; allowed roles: {names}")
        return who

    return check


#: The administrator's routes (keys, profiles, schedules, service plans).
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
#: Any staff member (every role but the customer's).
Staff = Annotated[Principal, Depends(require(*STAFF_ROLES))]
#: The desks that read the archive and the profiles to take and route calls.
ARCHIVE_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.SUPPORT, Role.INTAKE, Role.DISPATCHER)
ArchiveReader = Annotated[Principal, Depends(require(*ARCHIVE_READERS))]

"""`/app/sign-in` and `/app/sign-out`: a person signs in with their key, or with the login and
password an admin set, and gets a cookie session (HttpOnly, SameSite=Lax, expiring)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.context import SESSION_COOKIE, STAFF_ROLES, Ctx, web_session
from api.web.pages import NAV, SIGN_IN, Browser, PageRoute, render
from db.session import transaction
from identity.web_sessions import SignedIn, SignInRefused, sign_in, sign_out
from models.lifecycle import Role

STAFF = frozenset(STAFF_ROLES)
router = APIRouter(prefix="/app", include_in_schema=False, route_class=PageRoute)


def home(role: Role) -> str:
    """Where `/app` takes a person: their own desk."""
    pages = NAV.get(role)
    return pages[0].href if pages else SIGN_IN


def _local(target: str) -> str:
    """Only a path of this site: `next` must not send the browser elsewhere."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else ""


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(ctx: Ctx, request: Request, next: str = "") -> Response:
    web = await web_session(ctx, request)
    if web is not None:
        return RedirectResponse(_local(next) or home(web.who.role), 303)
    return render(ctx, None, "sign_in.html", next=_local(next), login="", error=None)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in_form(
    ctx: Ctx,
    key: Annotated[str, Form(max_length=400)] = "",
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    lifetime = timedelta(hours=ctx.settings.web_session_hours)

    def start() -> SignedIn:
        with transaction(ctx.sessions) as session:
            return sign_in(
                session, key=key, login=login, password=password, lifetime=lifetime, roles=STAFF
            )

    try:
        signed = await ctx.db(start)
    except SignInRefused as refused:
        return render(
            ctx, None, "sign_in.html", status=401, next=_local(next), login=login, error=refused
        )
    response = RedirectResponse(_local(next) or home(signed.who.role), 303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        expires=signed.expires_at,
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
    )
    return response


@router.post("/sign-out")
async def sign_out_form(ctx: Ctx, web: Browser) -> Response:
    def end() -> None:
        with ctx.sessions.begin() as session:
            sign_out(session, web.token)

    await ctx.db(end)
    response = RedirectResponse(SIGN_IN, 303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response

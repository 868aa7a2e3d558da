"""`/app/sign-in` and `/app/sign-out`: a person signs in with their key, or with the login and
password an admin set, and gets a cookie session (HttpOnly, SameSite=Lax, expiring)."""

from __future__ import annotations

from datetime import timedelta
from math import ceil
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.context import SESSION_COOKIE, STAFF_ROLES, Ctx, web_session
from api.problems import Problem
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
    return _sign_in_page(ctx, 200, next, "", None)


def _sign_in_page(ctx: Ctx, status: int, next: str, login: str, error: str | None) -> Response:
    return render(
        ctx, None, "sign_in.html", status=status, next=_local(next), login=login, error=error
    )


def _cross_site(request: Request) -> bool:
    """A form posted from another site (which would sign this browser in as someone else):
    the browser says so in `Sec-Fetch-Site`, or its `Origin` names another host."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    return origin not in (None, "null") and urlsplit(origin).netloc != request.url.netloc


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in_form(
    ctx: Ctx,
    request: Request,
    key: Annotated[str, Form(max_length=400)] = "",
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if _cross_site(request):
        raise Problem(403, "不能从其他网站登录。 Signing in from another site is refused.")
    client = f"address:{request.client.host if request.client else '?'}"
    who = (client, f"login:{login.strip().lower()}") if login.strip() else (client,)
    wait = ctx.sign_ins.wait_seconds(*who)
    if wait > 0:
        error = (
            f"登录失败次数过多，请 {ceil(wait / 60)} 分钟后再试。 Too many failed sign-ins: "
            f"try again in {ceil(wait / 60)} min."
        )
        return _sign_in_page(ctx, 429, next, login, error)
    lifetime = timedelta(hours=ctx.settings.web_session_hours)
    earlier = request.cookies.get(SESSION_COOKIE)

    def start() -> SignedIn:
        with transaction(ctx.sessions) as session:
            if earlier:  # a browser signing in again, maybe as someone else: one session
                sign_out(session, earlier)
            return sign_in(
                session, key=key, login=login, password=password, lifetime=lifetime, roles=STAFF
            )

    try:
        signed = await ctx.db(start)
    except SignInRefused as refused:
        ctx.sign_ins.failed(*who)
        return _sign_in_page(ctx, 401, next, login, str(refused))
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
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=ctx.settings.secure_cookies
    )
    return response

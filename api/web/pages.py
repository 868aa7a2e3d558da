"""What every page of the web app shares: the signed-in person, the CSRF check of forms, the
navigation of each role, and errors as pages (a sign-in page for no session)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlsplit, urlunsplit

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from api.context import SAFE_METHODS, AppContext, Ctx, web_session
from api.problems import Problem, status_of
from api.web.forms import rows_shown
from documents.templating import app_pages, time_left
from identity.web_sessions import SignedIn
from models.errors import DomainError, invalid_model
from models.lifecycle import Role

SIGN_IN = "/app/sign-in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class NavLink:
    href: str
    text: str


BOARD = NavLink("/app", "看板 Board")
INTAKE = NavLink("/app/intake", "报修登记 Intake")
SUPPORT = NavLink("/app/support", "远程支持 Support")
DISPATCH = NavLink("/app/dispatch", "派工 Dispatch")
MY_JOBS = NavLink("/app/my-jobs", "我的工单 My jobs")
REVISITS = NavLink("/app/revisits", "回访 Revisits")
ADMIN = NavLink("/app/admin", "管理 Admin")
KPIS = NavLink("/reports/kpi", "考核指标 KPIs")

#: Each role's pages, its own desk first (where `/app` takes it).
NAV: Mapping[Role, tuple[NavLink, ...]] = {
    Role.SUPERVISOR: (BOARD, SUPPORT, DISPATCH, REVISITS, KPIS),
    Role.ADMIN: (BOARD, ADMIN, KPIS),
    Role.INTAKE: (INTAKE,),
    Role.SUPPORT: (SUPPORT,),
    Role.DISPATCHER: (DISPATCH,),
    Role.ENGINEER: (MY_JOBS,),
    Role.REVISIT: (REVISITS,),
}


class SignInRequired(Exception):
    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


def message(ctx: AppContext, web: SignedIn | None, status: int, detail: str) -> HTMLResponse:
    """A refusal as a page: its title from the status, the API's own words below it."""
    title = _TITLES.get(status, "出错 Error")
    return render(ctx, web, "message.html", status=status, title=title, lines=[detail])


class PageRoute(APIRoute):
    """No session: to the sign-in page and back. A refusal (403, 404, 409…): a page saying it,
    with the status the API would answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as needed:
                return RedirectResponse(f"{SIGN_IN}?next={quote(needed.back_to)}", 303)
            except (Problem, DomainError, RequestValidationError) as refused:
                error = (
                    invalid_model(refused)
                    if isinstance(refused, RequestValidationError)
                    else refused
                )
                if status_of(error) == 401:
                    return RedirectResponse(f"{SIGN_IN}?next={quote(request.url.path)}", 303)
                ctx: AppContext = request.app.state.ctx
                web = await web_session(ctx, request)
                return message(ctx, web, status_of(error), error.detail)

        return route


_TITLES = {
    403: "无权操作 Not allowed",
    404: "找不到 Not found",
    409: "状态已变化 The request has moved on",
    422: "输入有误 Please check the input",
    503: "暂时不可用 Unavailable",
}


async def browser(ctx: Ctx, request: Request) -> SignedIn:
    """The signed-in person. A form (any method but GET and HEAD) must carry the session's
    CSRF token, as a field or in `X-CSRF-Token`; one without it is refused and changes
    nothing."""
    web = await web_session(ctx, request)
    if web is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(back if request.method in SAFE_METHODS else request.url.path)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if sent is None or not hmac.compare_digest(sent.encode(), web.csrf_token.encode()):
            raise Problem(
                403,
                "这个表单缺少有效的安全令牌，未作任何更改；请刷新页面后重试。 "
                "This form has no valid security token (CSRF), so nothing was changed: "
                "reload the page and try again.",
            )
    return web


Browser = Annotated[SignedIn, Depends(browser)]


def for_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, SignedIn]]:
    allowed = frozenset(roles)

    async def check(web: Browser) -> SignedIn:
        if web.who.role not in allowed:
            names = ", ".join(sorted(allowed))
            raise Problem(
                403,
                f"这一页不属于您的角色。 Role '{web.who.role}' may not open this page; "
                f"it is for: {names}",
            )
        return web

    return check


def render(
    ctx: AppContext,
    web: SignedIn | None,
    template: str,
    *,
    status: int = 200,
    here: str = "",
    **values: Any,
) -> HTMLResponse:
    now = datetime.now(UTC)
    html = app_pages.get_template(template).render(
        tz=ctx.settings.timezone,
        workflow_url=lambda workflow_id: (
            f"{ctx.settings.temporal_ui_url}/namespaces/"
            f"{quote(ctx.settings.temporal_namespace)}/workflows/{quote(workflow_id)}"
        ),
        who=web.who if web else None,
        csrf_token=web.csrf_token if web else "",
        nav=NAV.get(web.who.role, ()) if web else (),
        here=here,
        now=now,
        left=lambda due: time_left(due, now),
        #: A fresh Idempotency-Key per rendered form: a form sent twice acts once.
        form_key=lambda: secrets.token_urlsafe(16),
        row_counts=rows_shown,
        #: A customer link (signing, quote) opened on the device at hand: this site's path.
        same_site=lambda url: urlunsplit(("", "", *urlsplit(url)[2:])),
        **values,
    )
    return HTMLResponse(html, status_code=status)

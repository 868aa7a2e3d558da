"""The API's documentation pages, served by the product itself so they work without the
internet: Swagger UI at /docs (with its OAuth2 redirect page) and ReDoc at /redoc.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are switched off in
`create_app` (`docs_url=None, redoc_url=None`) and replaced by these. The scripts, styles and
their licences come from the `fastapi-standalone-docs` package (swagger-ui-dist and redoc,
ReDoc's "API docs by Redocly" logo made local): only its files are used, not its
`StandaloneDocs`, which would patch FastAPI's functions for the whole process.

    /docs/assets/swagger/swagger-ui-bundle.js, swagger-ui.css, LICENSE   (swagger-ui-dist)
    /docs/assets/redoc/redoc.standalone.js, redoc.standalone.js.LICENSE.txt
    /docs/assets/fastapi/favicon.png
    /redoc/logo-mini.svg   (the ReDoc bundle loads its logo from the page's own path)
"""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_PACKAGE = "fastapi_standalone_docs"
DOCS, OAUTH2_REDIRECT, REDOC = "/docs", "/docs/oauth2-redirect", "/redoc"
ASSETS = "/docs/assets"
#: Appended to the asset URLs so that a browser does not keep an old copy after an upgrade.
_VERSION = f"?v={version('fastapi-standalone-docs')}"


class _RedocAssets(StaticFiles):
    """/redoc/<file>; /redoc/ itself still redirects to the page, as without this mount."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == ".":  # inside the mount, root_path is the page's own path
            return RedirectResponse(scope["root_path"])
        return await super().get_response(path, scope)


router = APIRouter(include_in_schema=False)
router.mount(ASSETS, StaticFiles(packages=[(ASSETS_PACKAGE, "static")]), name="docs-assets")
router.mount(REDOC, _RedocAssets(packages=[(ASSETS_PACKAGE, "static/redoc")]), name="redoc-assets")


def _root(request: Request) -> str:
    """The prefix the app is served under (behind a proxy), as FastAPI's own pages use it."""
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _asset(request: Request, path: str) -> str:
    return f"{_root(request)}{ASSETS}/{path}{_VERSION}"


def _openapi_url(request: Request) -> str:
    return f"{_root(request)}{request.app.openapi_url}"


@router.get(DOCS)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI; its Authorize button takes an API key (Bearer or X-API-Key)."""
    app = request.app
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{app.title} - Swagger UI",
        swagger_js_url=_asset(request, "swagger/swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger/swagger-ui.css"),
        swagger_favicon_url=_asset(request, "fastapi/favicon.png"),
        oauth2_redirect_url=f"{_root(request)}{OAUTH2_REDIRECT}",
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC)
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_asset(request, "redoc/redoc.standalone.js"),
        redoc_favicon_url=_asset(request, "fastapi/favicon.png"),
        with_google_fonts=False,
    )

"""The FastAPI application: `uvicorn api.app:app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client

from api import problems
from api.analysis_reports import router as analysis_reports
from api.api_keys import router as api_keys
from api.archive import routers as archive_routers
from api.complaints import router as complaints
from api.context import AppContext, Ctx
from api.docs import router as docs
from api.entitlement import router as entitlement
from api.inspection_rounds import router as inspection_rounds
from api.kpi_page import router as kpi_page
from api.kpis import router as kpis
from api.loaner_pool import router as loaner_pool
from api.maintenance import router as maintenance
from api.metrics import HttpMetrics, Metrics
from api.metrics import router as metrics
from api.price_list import router as price_list
from api.quote_page import router as quote_page
from api.receipts import router as receipts
from api.reports import router as reports
from api.request_export import router as request_export
from api.revisits import router as revisits
from api.schedules import router as schedules
from api.service_plans import router as service_plans
from api.service_requests import router as service_requests
from api.signing import router as signing
from api.sla_preview import router as sla_preview
from api.sla_profiles import router as sla_profiles
from api.status_page import router as status_page
from api.web.routes import ROUTERS as WEB_ROUTERS
from api.what_if import router as what_if
from api.what_if_page import router as what_if_page
from config import Settings
from db.session import make_engine, session_factory


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="After-sales service back office (售后服务)",
        version="0.1.0",
        description="Service requests as durable Temporal workflows: intake, actions, SLA clocks.",
        lifespan=lifespan,
        docs_url=None,  # api/docs.py serves /docs and /redoc without a CDN
        redoc_url=None,
    )
    app.state.ctx = AppContext(settings, session_factory(engine), client)
    app.state.metrics = Metrics(app.state.ctx.sessions)
    problems.install(app)
    app.add_middleware(HttpMetrics, metrics=app.state.metrics)
    app.include_router(request_export)
    app.include_router(price_list)  # before the requests' catch-all `/{number}/{action}`
    app.include_router(service_requests)
    app.include_router(kpis)
    app.include_router(analysis_reports)
    app.include_router(kpi_page)
    app.include_router(what_if_page)
    app.include_router(sla_profiles)
    app.include_router(sla_preview)
    app.include_router(what_if)
    for router in archive_routers:
        app.include_router(router)
    app.include_router(entitlement)
    app.include_router(loaner_pool)
    app.include_router(maintenance)
    app.include_router(reports)
    app.include_router(inspection_rounds)
    app.include_router(receipts)
    app.include_router(revisits)
    app.include_router(complaints)
    app.include_router(signing)
    app.include_router(quote_page)
    app.include_router(status_page)
    app.include_router(schedules)
    app.include_router(service_plans)
    app.include_router(api_keys)
    for router in WEB_ROUTERS:
        app.include_router(router)
    app.include_router(docs)
    app.include_router(metrics)

    @app.get("/healthz", tags=["operations"])
    async def healthz(ctx: Ctx) -> JSONResponse:
        """200 when the database and the workflow service both answer, else 503."""
        status: dict[str, str] = {}

        def ping() -> None:
            with ctx.sessions() as session:
                session.execute(text("SELECT 1"))

        try:
            await ctx.db(ping)
            status["database"] = "ok"
        except Exception as exc:
            status["database"] = f"unavailable: {type(exc).__name__}"
        try:
            client = await ctx.temporal()
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            status["temporal"] = "ok"
        except Exception as exc:
            status["temporal"] = f"unavailable: {type(exc).__name__}"
        healthy = all(v == "ok" for v in status.values())
        return JSONResponse(
            {"status": "ok" if healthy else "degraded"} | status, 200 if healthy else 503
        )

    return app


logging.basicConfig(level=logging.INFO, format="%(asctime)s api %(levelname)s %(message)s")
app = create_app()

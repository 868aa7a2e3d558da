"""Shared fixtures: a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), the
time-skipping test server, the dev server, workers on both, and the API over real HTTP."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config import Settings
from db.demo import load_demo
from db.session import (
    SessionFactory,
    create_schema,
    drop_schema,
    make_engine,
    session_factory,
    transaction,
)
from identity.keys import create_api_key
from intake.reservation import reserve
from manage import register_search_attributes
from models import search_attributes
from models.intake import SERVICE_TIMEZONE, IntakeRequest, ServiceRequestStart
from models.lifecycle import Role
from worker import build_worker

BIN = Path(sys.executable).parent
from tests.workflow_helpers import TASK_QUEUE  # noqa: E402


@contextmanager
def fresh_database(database_url: str, directory: Path) -> Iterator[Engine]:
    """An engine on a new, empty database of the test URL's dialect (a file in `directory`,
    or a database created next to the PostgreSQL test database and dropped afterwards)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = make_engine(f"sqlite:///{directory / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_fresh_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE: no transaction
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
        server.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return (
        os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    drop_schema(engine)
    create_schema(engine)
    with transaction(session_factory(engine)) as session:
        load_demo(session)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine: Engine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return replace(Settings.from_env(), database_url=database_url, task_queue=TASK_QUEUE)


_numbers = itertools.count(1)


@pytest.fixture
def intake(sessions: SessionFactory, settings: Settings):
    """Resolve an intake exactly as the API does (defaults, entitlement, first plan)."""

    def make(at: datetime, **fields: object) -> ServiceRequestStart:
        """An intake registered at `at` (the test server's clock runs ahead of the real one)."""
        body = {
            "channel": "phone",
            "customer_id": "C001",
            "asset_serial": "SN-1001",
            "severity": 1,
            "fault_code": "NO_POWER",
            "force_new": True,  # tests report the same fault many times
            "description": "the camera shows no picture",
            "external_ref": f"TEST-{next(_numbers)}-{os.getpid()}-{id(fields)}",
        } | fields
        request = IntakeRequest.model_validate(body)
        start, _ = reserve(sessions, request, None, settings.timezone, now=at)
        return start

    return make


# ------------------------------------------------------------------ Temporal: time skipping
@pytest.fixture(scope="session")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    await register_search_attributes(env.client, env.client.namespace)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def ts_client(ts_env: WorkflowEnvironment, sessions: SessionFactory) -> AsyncIterator[Client]:
    async with build_worker(ts_env.client, sessions, TASK_QUEUE):
        yield ts_env.client


# ------------------------------------------------------------------ Temporal: dev server
@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        search_attributes=search_attributes.ALL,
        dev_server_existing_path=str(BIN / "temporal"),
        # The SDK's default of 5 s was seen to run out on this shared 2-core machine.
        dev_server_startup_timeout=timedelta(seconds=60),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_client(
    dev_env: WorkflowEnvironment, sessions: SessionFactory
) -> AsyncIterator[Client]:
    async with build_worker(dev_env.client, sessions, TASK_QUEUE):
        yield dev_env.client


# ------------------------------------------------------------------ the API over real HTTP
#: The persons the `engineer` and `customer` keys of `api_keys` are bound to.
TEST_ENGINEER, TEST_CUSTOMER = "E001", "C001"


@pytest.fixture(scope="session")
def api_keys(sessions: SessionFactory) -> dict[Role, str]:
    """One key per role; the engineer's is E001's, the customer's C001's."""
    bound = {
        Role.ENGINEER: {"engineer_id": TEST_ENGINEER},
        Role.CUSTOMER: {"customer_id": TEST_CUSTOMER},
    }
    with transaction(sessions) as session:
        return {
            role: create_api_key(session, role, f"test-{role}", **bound.get(role, {})).key
            for role in Role
        }


@pytest.fixture(scope="session")
def person_keys(sessions: SessionFactory) -> dict[str, str]:
    """A key for each demo engineer and customer, by id (E002, C003, …)."""
    with transaction(sessions) as session:
        engineers = {
            e: create_api_key(session, Role.ENGINEER, "", engineer_id=e).key
            for e in ("E001", "E002", "E003", "E004")
        }
        customers = {
            c: create_api_key(session, Role.CUSTOMER, "", customer_id=c).key
            for c in ("C001", "C002", "C003")
        }
    return engineers | customers


@asynccontextmanager
async def serve(settings: Settings, client: Client | None) -> AsyncIterator[str]:
    """The API app served by uvicorn on a free loopback port."""
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(settings, client)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def api_url(dev_client: Client, settings: Settings) -> AsyncIterator[str]:
    async with serve(settings, dev_client) as url:
        yield url


@pytest.fixture
async def http(api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        yield client


@pytest.fixture
def as_role(http: httpx.AsyncClient, api_keys):
    """A call to the API with the key of `role`."""

    async def call(role: Role, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {api_keys[role]}"} | kwargs.pop("headers", {})
        return await http.request(method, path, headers=headers, **kwargs)

    return call


@pytest.fixture
async def own_customer(http, api_keys) -> str:
    """A customer and asset of this test alone, so the board's filter shows only its requests."""
    customer = f"CW{secrets.token_hex(3).upper()}"
    admin = {"Authorization": f"Bearer {api_keys[Role.ADMIN]}"}
    answer = await http.post(
        "/v1/customers",
        json={
            "id": customer,
            "name": f"网页测试 {customer}",
            "region": "qingdao",
            "contact": {"name": "刘洋", "phone": "+86 532 8000 2002"},
        },
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    answer = await http.post(
        "/v1/assets",
        json={
            "serial": f"{customer}-1",
            "model": "DS-2CD",
            "category": "camera",
            "customer_id": customer,
            "invoice_date": datetime.now(ZoneInfo(SERVICE_TIMEZONE)).date().isoformat(),
        },
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    return customer

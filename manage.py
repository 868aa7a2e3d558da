"""Administration commands.

python manage.py setup [--demo]          schema; with --demo, demo data and demo keys
python manage.py create-api-key ROLE NAME
python manage.py register-search-attributes   (for clusters other than the dev server)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.auth import create_api_key
from config import Settings, connect_temporal
from db.demo import create_demo_keys, is_empty, load_demo
from db.session import create_schema, make_engine, session_factory, transaction
from models import search_attributes
from models.lifecycle import Role


def setup(settings: Settings, demo: bool) -> None:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    print(f"database ready: {engine.url.render_as_string(hide_password=True)}")
    if not demo:
        return
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        if is_empty(session):
            load_demo(session)
            print(
                "demo data loaded: customers C001–C003, assets SN-1001–SN-1003, engineers E001–E004"
            )
        keys_path = settings.demo_keys_path
        if not keys_path.exists():
            keys = create_demo_keys(session)
            keys_path.parent.mkdir(parents=True, exist_ok=True)
            keys_path.write_text(json.dumps(keys, indent=2) + "\n", encoding="utf-8")
            print(f"demo API keys written to {keys_path}")


def new_key(settings: Settings, role: Role, name: str) -> str:
    sessions = session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        return create_api_key(session, role, name)


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Add the attributes of SPEC §7 that the namespace lacks; safe to run again."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes) | set(existing.system_attributes)
    except RPCError as exc:
        # The time-skipping test server can add attributes but not list them.
        if exc.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in search_attributes.ALL
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def _register(settings: Settings) -> list[str]:
    client = await connect_temporal(settings)
    return await register_search_attributes(client, settings.temporal_namespace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setup_cmd = commands.add_parser("setup", help="create the schema (and demo data)")
    setup_cmd.add_argument(
        "--demo", action="store_true", help="load demo data into an empty database"
    )
    key_cmd = commands.add_parser("create-api-key", help="create an API key and print it once")
    key_cmd.add_argument("role", choices=[r.value for r in Role])
    key_cmd.add_argument("name", help="who or what uses the key (shown in the timeline)")
    commands.add_parser("register-search-attributes", help="register SPEC §7 attributes")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "setup":
        setup(settings, args.demo)
    elif args.command == "create-api-key":
        print(new_key(settings, Role(args.role), args.name))
    else:
        added = asyncio.run(_register(settings))
        print("registered: " + (", ".join(added) if added else "nothing (all present)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

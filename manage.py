"""Administration commands.

python manage.py setup [--demo]          migrate the schema to the newest revision; with --demo,
                                         demo data and demo keys
python manage.py create-api-key ROLE [--name NAME] [--engineer ID | --customer ID [--contact NAME]]
                                 [--expires DATE|DATETIME]      a key for a person, shown once
python manage.py list-api-keys [--active]   every key with its person and status, never a secret
python manage.py revoke-api-key ID       the key answers 401 from now on
python manage.py register-search-attributes   (for clusters other than the dev server)
python manage.py import-profile FILE...  SLA profiles from JSON or YAML files (new versions)
python manage.py import-holidays --profile NAME --calendar CAL (--china YEAR... | --ical FILE)
python manage.py import-archive FILE [--kind customers|assets|repairs] [--dry-run]
                                         customer archive rows from CSV or JSON (db/archive_import)
python manage.py sync-schedules          re-create the kept schedules a new cluster lacks
python manage.py apply-service-plans [--customer ID]
                                         contract schedules as the customers' profiles plan them
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.records import RecordActivities
from config import Settings, connect_temporal
from db.archive_import import KINDS, ImportRejected, Kind, import_archive
from db.demo import create_demo_keys, is_empty, load_demo
from db.demo_history import WEEKS, load_history
from db.profiles import find_version, latest_profile, load_profile_file, store_profile
from db.schedules import defined
from db.session import (
    LegacyDatabaseError,
    SessionFactory,
    create_schema,
    make_engine,
    schema_revision,
    session_factory,
    transaction,
)
from db.tables import Customer
from identity.keys import (
    ApiKeyInfo,
    KeyRejected,
    UnknownKey,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from models import search_attributes
from models.common import Weekday
from models.lifecycle import Role
from models.profile import SlaProfile, profile_errors
from models.schedules import ScheduledRun
from notifications.delivery import Delivery
from schedules.analysis import ensure_analysis_schedules
from schedules.end_of_warranty import ensure_end_of_warranty_schedule
from schedules.service_plans import PlanConflict, UnknownCustomer, apply_service_plan
from schedules.temporal import create_in_temporal, exists_in_temporal
from sla.holidays import china_holidays, ical_holidays, merge_into

#: Exit status of a command refused for bad input (argparse uses the same for bad usage).
INVALID_INPUT = 2


class CommandError(Exception):
    """Bad input: one line per problem, printed to stderr; nothing has been written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@contextmanager
def _database(settings: Settings) -> Iterator[SessionFactory]:
    engine = make_engine(settings.database_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def setup(settings: Settings, demo: bool) -> None:
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
    except LegacyDatabaseError as exc:
        raise CommandError([str(exc)]) from None
    print(
        f"database ready (schema revision {schema_revision(engine)}): "
        f"{engine.url.render_as_string(hide_password=True)}"
    )
    if not demo:
        return
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        fresh = is_empty(session)
        if fresh:
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
    if fresh:
        records = RecordActivities(
            sessions, Delivery(sessions, settings), timezone=settings.timezone
        )
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        made = load_history(sessions, settings.timezone, today, records.record_events)
        print(f"demo history: {made} finished requests of the last {WEEKS} weeks (for the KPIs)")


def new_key(settings: Settings, args: argparse.Namespace) -> list[str]:
    """The new key's secret (printed once) and, on stderr, whose it is."""
    expires = _expiry(args.expires, settings.timezone) if args.expires else None
    try:
        with _database(settings) as sessions, transaction(sessions) as session:
            issued = create_api_key(
                session,
                Role(args.role),
                args.name or args.name_arg,
                engineer_id=args.engineer,
                customer_id=args.customer,
                contact=args.contact,
                expires_at=expires,
            )
    except KeyRejected as exc:
        option = {"engineer_id": "--engineer", "customer_id": "--customer"}.get(exc.field)
        raise CommandError([f"{option or exc.field}: {exc.reason}"]) from None
    print(f"key {issued.id} for {_whose(issued)}", file=sys.stderr)
    return [issued.key]


def _expiry(text: str, timezone: str) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(timezone))
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError([f"--expires: {text!r} is not a date or a date and time"]) from None
    if instant.tzinfo is None:
        raise CommandError(["--expires: give the time zone offset, e.g. 2027-01-01T18:00+08:00"])
    return instant


def _whose(key: ApiKeyInfo) -> str:
    bound = key.engineer_id or key.customer_id
    contact = f", contact {key.contact}" if key.contact and key.contact not in key.name else ""
    return f"{key.name} ({key.role}{', ' + bound if bound else ''}{contact})"


def list_keys(settings: Settings, active_only: bool) -> list[str]:
    with _database(settings) as sessions, sessions() as session:
        keys = list_api_keys(session, include_revoked=not active_only)
    zone = ZoneInfo(settings.timezone)
    lines = []
    for key in keys:
        if active_only and key.status != "active":
            continue
        expires = key.expires_at and f" expires {key.expires_at.astimezone(zone):%Y-%m-%d %H:%M %z}"
        lines.append(f"{key.id:>5}  {key.status:<8} {_whose(key)}{expires or ''}")
    return lines or ["no API keys"]


def revoke_key(settings: Settings, key_id: int) -> list[str]:
    try:
        with _database(settings) as sessions, transaction(sessions) as session:
            key = revoke_api_key(session, key_id)
    except UnknownKey as exc:
        raise CommandError([str(exc)]) from None
    return [f"revoked key {key.id} of {_whose(key)}"]


def _invalid_lines(source: object, exc: ValidationError) -> list[str]:
    return [f"{source}: {e['field']}: {e['reason']}" for e in profile_errors(exc)]


def _read_profile(path: Path) -> SlaProfile:
    try:
        return load_profile_file(path)
    except ValidationError as exc:
        raise CommandError(_invalid_lines(path, exc)) from None
    except (ValueError, OSError) as exc:
        raise CommandError([f"{path}: {exc}"]) from None


def _store(session: Session, profile: SlaProfile) -> str:
    """Store `profile` and say what happened: a new version, or unchanged."""
    before = find_version(session, profile.name)
    version = store_profile(session, profile)
    if before is not None and before.version == version:
        return f"{profile.name}: unchanged (version {version})"
    return f"{profile.name}: version {version}"


def import_profiles(settings: Settings, paths: Sequence[Path]) -> list[str]:
    """Store every file's profile, or none of them when any file is invalid."""
    profiles: list[SlaProfile] = []
    problems: list[str] = []
    for path in paths:
        try:
            profiles.append(_read_profile(path))
        except CommandError as exc:
            problems += exc.lines
    if problems:
        raise CommandError(problems)
    with _database(settings) as sessions, transaction(sessions) as session:
        return [_store(session, profile) for profile in profiles]


def _holidays_from(
    china: Sequence[int] | None, ical: Path | None
) -> tuple[set[date], dict[date, Weekday]]:
    if ical is None:
        return china_holidays(china or ())
    try:
        return ical_holidays(ical.read_text(encoding="utf-8")), {}
    except (ValueError, OSError) as exc:
        raise CommandError([f"{ical}: {exc}"]) from None


def import_holidays(
    settings: Settings,
    profile_name: str,
    calendar: str,
    china: Sequence[int] | None = None,
    ical: Path | None = None,
) -> list[str]:
    """Merge holidays and make-up days into a calendar of the latest version of a profile."""
    holidays, workdays = _holidays_from(china, ical)
    with _database(settings) as sessions, transaction(sessions) as session:
        found = latest_profile(session, profile_name)
        if found is None:
            raise CommandError([f"there is no SLA profile {profile_name!r}"])
        try:
            merged = merge_into(found[0], calendar, holidays, workdays)
        except ValidationError as exc:
            raise CommandError(_invalid_lines(profile_name, exc)) from None
        except ValueError as exc:
            raise CommandError([str(exc)]) from None
        return [
            f"{calendar}: {len(holidays)} holidays, {len(workdays)} make-up working days",
            _store(session, merged),
        ]


def import_archive_file(
    settings: Settings, path: Path, kind: Kind | None, dry_run: bool
) -> list[str]:
    """Import one archive file, all of it or (exit 2, every bad row reported) nothing."""
    with _database(settings) as sessions:
        try:
            return import_archive(sessions, path, kind, dry_run=dry_run)
        except ImportRejected as exc:
            raise CommandError(exc.lines) from None


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


async def sync_schedules(client: Client, sessions: SessionFactory, settings: Settings) -> list[str]:
    """Create every schedule kept in the database that Temporal does not have (a new cluster,
    a dev server started afresh); safe to run again."""
    with sessions() as session:
        kept = defined(session)
    created = []
    for sid, definition, paused in kept:
        if await exists_in_temporal(client.get_schedule_handle(sid)):
            continue
        run = ScheduledRun(schedule_id=sid, definition=definition, time_zone=settings.timezone)
        await create_in_temporal(client, run, settings.task_queue, "setup", paused)
        created.append(sid)
    created += await ensure_analysis_schedules(
        client, settings.analysis_reports, settings.timezone, settings.task_queue
    )
    created += await ensure_end_of_warranty_schedule(
        client, settings.timezone, settings.task_queue
    )
    return created


async def _sync(settings: Settings) -> list[str]:
    client = await connect_temporal(settings)
    return await sync_schedules(
        client, session_factory(make_engine(settings.database_url)), settings
    )


async def _apply_plans(settings: Settings, customer: str | None) -> list[str]:
    client = await connect_temporal(settings)
    sessions = session_factory(make_engine(settings.database_url))
    with sessions() as session:
        customers = [customer] if customer else list(session.scalars(select(Customer.id)))
    lines = []
    for customer_id in customers:
        try:
            applied = await apply_service_plan(
                client, sessions, customer_id, settings.task_queue, settings.timezone
            )
        except (UnknownCustomer, PlanConflict) as exc:
            raise CommandError([str(exc)]) from exc
        changes = [
            f"{what} {', '.join(ids)}"
            for what, ids in (
                ("created", applied.created),
                ("updated", applied.updated),
                ("removed", applied.removed),
            )
            if ids
        ]
        lines.append(f"{customer_id}: " + ("; ".join(changes) or "as planned"))
    return lines


async def _register(settings: Settings) -> list[str]:
    client = await connect_temporal(settings)
    return await register_search_attributes(client, settings.temporal_namespace)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setup_cmd = commands.add_parser("setup", help="create the schema (and demo data)")
    setup_cmd.add_argument(
        "--demo", action="store_true", help="load demo data into an empty database"
    )
    key_cmd = commands.add_parser(
        "create-api-key", help="create a person's API key and print it once"
    )
    key_cmd.add_argument("role", choices=[r.value for r in Role])
    key_cmd.add_argument(
        "name_arg", nargs="?", default="", metavar="NAME", help="the same as --name"
    )
    key_cmd.add_argument(
        "--name",
        default="",
        help="the person (shown in the timeline); bound keys default to "
        "the engineer's or customer's name",
    )
    bound = key_cmd.add_mutually_exclusive_group()
    bound.add_argument("--engineer", help="an engineer key acts for this engineer only")
    bound.add_argument("--customer", help="a customer key acts for this customer only")
    key_cmd.add_argument("--contact", help="the customer's contact person it is issued to")
    key_cmd.add_argument(
        "--expires",
        help="DATE (valid through the end of that day, service time zone) or DATETIME with offset",
    )
    list_keys_cmd = commands.add_parser("list-api-keys", help="every key (never its secret)")
    list_keys_cmd.add_argument("--active", action="store_true", help="only keys that work now")
    revoke_cmd = commands.add_parser("revoke-api-key", help="revoke a key at once")
    revoke_cmd.add_argument("id", type=int, help="the key's id (list-api-keys shows it)")
    commands.add_parser("register-search-attributes", help="register SPEC §7 attributes")
    commands.add_parser(
        "sync-schedules",
        help="re-create in Temporal the revisit and inspection schedules kept here",
    )
    plans_cmd = commands.add_parser(
        "apply-service-plans",
        help="make the contract schedules what each customer's profile plans (service_plan)",
    )
    plans_cmd.add_argument("--customer", help="only this customer (default: every customer)")
    profile_cmd = commands.add_parser(
        "import-profile", help="store SLA profiles from JSON or YAML files as new versions"
    )
    profile_cmd.add_argument("files", nargs="+", type=Path, metavar="FILE")
    holidays_cmd = commands.add_parser(
        "import-holidays", help="add holidays and make-up working days to a profile's calendar"
    )
    holidays_cmd.add_argument("--profile", required=True, help="the profile's name")
    holidays_cmd.add_argument("--calendar", required=True, help="the calendar in that profile")
    source = holidays_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--china", nargs="+", type=int, metavar="YEAR", help="China's public holidays and 调休"
    )
    source.add_argument("--ical", type=Path, metavar="FILE", help="all-day events of a .ics file")
    archive_cmd = commands.add_parser(
        "import-archive", help="customers, assets or legacy repairs from a .csv or .json file"
    )
    archive_cmd.add_argument("file", type=Path, metavar="FILE")
    archive_cmd.add_argument(
        "--kind", choices=KINDS, help="the kind of rows (default: the one the file name says)"
    )
    archive_cmd.add_argument(
        "--dry-run", action="store_true", help="check every row, count the changes, write nothing"
    )
    return parser


def _run(args: argparse.Namespace, settings: Settings) -> list[str]:
    """The command's output lines; CommandError for bad input."""
    if args.command == "setup":
        setup(settings, args.demo)
        return []
    if args.command == "create-api-key":
        return new_key(settings, args)
    if args.command == "list-api-keys":
        return list_keys(settings, args.active)
    if args.command == "revoke-api-key":
        return revoke_key(settings, args.id)
    if args.command == "import-profile":
        return import_profiles(settings, args.files)
    if args.command == "import-holidays":
        return import_holidays(settings, args.profile, args.calendar, args.china, args.ical)
    if args.command == "import-archive":
        return import_archive_file(settings, args.file, args.kind, args.dry_run)
    if args.command == "sync-schedules":
        created = asyncio.run(_sync(settings))
        return ["re-created: " + (", ".join(created) if created else "nothing (all present)")]
    if args.command == "apply-service-plans":
        return asyncio.run(_apply_plans(settings, args.customer))
    added = asyncio.run(_register(settings))
    return ["registered: " + (", ".join(added) if added else "nothing (all present)")]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        lines = _run(args, Settings.from_env())
    except CommandError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return INVALID_INPUT
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

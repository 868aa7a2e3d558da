"""SLA profiles in the database (SPEC §3): immutable versions, the latest one is current.

A request keeps the version it started with (it carries the profile in its workflow input),
so nothing here ever changes a stored version: an edit stores the next one.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast
from weakref import WeakKeyDictionary

import yaml
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db.session import SessionFactory
from db.tables import Customer, SlaProfileVersion
from models.profile import ProfileRef, SlaProfile
from sla.deadlines import Calendars, calendars

Format = Literal["json", "yaml"]
_SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


# ------------------------------------------------------------------ reading
def find_version(
    session: Session, name: str, version: int | None = None
) -> SlaProfileVersion | None:
    """The stored row of `name` at `version`, or its latest one when `version` is None (a
    deleted profile has none)."""
    query = select(SlaProfileVersion).where(
        SlaProfileVersion.name == name, SlaProfileVersion.deleted_at.is_(None)
    )
    if version is not None:
        query = query.where(SlaProfileVersion.version == version)
    return session.scalars(query.order_by(SlaProfileVersion.version.desc()).limit(1)).first()


#: Stored versions already read, per database: a version never changes (an edit is a new
#: one), and validating a profile was a quarter of an intake's time.
_READ: WeakKeyDictionary[Engine, dict[tuple[str, int], SlaProfile]] = WeakKeyDictionary()
_READING = threading.Lock()


def latest_profile(session: Session, name: str) -> tuple[SlaProfile, int] | None:
    version = session.scalar(
        select(func.max(SlaProfileVersion.version)).where(
            SlaProfileVersion.name == name, SlaProfileVersion.deleted_at.is_(None)
        )
    )
    if version is None:
        return None
    profile = profile_version(session, name, version)
    return (profile, version) if profile is not None else None


def profile_version(session: Session, name: str, version: int) -> SlaProfile | None:
    """`name` at `version`, deleted or not: the requests that started on it still run on it."""
    engine = session.get_bind().engine
    with _READING:
        known = _READ.setdefault(engine, {}).get((name, version))
    if known is not None:
        return known
    body = session.scalar(
        select(SlaProfileVersion.body).where(
            SlaProfileVersion.name == name, SlaProfileVersion.version == version
        )
    )
    if body is None:
        return None
    profile = SlaProfile.model_validate(body)
    with _READING:
        _READ[engine][(name, version)] = profile
    return profile


def list_profiles(session: Session) -> list[SlaProfileVersion]:
    """The latest version of every profile, by name."""
    latest = (
        select(SlaProfileVersion.name, func.max(SlaProfileVersion.version).label("version"))
        .where(SlaProfileVersion.deleted_at.is_(None))
        .group_by(SlaProfileVersion.name)
        .subquery()
    )
    query = (
        select(SlaProfileVersion)
        .join(
            latest,
            (SlaProfileVersion.name == latest.c.name)
            & (SlaProfileVersion.version == latest.c.version),
        )
        .order_by(SlaProfileVersion.name)
    )
    return list(session.scalars(query))


def customers_using(session: Session, name: str) -> list[str]:
    """Ids of the customers whose default profile is `name`."""
    query = select(Customer.id).where(Customer.sla_profile == name).order_by(Customer.id)
    return list(session.scalars(query))


# ------------------------------------------------------------------ writing
def store_profile(session: Session, profile: SlaProfile) -> int:
    """Store `profile` as the next version of its name and return that version.

    A profile equal to the latest version stores nothing and returns that version, so
    importing the same file twice (or a PUT that changes nothing) keeps one version.
    """
    body = profile.model_dump(mode="json")
    latest = find_version(session, profile.name)
    if latest is not None and latest.body == body:
        return latest.version
    # After the versions of a deleted profile: a (name, version) never means two profiles.
    highest = session.scalar(
        select(func.max(SlaProfileVersion.version)).where(SlaProfileVersion.name == profile.name)
    )
    version = (highest or 0) + 1
    session.add(
        SlaProfileVersion(
            name=profile.name, version=version, body=body, created_at=datetime.now(UTC)
        )
    )
    # Surface a concurrent writer of the same version (primary key) here, not at commit.
    session.flush()
    return version


def delete_profile(session: Session, name: str) -> int:
    """Delete every version of `name`; returns how many there were. The rows stay, marked
    deleted: a request that started on one still runs on it (its activities read it by
    version), and a profile stored again under the name gets new version numbers."""
    statement = (
        update(SlaProfileVersion)
        .where(SlaProfileVersion.name == name, SlaProfileVersion.deleted_at.is_(None))
        .values(deleted_at=datetime.now(UTC))
    )
    return cast(CursorResult[Any], session.execute(statement)).rowcount


# ------------------------------------------------------------------ documents
class _ProfileYamlLoader(yaml.SafeLoader):
    """YAML 1.1 reads an unquoted `13:30` as the base-60 integer 810, and profiles are full
    of times: this loader knows integers only in decimal, octal, hex and binary."""


_INT_TAG = "tag:yaml.org,2002:int"
_ProfileYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _INT_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ProfileYamlLoader.add_implicit_resolver(
    _INT_TAG,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


def _string_keys(node: Any, done: dict[int, Any] | None = None) -> Any:
    """JSON object keys are strings; YAML's may be numbers or dates (`1:`, `2026-09-27:`).

    Nodes YAML aliases share are converted once and stay shared: walking the expanded tree
    of a nested-alias document ("billion laughs") would take exponential time.
    """
    done = {} if done is None else done
    if not isinstance(node, dict | list):
        return node
    if id(node) not in done:
        if isinstance(node, dict):
            done[id(node)] = {str(k): _string_keys(v, done) for k, v in node.items()}
        else:
            done[id(node)] = [_string_keys(item, done) for item in node]
    return done[id(node)]


def parse_document(text: str, kind: Format) -> Any:
    """The data of a JSON or YAML document; ValueError with the position when unparsable."""
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
    try:
        return _string_keys(yaml.load(text, Loader=_ProfileYamlLoader))
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {' '.join(str(exc).split())}") from None


def parse_profile(text: str, kind: Format) -> SlaProfile:
    """A profile from a document: ValueError when unparsable, ValidationError when invalid."""
    return SlaProfile.model_validate(parse_document(text, kind))


def load_profile_file(path: Path) -> SlaProfile:
    """A profile from a `.json`, `.yaml` or `.yml` file."""
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path.name}: use a .json, .yaml or .yml file")
    return parse_profile(path.read_text(encoding="utf-8"), kind)


class ProfileVersions:
    """Stored profile versions and their built calendars, each loaded once per process."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._loaded: dict[tuple[str, int], tuple[SlaProfile, Calendars]] = {}
        self._lock = threading.Lock()

    def get(self, ref: ProfileRef) -> tuple[SlaProfile, Calendars]:
        key = (ref.name, ref.version)
        with self._lock:
            found = self._loaded.get(key)
        if found is None:
            with self._sessions() as session:
                profile = profile_version(session, ref.name, ref.version)
            if profile is None:  # retried: a version is never deleted, it may not be there yet
                raise LookupError(f"there is no SLA profile {ref.name} v{ref.version}")
            found = (profile, calendars(profile))
            with self._lock:
                self._loaded[key] = found
        return found


def stored_versions(session: Session) -> list[SlaProfileVersion]:
    """Every version that is not deleted, by name, the newest first."""
    return list(
        session.scalars(
            select(SlaProfileVersion)
            .where(SlaProfileVersion.deleted_at.is_(None))
            .order_by(SlaProfileVersion.name, SlaProfileVersion.version.desc())
        )
    )

"""SLA profiles in the database (SPEC §3): immutable versions, the latest one is current.

A request keeps the version it started with (it carries the profile in its workflow input),
so nothing here ever changes a stored version: an edit stores the next one.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from db.tables import Customer, SlaProfileVersion
from models.profile import SlaProfile

Format = Literal["json", "yaml"]
_SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


# ------------------------------------------------------------------ reading
def find_version(
    session: Session, name: str, version: int | None = None
) -> SlaProfileVersion | None:
    """The stored row of `name` at `version`, or its latest one when `version` is None."""
    query = select(SlaProfileVersion).where(SlaProfileVersion.name == name)
    if version is not None:
        query = query.where(SlaProfileVersion.version == version)
    return session.scalars(query.order_by(SlaProfileVersion.version.desc()).limit(1)).first()


def latest_profile(session: Session, name: str) -> tuple[SlaProfile, int] | None:
    row = find_version(session, name)
    return (SlaProfile.model_validate(row.body), row.version) if row else None


def profile_version(session: Session, name: str, version: int) -> SlaProfile | None:
    row = find_version(session, name, version)
    return SlaProfile.model_validate(row.body) if row else None


def list_profiles(session: Session) -> list[SlaProfileVersion]:
    """The latest version of every profile, by name."""
    latest = (
        select(SlaProfileVersion.name, func.max(SlaProfileVersion.version).label("version"))
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
    version = (latest.version if latest else 0) + 1
    session.add(
        SlaProfileVersion(
            name=profile.name, version=version, body=body, created_at=datetime.now(UTC)
        )
    )
    # Surface a concurrent writer of the same version (primary key) here, not at commit.
    session.flush()
    return version


def delete_profile(session: Session, name: str) -> int:
    """Delete every version of `name`; returns how many there were."""
    statement = delete(SlaProfileVersion).where(SlaProfileVersion.name == name)
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

"""The customer archive in the database (SPEC §4): customers with their sites and contacts,
assets with their legacy repairs, engineers, and the service history of a customer or asset.

Customers, assets and legacy repairs are written in batches of validated records: the API
passes a batch of one, `manage.py import-archive` a whole file. A batch loads what exists
once, checks every reference against it, and writes with one bulk statement per table and
kind of change, so 10,000 rows cost a few dozen queries rather than one or more per row; and
because both paths share it, the import accepts exactly what the API accepts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Executable, delete, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.tables import (
    ApiKey,
    Asset,
    Base,
    Customer,
    CustomerContact,
    Engineer,
    RevisitCallRow,
    ServiceRequestRow,
    Site,
    SlaProfileVersion,
)
from models.archive import (
    AssetRecord,
    CustomerRecord,
    EngineerRecord,
    History,
    HistoryEntry,
    LegacyRepair,
    LegacyRepairHistory,
    Page,
    PeriodicRevisitHistory,
    RepairRow,
    RequestHistory,
    RevisitAnswers,
    SignatureRatings,
    legacy_instant,
)

T = TypeVar("T")
#: A row as column name → value (`RowMapping`s, and the dicts written from records).
Row = Mapping[Any, Any]
Numbered = tuple[int, T]
#: Keys per `IN (…)` list: far below every backend's limit on bound parameters.
CHUNK = 500
#: How many examples a "still in use" message names.
EXAMPLES = 5


# ------------------------------------------------------------------ batches
@dataclass(frozen=True)
class RowProblem:
    """Why row `row` (1-based) of a batch cannot be written."""

    row: int
    field: str
    reason: str


@dataclass
class Plan:
    """What a batch does (keys added, updated, unchanged), why it cannot (problems), and the
    bulk statements that do it. Nothing is written until `apply`."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    statements: list[tuple[Executable, list[dict[str, Any]] | None]] = field(default_factory=list)

    def write(self, statement: Executable, rows: list[dict[str, Any]] | None = None) -> None:
        """Queue `statement`, executed once per row of `rows` (skipped when there are none)."""
        if rows is None or rows:
            self.statements.append((statement, rows))

    def apply(self, session: Session) -> None:
        if self.problems:
            raise ValueError("a batch with problems is not written")
        for statement, rows in self.statements:
            session.execute(statement, rows)


def _chunks(keys: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _rows(session: Session, entity: type[Base], column: str, keys: Iterable[str]) -> list[Row]:
    """Every row of `entity` whose `column` is one of `keys`, as column → value mappings."""
    table = entity.__table__
    found: list[Row] = []
    for chunk in _chunks(keys):
        found += session.execute(select(table).where(table.c[column].in_(chunk))).mappings()
    return found


def _grouped(rows: Iterable[Row], column: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return groups


def _first_of_each(
    plan: Plan, batch: Sequence[Numbered[T]], key: Callable[[T], str], name: str
) -> list[Numbered[T]]:
    """The batch without later rows of a key already seen; those are problems."""
    first: dict[str, int] = {}
    kept: list[Numbered[T]] = []
    for number, record in batch:
        value = key(record)
        if value in first:
            reason = f"{value!r} is also on row {first[value]}"
            plan.problems.append(RowProblem(number, name, reason))
        else:
            first[value] = number
            kept.append((number, record))
    return kept


def _delete_where_in(plan: Plan, column: InstrumentedAttribute[str], keys: Iterable[str]) -> None:
    for chunk in _chunks(keys):
        plan.write(delete(column.class_).where(column.in_(chunk)))


# ------------------------------------------------------------------ customers
def customer_values(record: CustomerRecord) -> dict[str, Any]:
    contact = record.contact
    return {
        "id": record.id,
        "name": record.name,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "email": record.email,
        "address": record.address,
        "region": record.region,
        "key_account": record.key_account,
        "sla_profile": record.sla_profile,
    }


def _site_values(record: CustomerRecord) -> list[dict[str, Any]]:
    return [
        {"customer_id": record.id} | site.model_dump(include={"id", "name", "address", "region"})
        for site in record.sites
    ]


def _contact_values(record: CustomerRecord) -> list[dict[str, Any]]:
    return [
        {"customer_id": record.id, "position": position, "name": c.name, "phone": c.phone}
        for position, c in enumerate(record.contacts)
    ]


def customer_record(row: Row, sites: Iterable[Row], contacts: Iterable[Row]) -> CustomerRecord:
    primary = None
    if row["contact_name"] and row["contact_phone"]:
        primary = {"name": row["contact_name"], "phone": row["contact_phone"]}
    return CustomerRecord.model_validate(
        {key: row[key] for key in ("id", "name", "email", "address", "region")}
        | {"key_account": row["key_account"], "sla_profile": row["sla_profile"]}
        | {
            "contact": primary,
            "contacts": [
                {"name": c["name"], "phone": c["phone"]}
                for c in sorted(contacts, key=lambda c: int(c["position"]))
            ],
            "sites": [
                {key: site[key] for key in ("id", "name", "address", "region")}
                for site in sorted(sites, key=lambda site: str(site["id"]))
            ],
        }
    )


def _by_id(rows: Iterable[Row]) -> list[dict[str, Any]]:
    return sorted((dict(row) for row in rows), key=lambda row: str(row["id"]))


@dataclass
class _StoredCustomers:
    """What the database holds for the customers of a batch, loaded once."""

    rows: dict[str, Row]
    sites: dict[str, list[Row]]
    contacts: dict[str, list[Row]]
    #: Site id → its customer, for every site a record of the batch names; the batch's new
    #: sites join as they are checked, so two rows cannot claim the same new site.
    owners: dict[str, str]
    #: Site id → serials of the assets standing there, for the sites records leave out.
    occupied: dict[str, list[str]]
    profiles: set[str]

    def unchanged(self, record: CustomerRecord) -> bool:
        contacts = sorted(self.contacts.get(record.id, []), key=lambda c: int(c["position"]))
        return (
            dict(self.rows[record.id]) == customer_values(record)
            and _by_id(self.sites.get(record.id, [])) == _by_id(_site_values(record))
            and [dict(c) for c in contacts] == _contact_values(record)
        )

    def dropped_sites(self, record: CustomerRecord) -> list[str]:
        kept = {site.id for site in record.sites}
        return [s["id"] for s in self.sites.get(record.id, []) if s["id"] not in kept]


def _load_customers(session: Session, records: Sequence[CustomerRecord]) -> _StoredCustomers:
    ids = [record.id for record in records]
    stored = _StoredCustomers(
        rows={row["id"]: row for row in _rows(session, Customer, "id", ids)},
        sites=_grouped(_rows(session, Site, "customer_id", ids), "customer_id"),
        contacts=_grouped(_rows(session, CustomerContact, "customer_id", ids), "customer_id"),
        owners={},
        occupied={},
        profiles=set(
            session.scalars(
                select(SlaProfileVersion.name)
                .where(SlaProfileVersion.deleted_at.is_(None))
                .distinct()
            )
        ),
    )
    named = (site.id for record in records for site in record.sites)
    stored.owners = {row["id"]: row["customer_id"] for row in _rows(session, Site, "id", named)}
    dropped = (site for record in records for site in stored.dropped_sites(record))
    for row in _rows(session, Asset, "site_id", dropped):
        stored.occupied.setdefault(row["site_id"], []).append(row["serial"])
    return stored


def _customer_problems(
    number: int, record: CustomerRecord, stored: _StoredCustomers
) -> list[RowProblem]:
    problems = []
    if record.sla_profile not in stored.profiles:
        reason = f"there is no SLA profile {record.sla_profile!r}"
        problems.append(RowProblem(number, "sla_profile", reason))
    for index, site in enumerate(record.sites):
        owner = stored.owners.setdefault(site.id, record.id)
        if owner != record.id:
            reason = f"site {site.id!r} belongs to customer {owner!r}"
            problems.append(RowProblem(number, f"sites.{index}.id", reason))
    for site_id in stored.dropped_sites(record):
        serials = stored.occupied.get(site_id)
        if serials:
            reason = (
                f"site {site_id!r} is left out but asset(s) {_examples(serials)} stand there; "
                "move them to another site first"
            )
            problems.append(RowProblem(number, "sites", reason))
    return problems


def plan_customers(session: Session, batch: Sequence[Numbered[CustomerRecord]]) -> Plan:
    """Insert new customers, update changed ones (their sites and contacts with them) and
    leave identical ones alone; a site that assets stand on cannot be left out."""
    plan = Plan()
    numbered = _first_of_each(plan, batch, lambda record: record.id, "id")
    stored = _load_customers(session, [record for _, record in numbered])
    added: list[CustomerRecord] = []
    updated: list[CustomerRecord] = []
    for number, record in numbered:
        problems = _customer_problems(number, record, stored)
        if problems:
            plan.problems += problems
        elif record.id not in stored.rows:
            plan.added.append(record.id)
            added.append(record)
        elif stored.unchanged(record):
            plan.unchanged.append(record.id)
        else:
            plan.updated.append(record.id)
            updated.append(record)
    _write_customers(plan, added, updated, stored)
    return plan


def _write_customers(
    plan: Plan,
    added: list[CustomerRecord],
    updated: list[CustomerRecord],
    stored: _StoredCustomers,
) -> None:
    plan.write(insert(Customer), [customer_values(record) for record in added])
    plan.write(update(Customer), [customer_values(record) for record in updated])
    before = {row["id"]: dict(row) for record in updated for row in stored.sites.get(record.id, [])}
    after = {site["id"]: site for record in added + updated for site in _site_values(record)}
    _delete_where_in(plan, Site.id, before.keys() - after.keys())
    plan.write(insert(Site), [site for key, site in after.items() if key not in before])
    plan.write(
        update(Site), [site for key, site in after.items() if key in before and before[key] != site]
    )
    # Nothing refers to contacts: an updated customer's are simply replaced.
    _delete_where_in(plan, CustomerContact.customer_id, (record.id for record in updated))
    plan.write(
        insert(CustomerContact), [c for record in added + updated for c in _contact_values(record)]
    )


# ------------------------------------------------------------------ assets and repairs
def asset_values(record: AssetRecord) -> dict[str, Any]:
    return record.model_dump(exclude={"warranty", "repairs"}) | {
        "warranty": record.warranty.model_dump(mode="json"),
        "repairs": [repair.model_dump(mode="json") for repair in record.repairs],
    }


def asset_record(row: Row) -> AssetRecord:
    return AssetRecord.model_validate({key: row[key] for key in AssetRecord.model_fields})


def _repair_key(entry: Mapping[str, Any]) -> tuple[str, str]:
    """`LegacyRepair.key` of a stored entry (stored by something else, perhaps: tolerant)."""
    registered = str(entry.get("registered_at", ""))
    with suppress(ValueError):
        registered = legacy_instant(registered)
    return str(entry.get("fault_code", "")), registered


def merge_repairs(
    stored: Iterable[Mapping[str, Any]], new: Iterable[LegacyRepair]
) -> list[dict[str, Any]]:
    """The stored repairs followed by the new ones they do not have yet."""
    merged = [dict(entry) for entry in stored]
    seen = {_repair_key(entry) for entry in merged}
    for repair in new:
        if repair.key not in seen:
            seen.add(repair.key)
            merged.append(repair.model_dump(mode="json"))
    return merged


def _asset_problems(
    number: int, record: AssetRecord, customers: Collection[str], site_owners: Mapping[str, str]
) -> list[RowProblem]:
    if record.customer_id not in customers:
        reason = f"there is no customer {record.customer_id!r}"
        return [RowProblem(number, "customer_id", reason)]
    if record.site_id is None:
        return []
    owner = site_owners.get(record.site_id)
    if owner is None:
        return [RowProblem(number, "site_id", f"there is no site {record.site_id!r}")]
    if owner != record.customer_id:
        reason = f"site {record.site_id!r} belongs to customer {owner!r}, not {record.customer_id}"
        return [RowProblem(number, "site_id", reason)]
    return []


def plan_assets(
    session: Session, batch: Sequence[Numbered[AssetRecord]], *, keep_repairs: bool
) -> Plan:
    """Insert new assets, update changed ones, leave identical ones alone.

    With `keep_repairs` (the import), a record's repairs are added to the stored ones rather
    than replacing them: history is only ever added by an import, and an assets file written
    before a repairs file does not erase what that one brought.
    """
    plan = Plan()
    numbered = _first_of_each(plan, batch, lambda record: record.serial, "serial")
    records = [record for _, record in numbered]
    stored = {row["serial"]: row for row in _rows(session, Asset, "serial", _serials(records))}
    customer_ids = (record.customer_id for record in records)
    customers = {row["id"] for row in _rows(session, Customer, "id", customer_ids)}
    site_ids = (record.site_id for record in records if record.site_id)
    site_owners = {row["id"]: row["customer_id"] for row in _rows(session, Site, "id", site_ids)}
    added: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for number, record in numbered:
        problems = _asset_problems(number, record, customers, site_owners)
        row = stored.get(record.serial)
        values = asset_values(record)
        if keep_repairs and row is not None:
            values["repairs"] = merge_repairs(row["repairs"] or [], record.repairs)
        if problems:
            plan.problems += problems
        elif row is None:
            plan.added.append(record.serial)
            added.append(values)
        elif {key: row[key] for key in values} == values:  # the replacement links aside
            plan.unchanged.append(record.serial)
        else:
            plan.updated.append(record.serial)
            updated.append(values)
    plan.write(insert(Asset), added)
    plan.write(update(Asset), updated)
    return plan


def _serials(records: Iterable[AssetRecord]) -> list[str]:
    return [record.serial for record in records]


def plan_repairs(session: Session, batch: Sequence[Numbered[RepairRow]]) -> Plan:
    """Add legacy repairs to their assets' history; a repair the asset has (same fault code
    and registration) is not added again. `added` names repairs, `updated` assets."""
    plan = Plan()
    stored = {
        row["serial"]: row["repairs"] or []
        for row in _rows(session, Asset, "serial", (row.serial for _, row in batch))
    }
    new: dict[str, list[LegacyRepair]] = defaultdict(list)
    for number, row in batch:
        if row.serial in stored:
            new[row.serial].append(row.repair())
        else:
            reason = f"there is no asset with serial {row.serial!r}"
            plan.problems.append(RowProblem(number, "serial", reason))
    changed = []
    for serial, repairs in new.items():
        known = {_repair_key(entry) for entry in stored[serial]}
        for repair in repairs:
            label = f"{serial} {repair.fault_code} {repair.registered_at}"
            (plan.unchanged if repair.key in known else plan.added).append(label)
            known.add(repair.key)
        merged = merge_repairs(stored[serial], repairs)
        if len(merged) > len(stored[serial]):
            plan.updated.append(serial)
            changed.append({"serial": serial, "repairs": merged})
    plan.write(update(Asset), changed)
    return plan


def legacy_repairs(session: Session, serial: str) -> list[dict[str, Any]]:
    """The asset's imported repair history (SPEC §4 `repairs`); empty for an unknown asset."""
    repairs = session.scalar(select(Asset.repairs).where(Asset.serial == serial))
    return list(repairs or [])


# ------------------------------------------------------------------ engineers
def engineer_values(record: EngineerRecord) -> dict[str, Any]:
    return record.model_dump()


def engineer_record(engineer: Engineer) -> EngineerRecord:
    return EngineerRecord.model_validate(engineer, from_attributes=True)


def get_engineer(session: Session, engineer_id: str) -> EngineerRecord | None:
    engineer = session.get(Engineer, engineer_id)
    return engineer_record(engineer) if engineer else None


def save_engineer(session: Session, record: EngineerRecord) -> None:
    """Insert or replace the engineer (nothing else refers to one but by id)."""
    session.merge(Engineer(**engineer_values(record)))


# ------------------------------------------------------------------ reading
def get_customer(session: Session, customer_id: str) -> CustomerRecord | None:
    rows = _rows(session, Customer, "id", [customer_id])
    return _customer_records(session, rows)[0] if rows else None


def _customer_records(session: Session, rows: Sequence[Row]) -> list[CustomerRecord]:
    ids = [row["id"] for row in rows]
    sites = _grouped(_rows(session, Site, "customer_id", ids), "customer_id")
    contacts = _grouped(_rows(session, CustomerContact, "customer_id", ids), "customer_id")
    return [
        customer_record(row, sites.get(row["id"], []), contacts.get(row["id"], [])) for row in rows
    ]


def list_customers(
    session: Session, region: str | None, page: int, page_size: int
) -> Page[CustomerRecord]:
    where = [Customer.region == region] if region else []
    total = session.scalar(select(func.count()).select_from(Customer).where(*where)) or 0
    query = select(Customer.__table__).where(*where).order_by(Customer.id)
    rows = session.execute(query.offset((page - 1) * page_size).limit(page_size)).mappings()
    items = _customer_records(session, list(rows))
    return Page(items=items, total=total, page=page, page_size=page_size)


def get_asset(session: Session, serial: str) -> AssetRecord | None:
    rows = _rows(session, Asset, "serial", [serial])
    return asset_record(rows[0]) if rows else None


def list_assets(
    session: Session, customer_id: str | None, region: str | None, page: int, page_size: int
) -> Page[AssetRecord]:
    """Assets by serial; an asset's region is its site's, or its customer's without a site."""
    where: list[ColumnElement[bool]] = []
    if customer_id:
        where.append(Asset.customer_id == customer_id)
    if region:
        where.append(func.coalesce(Site.region, Customer.region) == region)
    joined = (
        select(Asset.__table__)
        .join(Customer, Customer.id == Asset.customer_id)
        .outerjoin(Site, Site.id == Asset.site_id)
        .where(*where)
    )
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    page_rows = joined.order_by(Asset.serial).offset((page - 1) * page_size).limit(page_size)
    items = [asset_record(row) for row in session.execute(page_rows).mappings()]
    return Page(items=items, total=total, page=page, page_size=page_size)


def list_engineers(
    session: Session,
    region: str | None,
    skill: str | None,
    on_duty: bool | None,
    page: int,
    page_size: int,
) -> Page[EngineerRecord]:
    """Engineers by id. Skills and regions are JSON lists, which the two backends search
    differently; a service organisation has engineers by the hundred, so filter here."""
    engineers = [
        engineer_record(engineer)
        for engineer in session.scalars(select(Engineer).order_by(Engineer.id))
        if (region is None or region in engineer.regions)
        and (skill is None or skill in engineer.skills)
        and (on_duty is None or engineer.on_duty == on_duty)
    ]
    return Page.of(engineers, page, page_size)


# ------------------------------------------------------------------ deleting
def _examples(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:EXAMPLES])
    return shown + (" …" if len(keys) > EXAMPLES else "")


def _uses(
    session: Session, key: InstrumentedAttribute[Any], where: ColumnElement[bool], what: str
) -> list[str]:
    """`["3 assets (SN-1, SN-2, SN-3)"]`, or nothing when no row matches."""
    total = session.scalar(select(func.count(key)).where(where)) or 0
    if not total:
        return []
    keys = list(session.scalars(select(key).where(where).order_by(key).limit(EXAMPLES + 1)))
    return [f"{total} {what} ({_examples(keys)})"]


def customer_uses(session: Session, customer_id: str) -> list[str]:
    return (
        _uses(session, Asset.serial, Asset.customer_id == customer_id, "asset(s)")
        + _uses(
            session,
            ServiceRequestRow.number,
            ServiceRequestRow.customer_id == customer_id,
            "service request(s)",
        )
        + _key_uses(session, ApiKey.customer_id == customer_id)
    )


def asset_uses(session: Session, serial: str) -> list[str]:
    where = ServiceRequestRow.asset_serial == serial
    return _uses(session, ServiceRequestRow.number, where, "service request(s)") + _uses(
        session, Asset.serial, Asset.replaced_by == serial, "unit(s) it replaced"
    )


def engineer_uses(session: Session, engineer_id: str) -> list[str]:
    where = ServiceRequestRow.engineer_id == engineer_id
    return _uses(session, ServiceRequestRow.number, where, "service request(s)") + _key_uses(
        session, ApiKey.engineer_id == engineer_id
    )


def _key_uses(session: Session, where: ColumnElement[bool]) -> list[str]:
    """API keys bound to the person, revoked ones too: the timeline names them."""
    return _uses(session, ApiKey.id, where, "API key(s)")


def delete_customer(session: Session, customer_id: str) -> None:
    """Its sites and contacts go with it (ON DELETE CASCADE)."""
    session.execute(delete(Customer).where(Customer.id == customer_id))


def delete_asset(session: Session, serial: str) -> None:
    session.execute(delete(Asset).where(Asset.serial == serial))


def delete_engineer(session: Session, engineer_id: str) -> None:
    session.execute(delete(Engineer).where(Engineer.id == engineer_id))


# ------------------------------------------------------------------ history
def customer_history(session: Session, customer_id: str, timezone: str, limit: int) -> History:
    """The customer's requests, the legacy repairs of the assets it owns and its periodic
    revisits, newest first."""
    return _history(
        session,
        ServiceRequestRow.customer_id == customer_id,
        Asset.customer_id == customer_id,
        RevisitCallRow.customer_id == customer_id,
        ZoneInfo(timezone),
        limit,
    )


def asset_history(session: Session, serial: str, timezone: str, limit: int) -> History:
    """The asset's requests, its legacy repairs and the periodic revisits about it, newest
    first."""
    return _history(
        session,
        ServiceRequestRow.asset_serial == serial,
        Asset.serial == serial,
        RevisitCallRow.asset_serial == serial,
        ZoneInfo(timezone),
        limit,
    )


def _history(
    session: Session,
    requests: ColumnElement[bool],
    assets: ColumnElement[bool],
    calls: ColumnElement[bool],
    zone: ZoneInfo,
    limit: int,
) -> History:
    query = (
        select(ServiceRequestRow)
        .where(requests)
        .order_by(ServiceRequestRow.reported_at.desc(), ServiceRequestRow.number.desc())
        .limit(limit)
    )
    entries: list[tuple[datetime, HistoryEntry]] = [
        (row.reported_at, _request_entry(row)) for row in session.scalars(query)
    ]
    legacy = session.execute(select(Asset.serial, Asset.customer_id, Asset.repairs).where(assets))
    for serial, customer_id, repairs in legacy:
        for repair in repairs or []:
            entry = _legacy_entry(serial, customer_id, repair)
            entries.append((_legacy_at(entry.registered_at, zone), entry))
    periodic = (
        select(RevisitCallRow)
        .where(calls, RevisitCallRow.kind == "periodic")
        .order_by(RevisitCallRow.due.desc())
        .limit(limit)
    )
    for call in session.scalars(periodic):
        answers = PeriodicRevisitHistory.model_validate(call, from_attributes=True)
        entries.append((call.due, answers))
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return History(entries=[entry for _, entry in entries[:limit]])


def _request_entry(row: ServiceRequestRow) -> RequestHistory:
    state = row.state
    signature = state.get("signature")
    return RequestHistory(
        number=row.number,
        customer_id=row.customer_id,
        asset_serial=row.asset_serial,
        type=row.type,
        stage=row.stage,
        severity=row.severity,
        fault_code=state.get("fault_code"),
        reported_at=row.reported_at,
        closed_at=row.closed_at,
        outcome=row.outcome,
        engineer=row.engineer_id,
        revisits=[RevisitAnswers.model_validate(r) for r in state.get("revisits") or []],
        signature=SignatureRatings.model_validate(signature) if signature else None,
    )


def _legacy_entry(serial: str, customer_id: str, repair: Mapping[str, Any]) -> LegacyRepairHistory:
    return LegacyRepairHistory(
        customer_id=customer_id,
        asset_serial=serial,
        fault_code=str(repair.get("fault_code", "")),
        registered_at=str(repair.get("registered_at", "")),
        resolved_at=repair.get("resolved_at"),
        outcome=str(repair.get("outcome", "fixed")),
    )


def _legacy_at(text: str, zone: ZoneInfo) -> datetime:
    """When a legacy repair was registered: a bare date is the start of that local day."""
    try:
        if len(text) == 10:
            return datetime.combine(datetime.fromisoformat(text).date(), time.min, zone)
        instant = datetime.fromisoformat(text)
        return instant if instant.tzinfo else instant.replace(tzinfo=zone)
    except ValueError:
        return datetime.min.replace(tzinfo=zone)  # unreadable: oldest

"""`manage.py import-archive FILE`: customers, assets or legacy repairs from a CSV or JSON file.

A file holds one kind of row: `--kind customers|assets|repairs`, or the kind its name says
(`customers-2026.csv`, `legacy_repairs.json`). Rows refer to what the database holds, so
import customers before their assets, and assets before their repairs.

JSON: a list of objects in SPEC §4's shapes (those of `GET /v1/customers/{id}` and
`GET /v1/assets/{serial}`); a repair is `{"serial", "fault_code", "registered_at",
"resolved_at", "outcome"}`.

CSV: UTF-8 (a BOM is fine), one header row, one record per row; an empty cell is an absent
value (the field's default). Only the columns a file needs must be there:

  customers  id, name, contact_name, contact_phone, email, address, region, key_account,
             sla_profile, sites, contacts
  assets     serial, model, category, customer_id, site_id, invoice_date, acceptance_date,
             main_equipment, warranty_start_basis, warranty_months, warranty_components,
             warranty_repair_warranty_months, repairs, manufacture_date, purpose,
             maintenance_interval_months
  repairs    serial, fault_code, registered_at, resolved_at, outcome

`contact_*` and `warranty_*` are the fields of the nested `contact` and `warranty`; `sites`,
`contacts`, `repairs` and `warranty_components` hold JSON, e.g.
`[{"id": "C001-S1", "name": "港区仓库", "region": "qingdao"}]` or `{"bulb": 6}`.

What an import does:
- Every row is checked before anything is written, with the API's own models and against the
  database (customer, site and SLA profile exist; a site belongs to the asset's customer).
  Any bad row: every problem is reported as `FILE: row N: field: reason` (N counts data rows
  from 1; in JSON, the position in the list), and nothing is written.
- The whole file is one transaction.
- Records are matched by id / serial: a new one is added, a changed one updated, an identical
  one left alone, so importing the same file again changes nothing. A customer row is the
  whole customer: sites and contacts it leaves out are removed (not a site assets stand on).
- Legacy repairs (a repairs file, or an asset's `repairs`) are added to the asset's history,
  never twice (same serial, fault code and registration) and never removed by an import.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO, get_args

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from db.archive import Numbered, Plan, RowProblem, plan_assets, plan_customers, plan_repairs
from db.session import SessionFactory, transaction
from models.archive import AssetRecord, CustomerRecord, RepairRow
from models.errors import field_errors

Kind = Literal["customers", "assets", "repairs"]
KINDS: tuple[Kind, ...] = get_args(Kind)
MODELS: dict[Kind, type[BaseModel]] = {
    "customers": CustomerRecord,
    "assets": AssetRecord,
    "repairs": RepairRow,
}
#: Nested objects written as one column per field: `warranty_months` is `warranty.months`.
NESTED = frozenset({"contact", "warranty"})
#: Columns holding JSON text.
JSON_COLUMNS = frozenset({"sites", "contacts", "repairs", "warranty_components"})
#: Files smaller than this are checked too quickly for a progress line to help.
PROGRESS_FROM_ROWS = 2000
HEADER = 0


class ImportRejected(Exception):
    """The file cannot be imported: one line per problem; nothing has been written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def columns(kind: Kind) -> list[str]:
    """The CSV columns of a kind of row, in the order of its model's fields."""
    names = []
    for name, info in MODELS[kind].model_fields.items():
        nested = _model_in(info.annotation) if name in NESTED else None
        names += [f"{name}_{part}" for part in nested.model_fields] if nested else [name]
    return names


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model of `Warranty` or of `Contact | None`."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def kind_of(path: Path) -> Kind:
    named = [kind for kind in KINDS if kind in path.stem.lower()]
    if len(named) != 1:
        raise ImportRejected(
            [f"{path}: the name does not tell the kind of rows; give --kind {'|'.join(KINDS)}"]
        )
    return named[0]


# ------------------------------------------------------------------ progress
class Progress:
    """`checking assets.csv:  42%` on stderr while a large file is checked; silent when
    stderr is not a terminal (logs and tests want no carriage returns)."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.total = total
        self.enabled = total >= PROGRESS_FROM_ROWS and self.stream.isatty()
        self.shown = -1

    def update(self, done: int) -> None:
        percent = done * 100 // max(self.total, 1)
        if self.enabled and percent != self.shown:
            self.shown = percent
            self.stream.write(f"\r{self.label}: {percent:3d}% ({done}/{self.total})")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.shown >= 0:
            self.stream.write("\n")


# ------------------------------------------------------------------ reading
Documents = list[Numbered[dict[str, Any]]]


def read_documents(path: Path, kind: Kind) -> tuple[Documents, list[RowProblem]]:
    """The file's rows as documents shaped like the API's bodies, and rows that are not."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ImportRejected([f"{path}: use a .csv or .json file"])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRejected([f"{path}: {exc}"]) from None
    return _json_documents(path, text) if suffix == ".json" else _csv_documents(text, kind)


def _json_documents(path: Path, text: str) -> tuple[Documents, list[RowProblem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected([f"{path}: not valid JSON: {exc}"]) from None
    if not isinstance(data, list):
        raise ImportRejected([f"{path}: the file must hold a list of objects"])
    documents: Documents = []
    problems = []
    for number, item in enumerate(data, 1):
        if isinstance(item, dict):
            documents.append((number, item))
        else:
            problems.append(RowProblem(number, "row", "is not an object"))
    return documents, problems


def _csv_documents(text: str, kind: Kind) -> tuple[Documents, list[RowProblem]]:
    # Quoted cells may span lines (an address): the reader gets the text, not its lines.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    known = columns(kind)
    header = reader.fieldnames or []
    problems = [
        RowProblem(HEADER, column, f"is not a column for {kind} (known: {', '.join(known)})")
        for column in header
        if column not in known
    ]
    problems += [
        RowProblem(HEADER, column, "appears twice")
        for column in sorted(set(header))
        if header.count(column) > 1
    ]
    documents: Documents = []
    number = 0
    try:
        for number, cells in enumerate(reader, 1):
            document, row_problems = _document(number, cells, known)
            documents.append((number, document))
            problems += row_problems
    except csv.Error as exc:
        problems.append(RowProblem(number + 1, "row", f"is not valid CSV: {exc}"))
    return documents, problems


def _document(
    number: int, cells: dict[str | Any, Any], known: Sequence[str]
) -> tuple[dict[str, Any], list[RowProblem]]:
    document: dict[str, Any] = {}
    problems = []
    for column, cell in cells.items():
        if column is None:  # DictReader's key for cells beyond the header
            problems.append(RowProblem(number, "row", "has more cells than the header"))
            continue
        if column not in known or cell is None or not cell.strip():
            continue
        value: Any = cell
        if column in JSON_COLUMNS:
            try:
                value = json.loads(cell)
            except json.JSONDecodeError as exc:
                problems.append(RowProblem(number, column, f"is not valid JSON: {exc}"))
                continue
        group, _, part = column.partition("_")
        if group in NESTED:
            document.setdefault(group, {})[part] = value
        else:
            document[column] = value
    return document, problems


def csv_field(field: str, known: Iterable[str]) -> str:
    """The column a document's field came from: `warranty.months` is `warranty_months`."""
    parts = field.split(".")
    if len(parts) > 1 and f"{parts[0]}_{parts[1]}" in set(known):
        return ".".join([f"{parts[0]}_{parts[1]}", *parts[2:]])
    return field


# ------------------------------------------------------------------ checking and writing
def validate(
    kind: Kind, documents: Documents, is_csv: bool, progress: Progress
) -> tuple[list[Numbered[Any]], list[RowProblem]]:
    model = MODELS[kind]
    known = columns(kind)
    records: list[Numbered[Any]] = []
    problems: list[RowProblem] = []
    for done, (number, document) in enumerate(documents, 1):
        try:
            records.append((number, model.model_validate(document)))
        except ValidationError as exc:
            for error in field_errors(exc, default="row"):
                field = csv_field(error["field"], known) if is_csv else error["field"]
                problems.append(RowProblem(number, field, error["reason"]))
        progress.update(done)
    progress.close()
    return records, problems


def plan(session: Session, kind: Kind, records: list[Numbered[Any]]) -> Plan:
    if kind == "customers":
        return plan_customers(session, records)
    if kind == "assets":
        # An import only adds history: an asset row's repairs join the stored ones.
        return plan_assets(session, records, keep_repairs=True)
    return plan_repairs(session, records)


def summary(kind: Kind, rows: int, plan: Plan) -> str:
    counted = f"{rows} row{'' if rows == 1 else 's'}"
    if kind == "repairs":
        return (
            f"{counted}: {len(plan.added)} repairs added to {len(plan.updated)} assets, "
            f"{len(plan.unchanged)} already there"
        )
    return (
        f"{counted}: {len(plan.added)} added, {len(plan.updated)} updated, "
        f"{len(plan.unchanged)} unchanged"
    )


def report(path: Path, problems: Iterable[RowProblem]) -> list[str]:
    return [
        f"{path}: {'header' if p.row == HEADER else f'row {p.row}'}: {p.field}: {p.reason}"
        for p in sorted(problems, key=lambda p: p.row)
    ]


def import_archive(
    sessions: SessionFactory, path: Path, kind: Kind | None = None, *, dry_run: bool = False
) -> list[str]:
    """Import the file in one transaction, or nothing at all (ImportRejected naming every
    bad row). With `dry_run`, check and count only."""
    kind = kind or kind_of(path)
    documents, problems = read_documents(path, kind)
    progress = Progress(f"checking {path.name}", len(documents))
    records, invalid = validate(kind, documents, path.suffix.lower() == ".csv", progress)
    problems += invalid
    with transaction(sessions) as session:
        changes = plan(session, kind, records)
        problems += changes.problems
        if problems:
            raise ImportRejected(report(path, problems))
        if not dry_run:
            changes.apply(session)
    line = f"{path}: {summary(kind, len(documents), changes)}"
    return [line + (" (dry run: nothing written)" if dry_run else "")]

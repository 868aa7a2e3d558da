"""Spreadsheet downloads: CSV in UTF-8 with a byte-order mark (Excel reads Chinese only with
it), streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse

BOM = "\ufeff"


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested figures as columns: {"clocks": {"response": {"met": 3}}} → clocks.response.met."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def csv_lines(rows: Iterable[Mapping[str, Any]], header: Sequence[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
        yield buffer.getvalue()


def csv_response(
    rows: Iterable[Mapping[str, Any]], header: Sequence[str], filename: str
) -> StreamingResponse:
    return StreamingResponse(
        csv_lines(rows, header),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )

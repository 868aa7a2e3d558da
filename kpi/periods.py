"""Periods and time buckets in the service time zone.

A period runs from the local midnight that starts `from` to the one that ends `to` (both
days included). A bucket (day, ISO week from Monday, month) is exact in the zone, daylight
saving or not, because its bounds are instants computed here; the database only compares
instants, through a balanced CASE (`bucket_index`), which works the same on SQLite and
PostgreSQL and costs a few comparisons per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, literal_column

#: The longest period one query may cover, in days (a half-year report, a year of months).
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    timezone: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")
        if (self.last - self.first).days >= MAX_DAYS:
            raise ValueError(f"a period covers at most {MAX_DAYS} days")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self.midnight(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive."""
        return self.midnight(self.last + timedelta(days=1))


@dataclass(frozen=True)
class Bucket:
    label: str
    start: datetime
    end: datetime


def buckets(period: Period, unit: str) -> list[Bucket]:
    """The period cut into `unit`s (`day`, `week`, `month`), the first and last clipped to
    it."""
    starts: list[date] = [period.first]
    day = period.first
    while True:
        day = _next(day, unit)
        if day > period.last:
            break
        starts.append(day)
    ends = [*starts[1:], period.last + timedelta(days=1)]
    return [
        Bucket(_label(first, unit), period.midnight(first), period.midnight(end))
        for first, end in zip(starts, ends, strict=True)
    ]


def _next(day: date, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=1)
    if unit == "week":
        return day + timedelta(days=7 - day.weekday())
    if unit == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    raise ValueError(f"no such time bucket: {unit}")


def _label(day: date, unit: str) -> str:
    if unit == "day":
        return day.isoformat()
    if unit == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def bucket_index(instant: ColumnElement[datetime], bounds: Sequence[Bucket]) -> ColumnElement[int]:
    """The index of the bucket `instant` falls in (the caller keeps instants inside the
    period): a CASE nested as a binary search over the buckets' starts."""

    def search(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal_column(str(low))
        middle = (low + high + 1) // 2
        return case(
            (instant < bounds[middle].start, search(low, middle - 1)), else_=search(middle, high)
        )

    return search(0, len(bounds) - 1)


def ended_before(kind: str, day: date, timezone: str) -> Period:
    """The week (Monday to Sunday), month or half-year (January–June, July–December) that
    ended before `day`."""
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1), timezone)
    if kind == "monthly":
        first_of_this = day.replace(day=1)
        last = first_of_this - timedelta(days=1)
        return Period(last.replace(day=1), last, timezone)
    if kind == "half_yearly":
        if day.month > 6:
            return Period(date(day.year, 1, 1), date(day.year, 6, 30), timezone)
        return Period(date(day.year - 1, 7, 1), date(day.year - 1, 12, 31), timezone)
    raise ValueError(f"no such report period: {kind}")

"""Business calendars (SPEC §3): weekly windows in a time zone, holidays and make-up days.

Windows are half-open `[start, end)` in local wall-clock time; `24:00` is the end of the day.
Every instant handed out is timezone-aware. Arithmetic is done in UTC: Python adds and
subtracts datetimes of one zone on the wall clock, which would make a window that spans a
daylight-saving change an hour too long or short; in UTC it is exactly as long as it really is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.common import WEEKDAYS
from models.profile import CalendarSpec, minutes_of_day

#: How far ahead a search for working time goes before the calendar is declared empty.
HORIZON_DAYS = 3 * 366

Window = tuple[datetime, datetime]


class NoWorkingTime(ValueError):
    """The calendar has no working time within the horizon (e.g. every day a holiday)."""


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    #: Per weekday (0 = Monday): the windows as (start, end) minutes after local midnight.
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    #: Make-up working days (调休): the date works like the given weekday (0 = Monday).
    extra_workdays: tuple[tuple[date, int], ...] = ()
    _cache: dict[date, tuple[Window, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_spec(cls, spec: CalendarSpec) -> BusinessCalendar:
        weekly = tuple(
            tuple((minutes_of_day(a), minutes_of_day(b)) for a, b in spec.weekly.get(day, []))
            for day in WEEKDAYS
        )
        return cls(
            zone=ZoneInfo(spec.timezone),
            weekly=weekly,
            holidays=frozenset(spec.holidays),
            extra_workdays=tuple(
                sorted((d, WEEKDAYS.index(w)) for d, w in spec.extra_workdays.items())
            ),
        )

    # ------------------------------------------------------------------ dates and windows
    def _works_like(self, day: date) -> int | None:
        """The weekday whose windows `day` uses, or None when it is not a working date."""
        for extra, weekday in self.extra_workdays:
            if extra == day:
                return weekday
        if day in self.holidays or not self.weekly[day.weekday()]:
            return None
        return day.weekday()

    def is_working_date(self, day: date) -> bool:
        return self._works_like(day) is not None

    def windows(self, day: date) -> tuple[Window, ...]:
        """The windows of a local date as aware UTC instants (empty on a non-working date)."""
        cached = self._cache.get(day)
        if cached is None:
            weekday = self._works_like(day)
            midnight = datetime.combine(day, time())
            cached = tuple(
                (
                    self._instant(midnight + timedelta(minutes=a)),
                    self._instant(midnight + timedelta(minutes=b)),
                )
                for a, b in (self.weekly[weekday] if weekday is not None else ())
            )
            self._cache[day] = cached
        return cached

    def _instant(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def local(self, instant: datetime) -> datetime:
        """Instants are handed out in the calendar's own time zone: what its people read."""
        return instant.astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def windows_from(self, start: datetime) -> Iterator[Window]:
        """Every window that ends after `start`, in order; raises NoWorkingTime past the horizon."""
        first = self.local_date(start) - timedelta(days=1)  # a DST shift can move a window's date
        for offset in range(HORIZON_DAYS):
            for window in self.windows(first + timedelta(days=offset)):
                if window[1] > start:
                    yield window
        raise NoWorkingTime(f"no working time within {HORIZON_DAYS} days after {start.isoformat()}")

    # ------------------------------------------------------------------ arithmetic
    def working_pieces(self, a: datetime, b: datetime) -> Iterator[Window]:
        """The parts of [a, b) that lie inside windows of working dates, in order."""
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b <= a:
            return
        for start, end in self.windows_from(a):
            if start >= b:
                return
            yield max(start, a), min(end, b)

    def business_time(self, a: datetime, b: datetime) -> timedelta:
        """Real time of [a, b) that lies inside windows of working dates."""
        return sum((end - start for start, end in self.working_pieces(a, b)), timedelta(0))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest t ≥ start with business_time(start, t) = amount; a deadline that
        ends exactly at a window's end is that end."""
        if amount <= timedelta(0):
            return self.local(start)
        start, remaining = start.astimezone(UTC), amount
        for window_start, window_end in self.windows_from(start):
            begin = max(window_start, start)
            available = window_end - begin
            if remaining <= available:
                return self.local(begin + remaining)
            remaining -= available
        raise AssertionError("unreachable: windows_from raises past the horizon")

    def working_days_end(self, start: datetime, days: int) -> datetime:
        """The end of the last window of the `days`-th working date strictly after the local
        date of `start` (that date is day 0, working or not)."""
        if days <= 0:
            return self.local(start)
        day, counted = self.local_date(start), 0
        for _ in range(HORIZON_DAYS):
            day += timedelta(days=1)
            windows = self.windows(day)
            if windows:
                counted += 1
                if counted == days:
                    return self.local(windows[-1][1])
        raise NoWorkingTime(f"fewer than {days} working days within {HORIZON_DAYS} days")

    def same_day_or_next_morning(self, start: datetime, cut_off: int, next_by: int) -> datetime:
        """The close of `start`'s date when that is a working date and `start` is before both
        its cut-off (minutes after local midnight) and its close; otherwise `next_by` on the
        next working date, within that date's hours: no later than its close, and a time at
        or before its opening is the end of its first window (its morning). (A deadline is a
        business instant: an opening would be the same one as the close before it.)"""
        day = self.local_date(start)
        today = self.windows(day)
        if today and start < min(self._minute(day, cut_off), today[-1][1]):
            return self.local(today[-1][1])
        for _ in range(HORIZON_DAYS):
            day += timedelta(days=1)
            windows = self.windows(day)
            if windows:
                by = self._minute(day, next_by)
                if by <= windows[0][0]:
                    by = windows[0][1]
                return self.local(min(by, windows[-1][1]))
        raise NoWorkingTime(f"no working day within {HORIZON_DAYS} days")

    def _minute(self, day: date, minutes: int) -> datetime:
        return self._instant(datetime.combine(day, time()) + timedelta(minutes=minutes))

    def open_at_or_after(self, instant: datetime) -> datetime:
        """`instant` if it is inside a window, else the start of the next window."""
        window_start, _ = next(self.windows_from(instant))
        return self.local(max(window_start, instant.astimezone(UTC)))

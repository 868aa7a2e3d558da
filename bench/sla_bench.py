"""Deadline computations per second (issue #3's benchmark; not a test).

    .venv/bin/python bench/sla_bench.py

A 5x8 office calendar with a lunch break and a year of Chinese public holidays; targets in
minutes and in working days; without pauses and with 5 pauses. "warm" reuses one calendar
(its per-date windows cached); "plan" is the activity's whole path, building the calendars
from the profile on every call as `plan_clocks` does.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.activity_io import ClockPlanRequest, Interval
from models.common import ClockName
from models.profile import CalendarSpec, SlaProfile, Target
from sla.calendar import BusinessCalendar
from sla.deadlines import deadline, plan

TZ = ZoneInfo("Asia/Shanghai")
HOLIDAY_RANGES = [  # 2026, inclusive
    ("2026-01-01", 3),
    ("2026-02-15", 9),
    ("2026-04-04", 3),
    ("2026-05-01", 5),
    ("2026-06-19", 3),
    ("2026-09-25", 3),
    ("2026-10-01", 8),
]
HOLIDAYS = [
    (date.fromisoformat(first) + timedelta(days=i)).isoformat()
    for first, n in HOLIDAY_RANGES
    for i in range(n)
]
OFFICE = {
    "timezone": "Asia/Shanghai",
    "weekly": {
        d: [["09:00", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": HOLIDAYS,
    "extra_workdays": {
        "2026-02-14": "mon",
        "2026-02-28": "mon",
        "2026-09-20": "mon",
        "2026-10-10": "fri",
    },
}


def starts(n: int, seed: int = 7) -> list[datetime]:
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=TZ)
    return [base + timedelta(minutes=rng.randrange(0, 330 * 24 * 60)) for _ in range(n)]


def five_pauses(start: datetime) -> list[Interval]:
    return [
        Interval(start=start + timedelta(hours=6 * i + 1), end=start + timedelta(hours=6 * i + 3))
        for i in range(5)
    ]


def rate(label: str, work: Callable[[datetime], object], instants: list[datetime]) -> None:
    began = time.perf_counter()
    for instant in instants:
        work(instant)
    elapsed = time.perf_counter() - began
    each = elapsed * 1e6 / len(instants)
    print(f"{label:<44} {len(instants) / elapsed:>10,.0f} /s   ({each:,.1f} µs each)")


def main() -> None:
    calendar = BusinessCalendar.from_spec(CalendarSpec.model_validate(OFFICE))
    minutes = Target(calendar="office", minutes=960)
    days = Target(calendar="office", working_days=5)
    instants = starts(20_000)
    pauses = {s: five_pauses(s) for s in instants}
    for instant in instants:  # warm the per-date window cache over the whole year
        deadline(calendar, days, instant)
    print(f"5x8 office calendar, lunch break, {len(HOLIDAYS)} holidays; {len(instants)} starts")
    rate("warm: 960 business minutes", lambda s: deadline(calendar, minutes, s), instants)
    rate("warm: 5 working days", lambda s: deadline(calendar, days, s), instants)
    rate(
        "warm: 960 minutes, 5 pauses", lambda s: deadline(calendar, minutes, s, pauses[s]), instants
    )
    rate(
        "warm: 5 working days, 5 pauses", lambda s: deadline(calendar, days, s, pauses[s]), instants
    )

    profile_json = Path(__file__).resolve().parent.parent / "profiles" / "standard.json"
    profile = SlaProfile.model_validate_json(profile_json.read_text())
    profile = profile.model_copy(
        update={"calendars": {**profile.calendars, "office": CalendarSpec.model_validate(OFFICE)}}
    )
    few = instants[:2000]

    def whole_plan(start: datetime, with_pauses: bool) -> object:
        return plan(
            ClockPlanRequest(
                profile=profile,
                severity=4,
                region="jinan",
                starts={
                    c: start
                    for c in (ClockName.RESPONSE, ClockName.DIAGNOSIS, ClockName.RESOLUTION)
                },
                pauses=pauses[start] if with_pauses else [],
            )
        )

    rate("plan(): 3 clocks + escalations, severity 4", lambda s: whole_plan(s, False), few)
    rate("plan(): the same with 5 pauses", lambda s: whole_plan(s, True), few)


if __name__ == "__main__":
    main()

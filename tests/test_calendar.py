"""Calendar arithmetic of SPEC §3 against hand-checked instants (cases drawn from the seeds)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from models.activity_io import Interval
from models.profile import Target
from sla.deadlines import deadline, target_amount
from tests.sla_fixtures import (
    BERLIN,
    BERLIN_24X7,
    BERLIN_OFFICE,
    H24,
    NATIONAL_DAY,
    OFFICE,
    SEVEN_BY_EIGHT,
    local,
)

minutes = lambda m: Target(calendar="x", minutes=m)  # noqa: E731
days = lambda n: Target(calendar="x", working_days=n)  # noqa: E731


@pytest.mark.parametrize(
    ("case", "calendar", "target", "start", "due"),
    [
        (
            "Friday-evening report, 5 working days, 5x8 with lunch",
            OFFICE,
            days(5),
            "2026-11-20 18:30",
            "2026-11-27 17:30",
        ),
        (
            "Friday-evening report, 60 office minutes",
            OFFICE,
            minutes(60),
            "2026-11-20 18:30",
            "2026-11-23 10:00",
        ),
        (
            "Qingdao 1-hour arrival at 23:30 on 24x7",
            H24,
            minutes(60),
            "2026-11-20 23:30",
            "2026-11-21 00:30",
        ),
        (
            "72 working hours on 7x8",
            SEVEN_BY_EIGHT,
            minutes(72 * 60),
            "2026-11-16 10:00",
            "2026-11-25 10:00",
        ),
        (
            "deadline exactly at the morning window's end",
            OFFICE,
            minutes(180),
            "2026-11-16 09:00",
            "2026-11-16 12:00",
        ),
        (
            "deadline exactly at the day's end",
            OFFICE,
            minutes(420),
            "2026-11-16 09:00",
            "2026-11-16 17:30",
        ),
        (
            "start inside the lunch break",
            OFFICE,
            minutes(60),
            "2026-11-16 12:30",
            "2026-11-16 14:30",
        ),
        (
            "start on a holiday (standard office: 1-2 Oct off)",
            OFFICE,
            minutes(60),
            "2026-10-01 10:00",
            "2026-10-05 10:00",
        ),
        (
            "start on a holiday of the National Day week",
            NATIONAL_DAY,
            minutes(60),
            "2026-10-01 10:00",
            "2026-10-08 10:00",
        ),
        (
            "holiday week: 480 minutes from the eve",
            NATIONAL_DAY,
            minutes(480),
            "2026-09-30 16:00",
            "2026-10-08 17:00",
        ),
        (
            "make-up Sunday is a working day",
            NATIONAL_DAY,
            days(1),
            "2026-09-25 17:00",
            "2026-09-27 17:30",
        ),
        (
            "make-up Saturday after the holiday week",
            NATIONAL_DAY,
            days(3),
            "2026-09-30 10:00",
            "2026-10-10 17:30",
        ),
        (
            "working days from a non-working day: that date is day 0",
            OFFICE,
            days(1),
            "2026-11-22 10:00",
            "2026-11-23 17:30",
        ),
        (
            "zero minutes is the start itself, even outside windows",
            OFFICE,
            minutes(0),
            "2026-11-22 03:00",
            "2026-11-22 03:00",
        ),
    ],
)
def test_exact_deadlines(case, calendar, target, start, due):
    assert deadline(calendar, target, local(start)) == local(due), case


def test_working_days_become_business_minutes():
    start = local("2026-11-20 18:30")
    assert target_amount(OFFICE, days(5), start) == timedelta(hours=5 * 7)
    # from a Monday morning, 2 working days end on Wednesday evening: Monday counts too
    assert target_amount(OFFICE, days(2), local("2026-11-16 09:00")) == timedelta(hours=21)


def test_several_pauses_one_spanning_a_night():
    pauses = [
        Interval(start=local("2026-11-16 10:00"), end=local("2026-11-16 11:00")),
        Interval(start=local("2026-11-16 17:00"), end=local("2026-11-17 10:00")),
    ]
    due = deadline(OFFICE, minutes(480), local("2026-11-16 09:00"), pauses)
    assert due == local("2026-11-17 14:00")


def test_open_pause_leaves_the_due_unknown():
    pause = Interval(start=local("2026-11-16 10:00"))
    assert deadline(OFFICE, minutes(480), local("2026-11-16 09:00"), [pause]) is None
    late_pause = Interval(start=local("2026-11-20 10:00"))
    assert deadline(OFFICE, minutes(60), local("2026-11-16 09:00"), [late_pause]) == local(
        "2026-11-16 10:00"
    )


def test_daylight_saving_in_berlin():
    # spring forward: 24 business hours on 24x7 are 24 real hours, 13:00 on the wall clock
    start = local("2026-03-28 12:00", BERLIN)
    due = deadline(BERLIN_24X7, minutes(24 * 60), start)
    assert due == local("2026-03-29 13:00", BERLIN)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    # an hour from 01:30 on the night of the change is 03:30 summer time, not 02:30
    night = local("2026-03-29 01:30", BERLIN)
    assert deadline(BERLIN_24X7, minutes(60), night) == local("2026-03-29 03:30", BERLIN)
    pause = [Interval(start=night, end=local("2026-03-29 03:15", BERLIN))]  # 45 real minutes
    assert deadline(BERLIN_24X7, minutes(60), night, pause) == local("2026-03-29 04:15", BERLIN)
    # the day of the change is 23 hours long, the autumn one 25
    spring = local("2026-03-29 00:00", BERLIN)
    assert BERLIN_24X7.business_time(spring, local("2026-03-30 00:00", BERLIN)) == timedelta(
        hours=23
    )
    autumn = local("2026-10-25 00:00", BERLIN)
    assert BERLIN_24X7.business_time(autumn, local("2026-10-26 00:00", BERLIN)) == timedelta(
        hours=25
    )
    # a working day across the change ends at 17:00 local, now +02:00
    due = deadline(BERLIN_OFFICE, days(1), local("2026-03-27 18:00", BERLIN))
    assert due == local("2026-03-30 17:00", BERLIN)
    assert due.astimezone(BERLIN).utcoffset() == timedelta(hours=2)


def test_quiet_calendar_opens_at_the_next_window():
    assert OFFICE.open_at_or_after(local("2026-11-20 23:10")) == local("2026-11-23 09:00")
    assert OFFICE.open_at_or_after(local("2026-11-16 12:10")) == local("2026-11-16 13:30")
    inside = local("2026-11-16 10:10")
    assert OFFICE.open_at_or_after(inside) == inside

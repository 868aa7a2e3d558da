"""The demo's past: eight weeks of finished requests for the KPI page to mean something.

Seeded, so every `make run` tells the same story: a few requests a day (fewer at weekends)
across the three demo customers; most answered, diagnosed, repaired and signed in time, some
late (breaches, escalations, a loaner for the urgent ones), some resolved remotely, some
waiting for parts, a few cancelled; revisits three days after closing, now and then an
unhappy customer who complains. Each instant is drawn as a share of the clock's target on its
calendar (`sla.deadlines.elapse`), so outcomes follow the profile exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from db.past_requests import PastRequest, record
from db.profiles import latest_profile
from db.session import SessionFactory, transaction
from db.tables import Asset, ComplaintRow
from models.activity_io import Interval, RecordRequest
from models.common import ClockName
from models.lifecycle import Stage
from sla.deadlines import calendars, elapse, target_amount

WEEKS = 8
SEED = 2026
#: Units of equipment each customer has beside its demo asset.
UNITS = 40
#: (customer, its demo asset, the region's engineers, fault codes of the category)
DESKS = (
    ("C001", "SN-1001", ("E001",), ("NO_VIDEO", "NO_POWER", "NETWORK", "FOCUS", "IR", "PTZ")),
    (
        "C002",
        "SN-1002",
        ("E002", "E003"),
        ("FLICKER", "DEAD_PIXELS", "NO_POWER", "COLOUR", "SIGNAL", "FAN"),
    ),
    ("C003", "SN-1003", ("E003",), ("NO_SOUND", "HUM", "NO_POWER", "FEEDBACK", "CHANNEL", "MIC")),
)
S = Stage


class _Story:
    """One past request told minute by minute."""

    def __init__(self, past: PastRequest, rng: random.Random) -> None:
        self.past, self.rng = past, rng

    def reach(self, name: ClockName, start: float, after: float) -> float:
        """Minutes at which the clock reaches its goal: a share of its target (now and then
        past it), and never before `after`."""
        share = (
            self.rng.uniform(1.05, 1.8) if self.rng.random() < 0.09 else self.rng.uniform(0.15, 0.9)
        )
        past = self.past
        target = past.profile.targets[name].for_request(
            past.state.severity, past.state.region, past.state.key_account
        )
        calendar = past.cals[target.calendar]
        begin = past.at(start)
        pauses = [Interval(start=p.start, end=p.end) for p in past.state.pauses]
        amount = target_amount(calendar, target, begin) * share
        reached = elapse(calendar, begin, amount, pauses)
        assert reached is not None
        return max(after, (reached - past.t0).total_seconds() / 60)

    def clock(self, name: ClockName, start: float, met: float) -> None:
        past = self.past
        due = past.due(name, start)
        late = past.at(met) > due
        past.clock(name, start, due, met, breached=late)
        due_minutes = (due - past.t0).total_seconds() / 60
        if late:
            past.emit(due_minutes, "clock_breached", {"clock": name, "due": due.isoformat()})
            past.emit(due_minutes, "escalated", {"clock": name, "level": 2, "at_percent": 100})


def _tell(past: PastRequest, rng: random.Random, engineers: tuple[str, ...]) -> float:
    """The request's life; when it closed, in minutes."""
    story = _Story(past, rng)
    response = story.reach(ClockName.RESPONSE, 0, 1)
    story.clock(ClockName.RESPONSE, 0, response)
    past.moves((response, S.DIAGNOSING))
    if rng.random() < 0.05:
        past.close(response + 20, "cancelled", S.CANCELLED)
        return response + 20
    diagnosed = story.reach(ClockName.DIAGNOSIS, 0, response + 5)
    story.clock(ClockName.DIAGNOSIS, 0, diagnosed)
    if rng.random() < 0.25:
        story.clock(ClockName.RESOLUTION, 0, diagnosed)
        past.state.outcome = "resolved_remotely"
        past.moves((diagnosed, S.AWAITING_SIGNATURE))
        signed = diagnosed + rng.uniform(10, 240)
        story.clock(ClockName.SIGNATURE, diagnosed, signed)
        past.close(signed, "resolved_remotely")
        return signed
    assigned = diagnosed + rng.uniform(5, 60)
    past.state.engineer = rng.choice(engineers)
    past.moves((diagnosed, S.AWAITING_DISPATCH), (assigned, S.DISPATCHED))
    arrived = story.reach(ClockName.ARRIVAL, assigned, assigned + 20)
    story.clock(ClockName.ARRIVAL, assigned, arrived)
    past.moves((arrived, S.ON_SITE))
    fixed = arrived + rng.uniform(30, 180)
    if rng.random() < 0.15:  # waiting for parts, then a second visit
        back = fixed + rng.uniform(600, 2400)
        past.moves((fixed, S.AWAITING_PARTS), (back, S.DISPATCHED), (back + 60, S.ON_SITE))
        fixed = back + rng.uniform(90, 180)
    fixed = max(fixed, story.reach(ClockName.RESOLUTION, 0, fixed))
    story.clock(ClockName.RESOLUTION, 0, fixed)
    if past.state.severity <= 2 and past.state.clocks[ClockName.RESOLUTION].status == "breached":
        past.emit(arrived + 30, "loaner_issued", {"unit": "LN-DEMO"})
    past.state.outcome = "fixed"
    past.moves((fixed, S.AWAITING_SIGNATURE))
    signed = fixed + rng.uniform(5, 90)
    story.clock(ClockName.SIGNATURE, fixed, signed)
    past.close(signed, "fixed")
    if any(e.kind == "loaner_issued" for e in past.events):
        past.emit(signed, "loaner_returned", {"unit": "LN-DEMO"})
    return signed


def _revisit(past: PastRequest, rng: random.Random, now: datetime) -> int | None:
    """The revisit three days on: its satisfaction when answered by now."""
    if past.state.outcome == "cancelled":
        return None
    assert past.state.closed_at is not None
    if past.state.closed_at + timedelta(days=3) > now:
        past.revisit("due")
        return None
    if rng.random() < 0.12:
        past.revisit("unreachable")
        return None
    satisfaction = rng.choices((5, 4, 3, 2, 1), weights=(52, 30, 11, 5, 2))[0]
    attitude = min(5, satisfaction + rng.choice((0, 0, 1)))
    past.revisit("answered", satisfaction=satisfaction, attitude=attitude, solved=satisfaction > 2)
    return satisfaction


def _complaint(session: Session, past: PastRequest, rng: random.Random) -> None:
    revisit = past.state.revisits[0]
    opened = revisit.answered_at
    assert opened is not None
    answered = opened + timedelta(hours=rng.uniform(1, 30))
    session.add(
        ComplaintRow(
            number=f"CP-{past.state.number.removeprefix('SR-')}",
            workflow_id=f"complaint-demo-{past.state.number}",
            source="revisit",
            about=past.state.number,
            customer_id=past.state.customer_id,
            asset_serial=past.state.asset_serial,
            reason="回访不满意 Unhappy at the revisit",
            status="responded",
            opened_at=opened,
            opened_by="周洁 (revisit desk)",
            respond_by=opened + timedelta(days=1),
            responded_at=answered,
            responded_by="吴刚 (supervisor)",
            response="已安排回访工程师 An engineer goes back",
            version=1,
            updated_at=answered,
        )
    )


def _units(session: Session, rng: random.Random) -> dict[str, list[str]]:
    """Each customer's further units of its demo asset's model, in warranty."""
    serials: dict[str, list[str]] = {}
    for customer, demo_serial, _, _ in DESKS:
        model = session.get(Asset, demo_serial)
        assert model is not None, "the demo archive comes first"
        serials[customer] = []
        for n in range(1, UNITS + 1):
            serial = f"{demo_serial}-{n:02d}"
            bought = date(2025, 6, 1) + timedelta(days=rng.randrange(0, 400))
            session.add(
                Asset(
                    serial=serial,
                    model=model.model,
                    category=model.category,
                    customer_id=customer,
                    invoice_date=bought,
                    acceptance_date=bought,
                    main_equipment=True,
                    warranty={"start_basis": "invoice", "months": 36},
                )
            )
            serials[customer].append(serial)
    return serials


def load_history(
    sessions: SessionFactory,
    timezone: str,
    today: date,
    write: Callable[[RecordRequest], None],
) -> int:
    """Eight weeks of finished requests before `today`; how many."""
    rng = random.Random(SEED)
    zone = ZoneInfo(timezone)
    with sessions() as session:
        found = latest_profile(session, "standard")
    assert found is not None, "the demo profile comes first"
    profile = (found[0], calendars(found[0]))
    now = datetime.combine(today, time(), zone)
    with transaction(sessions) as session:
        units = _units(session, rng)
    made: list[tuple[PastRequest, int | None]] = []
    for back in range(WEEKS * 7, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.randint(1, 3) if day.weekday() >= 5 else rng.randint(4, 8)):
            customer, _, engineers, faults = rng.choice(DESKS)
            t0 = datetime.combine(day, time(rng.randint(8, 19), rng.randrange(0, 60, 5)), zone)
            past = PastRequest.register(
                sessions,
                profile,
                t0,
                timezone,
                customer_id=customer,
                asset_serial=rng.choice(units[customer]),
                severity=rng.choices((1, 2, 3, 4), weights=(10, 30, 45, 15))[0],
                fault_code=rng.choice(faults),
                description="演示历史工单 demo history",
            )
            if rng.random() < 0.15:
                past.pause(2, 2 + rng.uniform(30, 240))
            _tell(past, rng, engineers)
            made.append((past, _revisit(past, rng, now)))
    record(write, [past for past, _ in made])
    with transaction(sessions) as session:
        for past, satisfaction in made:
            if satisfaction is not None and satisfaction <= 2:
                _complaint(session, past, rng)
    return len(made)

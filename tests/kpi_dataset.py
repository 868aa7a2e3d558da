"""A hand-built week of requests whose KPI figures are known exactly (tests/test_kpis.py).

The week of 2026-03-02 (Monday) to 03-08 in Asia/Shanghai, on the `standard` profile:

- A  C001 sev 1, fixed on the first visit by E001, a satisfied revisit.
- B  C002 sev 2, diagnosis paused 30 min, assigned to E002 then reassigned to E003 who
     arrives, a loaner for exactly one day, the revisit finds nobody (unreachable).
- C  C001 sev 1, response breached (escalated at 75 % and 100 %), fixed, reworked, fixed
     again on a second visit; its revisit says "not solved"; a complaint answered in time.
- D  C002 sev 2, still diagnosing with diagnosis and resolution breached (breaches still running), a
     loaner still out.
- E  C001 sev 1, same asset and fault as C three days later (a repeat repair), resolved
     remotely.
- F  C002 sev 2, cancelled.
- a hotline complaint of C002, still unanswered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from activities.records import RecordActivities
from db.past_requests import PastRequest, record
from db.profiles import latest_profile
from db.session import SessionFactory, transaction
from db.tables import ComplaintRow
from models.common import ClockName
from models.lifecycle import Stage
from sla.deadlines import calendars

TZ = "Asia/Shanghai"
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
S = Stage


def build(sessions: SessionFactory, settings: Any) -> dict[str, str]:
    """Write the week through the recording activity; the letters' request numbers."""
    with sessions() as session:
        profile = latest_profile(session, "standard")
        assert profile is not None
    made: dict[str, PastRequest] = {}

    def request(letter: str, t0: datetime, **fields: Any) -> PastRequest:
        made[letter] = PastRequest.register(
            sessions,
            (profile[0], calendars(profile[0])),
            t0,
            TZ,
            description=f"request {letter}",
            external_ref=f"KPI-{letter}",
            **fields,
        )
        return made[letter]

    camera = {"customer_id": "C001", "asset_serial": "SN-1001", "severity": 1}
    display = {"customer_id": "C002", "asset_serial": "SN-1002", "severity": 2}

    a = request("A", datetime(2026, 3, 3, 2, 0, tzinfo=UTC), fault_code="NO_VIDEO", **camera)
    a.clock(ClockName.RESPONSE, 0, 30, 20)
    a.clock(ClockName.DIAGNOSIS, 0, 120, 60)
    a.clock(ClockName.ARRIVAL, 70, 130, 100)
    a.clock(ClockName.RESOLUTION, 0, 1440, 160)
    a.clock(ClockName.SIGNATURE, 160, a.due(ClockName.SIGNATURE, 160), 170)
    a.state.engineer = "E001"
    a.moves(
        (20, S.DIAGNOSING),
        (60, S.AWAITING_DISPATCH),
        (70, S.DISPATCHED),
        (100, S.ON_SITE),
        (160, S.AWAITING_SIGNATURE),
    )
    a.close(170, "fixed")
    a.revisit("answered", satisfaction=5, attitude=5, solved=True)

    b = request("B", datetime(2026, 3, 4, 2, 0, tzinfo=UTC), fault_code="FLICKER", **display)
    b.clock(ClockName.RESPONSE, 0, 60, 10)  # before the pause: due at 60
    b.pause(20, 50)
    b.clock(ClockName.DIAGNOSIS, 0, 270, 100)  # 240 min on 24x7, held 30 min by the pause
    b.clock(ClockName.ARRIVAL, 110, 590, 300)
    b.clock(ClockName.RESOLUTION, 0, 2910, 400)  # 2880, and the pause
    b.clock(ClockName.SIGNATURE, 400, b.due(ClockName.SIGNATURE, 400), 1560)
    b.state.engineer = "E003"
    b.moves(
        (10, S.DIAGNOSING),
        (100, S.AWAITING_DISPATCH),
        (105, S.DISPATCHED),
        (110, S.DISPATCHED),
        (300, S.ON_SITE),
        (400, S.AWAITING_SIGNATURE),
    )
    b.emit(120, "loaner_issued", {"unit": "LN-DSP-01"})
    b.close(1560, "fixed")
    b.emit(1560, "loaner_returned", {"unit": "LN-DSP-01"})
    b.revisit("unreachable")

    c = request("C", datetime(2026, 3, 3, 1, 0, tzinfo=UTC), fault_code="NO_POWER", **camera)
    c.clock(ClockName.RESPONSE, 0, 30, 45, breached=True)
    c.clock(ClockName.DIAGNOSIS, 0, 120, 40)
    c.clock(ClockName.ARRIVAL, 50, 110, 80)
    c.clock(ClockName.RESOLUTION, 0, 1440, 900)
    c.clock(ClockName.SIGNATURE, 880, c.due(ClockName.SIGNATURE, 880), 920)
    c.state.engineer = "E001"
    c.emit(22.5, "escalated", {"clock": "response", "level": 1, "at_percent": 75})
    c.emit(30, "escalated", {"clock": "response", "level": 2, "at_percent": 100})
    c.moves(
        (45, S.DIAGNOSING),
        (46, S.AWAITING_DISPATCH),
        (50, S.DISPATCHED),
        (80, S.ON_SITE),
        (200, S.AWAITING_SIGNATURE),
        (300, S.DIAGNOSING),
        (310, S.AWAITING_DISPATCH),
        (320, S.DISPATCHED),
        (700, S.ON_SITE),
        (880, S.AWAITING_SIGNATURE),
    )
    c.close(920, "fixed")
    c.revisit("answered", satisfaction=2, attitude=3, solved=False)

    d = request("D", datetime(2026, 3, 4, 2, 0, tzinfo=UTC), fault_code="DEAD_PIXELS", **display)
    d.clock(ClockName.RESPONSE, 0, 60, 5)
    d.clock(ClockName.DIAGNOSIS, 0, 240, None, breached=True)
    d.clock(ClockName.RESOLUTION, 0, 2880, None, breached=True)  # two days passed
    d.moves((5, S.DIAGNOSING))
    d.emit(60, "loaner_issued", {"unit": "LN-DSP-02"})
    d.emit(180, "escalated", {"clock": "diagnosis", "level": 1, "at_percent": 75})
    d.emit(240, "escalated", {"clock": "diagnosis", "level": 2, "at_percent": 100})

    e = request("E", datetime(2026, 3, 6, 2, 0, tzinfo=UTC), fault_code="NO_POWER", **camera)
    e.clock(ClockName.RESPONSE, 0, 30, 15)
    e.clock(ClockName.DIAGNOSIS, 0, 120, 40)
    e.clock(ClockName.RESOLUTION, 0, 1440, 40)
    e.clock(ClockName.SIGNATURE, 40, e.due(ClockName.SIGNATURE, 40), 60)
    e.moves((15, S.DIAGNOSING), (40, S.AWAITING_SIGNATURE))
    e.close(60, "resolved_remotely")

    f = request("F", datetime(2026, 3, 5, 2, 0, tzinfo=UTC), fault_code="FLICKER", **display)
    f.clock(ClockName.RESPONSE, 0, 60, 10)
    f.clock(ClockName.DIAGNOSIS, 0, 240, None)
    f.clock(ClockName.RESOLUTION, 0, 2880, None)
    f.moves((10, S.DIAGNOSING))
    f.close(30, "cancelled", Stage.CANCELLED)

    records = RecordActivities(sessions, delivery(sessions, settings), timezone=TZ)
    record(records.record_events, list(made.values()))
    with transaction(sessions) as session:
        _complaints(session, made["C"].state.number)
    return {letter: past.state.number for letter, past in made.items()}


def delivery(sessions: SessionFactory, settings: Any) -> Any:
    from notifications.delivery import Delivery
    from notifications.senders import LogSender

    return Delivery(sessions, settings, LogSender())


def _complaints(session: Session, about: str) -> None:
    opened = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
    common = {
        "source": "intake",
        "status": "open",
        "opened_by": "test",
        "version": 1,
        "updated_at": opened,
        "reason": "修了两次",
    }
    session.add(
        ComplaintRow(
            number="CP-1",
            workflow_id="complaint-CP-1",
            about=about,
            customer_id="C001",
            opened_at=opened,
            respond_by=opened + timedelta(days=1),
            responded_at=opened + timedelta(hours=2),
            **common | {"status": "responded"},
        )
    )
    hotline = opened + timedelta(days=1)
    session.add(
        ComplaintRow(
            number="CP-2",
            workflow_id="complaint-CP-2",
            about=None,
            customer_id="C002",
            opened_at=hotline,
            respond_by=hotline + timedelta(days=1),
            **common,
        )
    )

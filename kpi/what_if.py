"""What a period would have looked like under another SLA profile (what-if, 假设分析).

Every request reported in the period is taken as it really happened: its severity over time
(`severity_changed`), its region, every pause (`paused`/`resumed`, and the wait for the
customer's quote decision) and the instants its clocks started and reached their goal, from
the timeline and `request_clocks`. Each clock is then replayed (`sla.replay`) under the
proposal, and under the version the request actually ran on for the recorded side of the
comparison, which is therefore the replay check too: under the recorded versions nothing may
change (`replay_check`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.profiles import ProfileVersions
from db.tables import RequestClockRow, ServiceRequestRow, TimelineEventRow
from kpi.periods import Period
from models.activity_io import Interval
from models.common import ClockName, ClockStatus
from models.errors import invalid_field
from models.lifecycle import Stage
from models.profile import ProfileRef, SlaProfile
from models.what_if import ChangedClock, Comparison, Outcome, PeriodFilters, Tally, WhatIfResult
from sla.clocks import APPROVAL_PAUSE
from sla.deadlines import calendars
from sla.replay import ClockRun, RequestHistory, SeverityFrom, replay

R, C, T = ServiceRequestRow, RequestClockRow, TimelineEventRow
RECORDED: dict[str, Outcome] = {
    ClockStatus.MET: "met",
    ClockStatus.BREACHED: "breached",
    ClockStatus.RUNNING: "running",
    ClockStatus.PAUSED: "running",
    ClockStatus.CANCELLED: "cancelled",
}
#: The most requests one what-if replays (10,000 take about 7 s: `bench/kpi_bench.py`).
MAX_REQUESTS = 60_000
#: Timeline entries that shape a clock: pauses and severities (and the quote's wait).
_SHAPING = ("paused", "resumed", "severity_changed")


@dataclass
class Happened:
    """One request as it happened."""

    number: str
    severity: int
    profile: ProfileRef
    history: RequestHistory
    clocks: list[tuple[ClockRun, Outcome]] = field(default_factory=list)


def happened(session: Session, period: Period, filters: PeriodFilters) -> list[Happened]:
    """The period's requests, three queries whatever their number."""
    where: list[Any] = [R.reported_at >= period.start, R.reported_at < period.end]
    for column, value in (
        (R.severity, filters.severity),
        (R.region, filters.region),
        (R.customer_id, filters.customer),
        (R.type, filters.type),
    ):
        if value is not None:
            where.append(column == value)
    chosen = select(R.number).where(*where)
    count = session.scalar(select(func.count()).select_from(R).where(*where)) or 0
    if count > MAX_REQUESTS:
        raise invalid_field(
            "to",
            f"the period holds {count:,} requests and a what-if replays at most "
            f"{MAX_REQUESTS:,} (about a minute of work): choose a shorter period or a filter",
        )
    found: dict[str, Happened] = {}
    profile = (R.state["sla_profile"].as_string(), R.state["sla_profile_version"].as_integer())
    key_account = R.state["key_account"].as_boolean()
    for number, severity, region, reported, closed, key, name, version in session.execute(
        select(
            R.number, R.severity, R.region, R.reported_at, R.closed_at, key_account, *profile
        ).where(*where)
    ):
        severities = [SeverityFrom(reported, severity)]
        history = RequestHistory(region, severities, [], closed, key_account=bool(key))
        found[number] = Happened(
            number, severity, ProfileRef(name=name, version=int(version)), history
        )
    _shape(session, chosen, found)
    for number, clock, status, started, met in session.execute(
        select(C.number, C.clock, C.status, C.started_at, C.met_at)
        .where(C.number.in_(chosen), C.started_at.is_not(None), C.status.in_(list(RECORDED)))
        .order_by(C.number, C.clock)
    ):
        assert started is not None  # selected so
        found[number].clocks.append((ClockRun(ClockName(clock), started, met), RECORDED[status]))
    return list(found.values())


def _shape(session: Session, chosen: Any, found: dict[str, Happened]) -> None:
    """Pauses and severities from the timeline, in the order they happened."""
    approval = or_(
        T.stage == Stage.AWAITING_APPROVAL, T.data["from"].as_string() == Stage.AWAITING_APPROVAL
    )
    rows = session.execute(
        select(T.number, T.kind, T.at, T.stage, T.data)
        .where(
            T.number.in_(chosen),
            or_(T.kind.in_(_SHAPING), and_(T.kind == "stage_changed", approval)),
        )
        .order_by(T.number, T.seq)
    )
    open_: dict[str, dict[str, datetime]] = defaultdict(dict)
    for number, kind, at, stage, data in rows:
        history, held = found[number].history, open_[number]
        if kind == "severity_changed":
            if len(history.severities) == 1:  # the first change says what it was before
                first = history.severities[0]
                history.severities[0] = SeverityFrom(first.since, int(data["from"]))
            history.severities.append(SeverityFrom(at, int(data["to"])))
            continue
        reason = data.get("reason") if kind in ("paused", "resumed") else APPROVAL_PAUSE
        entering = kind == "paused" or (
            kind == "stage_changed" and stage == Stage.AWAITING_APPROVAL
        )
        if entering:
            held.setdefault(str(reason), at)
        elif (start := held.pop(str(reason), None)) is not None:
            history.pauses.append(Interval(start=start, end=at))
    for number, held in open_.items():
        history = found[number].history
        history.pauses += [Interval(start=s, end=history.ended_at) for s in held.values()]


def compare(
    session: Session,
    period: Period,
    filters: PeriodFilters,
    proposal: SlaProfile | None,
    label: str,
    now: datetime,
) -> WhatIfResult:
    """The period as recorded and replayed under `proposal` (None: under the versions the
    requests ran on, which must change nothing)."""
    requests = happened(session, period, filters)
    profiles = ProfileVersions(sessionmaker(bind=session.get_bind()))
    proposed_cals = calendars(proposal) if proposal is not None else None
    tallies: dict[tuple[ClockName, int], tuple[Tally, Tally]] = {}
    changed: list[ChangedClock] = []
    clocks = 0
    for request in requests:
        recorded_profile, recorded_cals = profiles.get(request.profile)
        for run, recorded in request.clocks:
            if proposal is not None and run.clock not in proposal.targets:
                continue  # a parts clock the proposal does not run: nothing to compare
            clocks += 1
            before = replay(run, request.history, now, recorded_profile, recorded_cals)
            after = before
            if proposal is not None and proposed_cals is not None:
                after = replay(run, request.history, now, proposal, proposed_cals)
            recorded_tally, proposed_tally = tallies.setdefault(
                (run.clock, request.severity), (Tally(), Tally())
            )
            _count(recorded_tally, recorded)
            _count(proposed_tally, after.outcome)
            if after.outcome != recorded:
                changed.append(
                    ChangedClock(
                        number=request.number,
                        clock=run.clock,
                        severity=request.severity,
                        recorded=recorded,
                        proposed=after.outcome,
                        started_at=run.started_at,
                        met_at=run.met_at,
                        recorded_due=before.due,
                        proposed_due=after.due,
                    )
                )
    return WhatIfResult(
        first=period.first,
        last=period.last,
        proposal=label,
        requests=len(requests),
        clocks=clocks,
        comparisons=[
            Comparison(clock=clock, severity=severity, recorded=_rated(a), proposed=_rated(b))
            for (clock, severity), (a, b) in sorted(tallies.items())
        ],
        changed=sorted(changed, key=lambda c: (c.number, c.clock)),
    )


def _count(tally: Tally, outcome: Outcome) -> None:
    if outcome == "met":
        tally.met += 1
    elif outcome == "breached":
        tally.breached += 1
    else:
        tally.undecided += 1


def _rated(tally: Tally) -> Tally:
    decided = tally.met + tally.breached
    tally.compliance = round(100 * tally.met / decided, 1) if decided else None
    return tally

"""Key accounts (重点客户, P1, 003) as pure rules and on the read model: their own targets win
over the region's, auto-assign still serves them when every engineer has the most open jobs
allowed, and the desks list them first among requests of the same urgency."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from db.session import SessionFactory, transaction
from db.tables import Customer, ServiceRequestRow
from db.worklists import work_items
from dispatch import Candidate, choose_engineer
from models.activity_io import ClockPlanRequest
from models.common import ClockName, SlaStatus
from models.lifecycle import Role
from models.profile import SlaProfile
from sla.deadlines import calendars, plan
from sla.replay import ClockRun, RequestHistory, SeverityFrom, replay
from tests.request_fixtures import state
from tests.sla_fixtures import STANDARD

T0 = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def with_key_targets(**by_key: dict[str, Any]) -> SlaProfile:
    """The standard profile with `by_key_account` targets for the clocks named."""
    document = STANDARD.model_dump(mode="json")
    for clock, targets in by_key.items():
        document["targets"][clock]["by_key_account"] = targets
    return SlaProfile.model_validate(document)


KEYED = with_key_targets(
    response={"2": {"calendar": "24x7", "minutes": 10}},
    arrival={"1": {"calendar": "24x7", "minutes": 30}},
)


def test_a_key_account_s_target_wins_over_its_region_s() -> None:
    arrival = KEYED.targets[ClockName.ARRIVAL]
    assert arrival.for_request(1, "qingdao", key_account=True).minutes == 30
    assert arrival.for_request(1, "qingdao").minutes == 60  # the region's
    assert arrival.for_request(1, "jinan").minutes == 240
    # A severity without a key account target falls back to the region's, then the default.
    assert arrival.for_request(2, "qingdao", key_account=True).minutes == 480


def test_the_key_account_targets_are_stored_as_written() -> None:
    document = KEYED.model_dump(mode="json")
    assert document["targets"]["response"]["by_key_account"] == {
        "2": {"calendar": "24x7", "minutes": 10}
    }
    assert SlaProfile.model_validate(document) == KEYED
    assert "by_key_account" not in STANDARD.model_dump(mode="json")["targets"]["response"]


def test_a_key_account_target_on_an_unknown_calendar_is_refused() -> None:
    document = KEYED.model_dump(mode="json")
    document["targets"]["response"]["by_key_account"]["2"]["calendar"] = "8x5"
    with pytest.raises(ValueError, match=r"targets\.response\.by_key_account\.2: unknown calendar"):
        SlaProfile.model_validate(document)


def test_plans_and_replays_use_the_key_account_s_targets() -> None:
    def response_due(key_account: bool) -> datetime | None:
        request = ClockPlanRequest(
            profile=KEYED,
            severity=2,
            region="jinan",
            key_account=key_account,
            starts={ClockName.RESPONSE: T0},
        )
        return plan(request).due[ClockName.RESPONSE]

    assert response_due(True) == T0 + timedelta(minutes=10)
    assert response_due(False) == T0 + timedelta(minutes=60)
    run = ClockRun(ClockName.RESPONSE, T0, T0 + timedelta(minutes=20))
    cals = calendars(KEYED)
    for key_account, outcome in ((True, "breached"), (False, "met")):
        history = RequestHistory("jinan", [SeverityFrom(T0, 2)], [], None, key_account)
        assert replay(run, history, T0 + timedelta(days=1), KEYED, cals).outcome == outcome


def engineers(*loads: int) -> list[Candidate]:
    skills, regions = frozenset({"camera"}), frozenset({"qingdao"})
    return [Candidate(f"E{i}", skills, regions, True, n) for i, n in enumerate(loads)]


def test_when_every_engineer_has_the_most_jobs_allowed_only_a_key_account_is_served() -> None:
    busy = engineers(3, 2)
    where = {"category": "camera", "region": "qingdao"}
    assert choose_engineer(busy, **where, max_open_jobs=2) is None
    chosen = choose_engineer(busy, **where, max_open_jobs=2, key_account=True)
    assert chosen is not None and chosen.engineer_id == "E1"  # the least busy
    # Below the limit, or without one, everyone is served by the same rule.
    assert choose_engineer(busy, **where, max_open_jobs=3).engineer_id == "E1"
    assert choose_engineer(busy, **where).engineer_id == "E1"


def test_the_desks_list_key_accounts_first_among_equals(sessions: SessionFactory) -> None:
    tag, n = secrets.token_hex(3).upper(), secrets.randbelow(10**6)
    key, other = f"KA{tag}", f"KB{tag}"
    due = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    breached, keyed, earlier = (f"SR-20261202-8{n:06d}{i}" for i in range(3))
    rows = {  # number: customer, SLA status, next deadline
        keyed: (key, SlaStatus.ON_TRACK, due + timedelta(hours=5)),
        earlier: (other, SlaStatus.ON_TRACK, due),
        breached: (other, SlaStatus.BREACHED, due + timedelta(hours=9)),
    }
    with transaction(sessions) as session:
        for customer in (key, other):
            session.add(
                Customer(
                    id=customer,
                    name=customer,
                    region="qingdao",
                    key_account=customer == key,
                    sla_profile="standard",
                )
            )
        session.flush()
        for number, (customer, status, deadline) in rows.items():
            session.add(read_model_row(number, customer, status, deadline))
    try:
        with sessions() as session:
            listed = work_items(session, [ServiceRequestRow.number.in_(list(rows))])
        # Breached first, whoever it is; then the key account before an earlier deadline.
        assert [item.row.number for item in listed] == [breached, keyed, earlier]
    finally:
        with transaction(sessions) as session:
            for number in rows:
                session.delete(session.get(ServiceRequestRow, number))
            session.flush()
            for customer in (key, other):
                session.delete(session.get(Customer, customer))


def read_model_row(
    number: str, customer: str, status: SlaStatus, deadline: datetime
) -> ServiceRequestRow:
    """An open request waiting for dispatch, as the projection writes it."""
    s = state(number=number, customer_id=customer)
    return ServiceRequestRow(
        number=number,
        workflow_id=f"service-request-{number}",
        type="repair",
        stage="awaiting_dispatch",
        severity=2,
        region="qingdao",
        customer_id=customer,
        asset_serial="SN-1001",
        sla_status=status,
        breached=status == SlaStatus.BREACHED,
        next_deadline=deadline,
        reported_at=s.reported_at,
        registered_at=s.registered_at,
        state=s.model_dump(mode="json"),
        version=1,
        updated_at=s.reported_at,
    )


async def test_the_preview_shows_a_key_account_s_deadlines(as_role) -> None:
    body = {
        "profile": KEYED.model_dump(mode="json"),
        "severity": 2,
        "region": "jinan",
        "reported_at": T0.isoformat(),
    }
    for key_account, minutes in ((True, 10), (False, 60)):
        r = await as_role(
            Role.SUPPORT, "POST", "/v1/sla/preview", json=body | {"key_account": key_account}
        )
        assert r.status_code == 200, r.text
        due = datetime.fromisoformat(r.json()["response_due"])
        assert due == T0 + timedelta(minutes=minutes)

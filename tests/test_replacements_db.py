"""The archive side of a replacement (`db.replacements`), on the test database: written once
however often the record is retried, never over a unit the archive has, on the local day of
the service time zone, and following the unit now in service."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.replacements import IN_SERVICE, in_service, record_replacements
from db.session import SessionFactory, transaction
from db.tables import Asset
from models.profile import ReplacementPolicy
from models.state import UNIT_REPLACED, ServiceRequestState, TimelineEvent
from tests.request_fixtures import state

RESTART = ReplacementPolicy(unit_warranty="restart", extension_months=0)
# 23:30 UTC on the 1st is 07:30 on the 2nd in Shanghai: the unit was fitted on the 2nd.
LATE = datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("UTC"))


def unit(serial: str) -> Asset:
    return Asset(
        serial=serial,
        model="DS-2CD",
        category="camera",
        customer_id="C001",
        invoice_date=date(2026, 3, 1),
        warranty={"start_basis": "invoice", "months": 12},
        repairs=[],
    )


def replaced(old: str, new: str, seq: int = 50) -> TimelineEvent:
    return TimelineEvent(
        seq=seq,
        kind=UNIT_REPLACED,
        at=LATE,
        actor="engineer",
        stage="on_site",
        data={"old_serial": old, "new_serial": new, "model": None},
    )


def record(sessions: SessionFactory, old: str, events: list[TimelineEvent]) -> None:
    with transaction(sessions) as session:
        record_replacements(session, state(asset_serial=old), events, RESTART, "Asia/Shanghai")


def test_a_retried_record_writes_the_new_unit_once(sessions: SessionFactory) -> None:
    old, new = (f"DB{secrets.token_hex(3).upper()}-{n}" for n in (1, 2))
    with transaction(sessions) as session:
        session.add(unit(old))
    for _ in range(2):
        record(sessions, old, [replaced(old, new)])
    with sessions() as session:
        gone, fitted = session.get(Asset, old), session.get(Asset, new)
        assert gone is not None and fitted is not None
        assert (gone.replaced_by, gone.replaced_on) == (new, date(2026, 12, 2))
        assert gone.replaced_in == "SR-20261202-000001"
        assert fitted.invoice_date == date(2026, 12, 2) and fitted.replaced_by is None


def test_a_second_replacement_replaces_the_unit_now_in_service(sessions: SessionFactory) -> None:
    first, second, third = (f"DC{secrets.token_hex(3).upper()}-{n}" for n in (1, 2, 3))
    with transaction(sessions) as session:
        session.add(unit(first))
    record(sessions, first, [replaced(first, second)])
    # The same request reworked and replaced again: the unit fitted first goes too.
    record(sessions, first, [replaced(first, third, seq=60)])
    with sessions() as session:
        assert session.get(Asset, first).replaced_by == second
        assert session.get(Asset, second).replaced_by == third
        now = in_service(session, first)
        assert now is not None and now.serial == third


def test_a_unit_the_archive_has_is_never_overwritten(sessions: SessionFactory) -> None:
    old, other = (f"DD{secrets.token_hex(3).upper()}-{n}" for n in (1, 2))
    with transaction(sessions) as session:
        session.add(unit(old))
        session.add(unit(other))
    record(sessions, old, [replaced(old, other)])
    with sessions() as session:
        assert session.get(Asset, old).replaced_by is None
        kept = session.get(Asset, other)
        assert kept is not None and kept.invoice_date == date(2026, 3, 1)


def settled(serial: str, outcome: str | None, closed: datetime | None) -> ServiceRequestState:
    return state(asset_serial=serial).model_copy(update={"outcome": outcome, "closed_at": closed})


def test_a_returned_unit_is_marked_once_settled_and_is_out_of_service(
    sessions: SessionFactory,
) -> None:
    kept, chosen, cancelled, gone = (f"DB{secrets.token_hex(3).upper()}-{n}" for n in range(4))
    with transaction(sessions) as session:
        session.add_all([unit(kept), unit(chosen), unit(cancelled), unit(gone)])
    later = datetime(2026, 12, 9, tzinfo=ZoneInfo("UTC"))
    for request in (
        settled(kept, "fixed", LATE),  # a repair keeps the unit the customer's
        settled(chosen, "returned", None),  # chosen, the form not signed yet
        settled(cancelled, "cancelled", LATE),  # a return cancelled before the form
        settled(gone, "returned", LATE),
        settled(gone, "returned", later),  # a retried or later record keeps the first day
    ):
        with transaction(sessions) as session:
            record_replacements(session, request, [], RESTART, "Asia/Shanghai")
    with sessions() as session:
        for serial in (kept, chosen, cancelled):
            assert session.get(Asset, serial).returned_on is None, serial
        assert session.get(Asset, gone).returned_on == date(2026, 12, 2)
        assert session.get(Asset, gone).returned_in == state(asset_serial=gone).number
        serving = set(session.scalars(select(Asset.serial).where(IN_SERVICE)))
        assert {kept, chosen, cancelled} <= serving and gone not in serving

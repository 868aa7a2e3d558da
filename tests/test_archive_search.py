"""Finding the caller (intake's lookup) on the demo archive: by name, id, phone or serial; a
serial's owner lists that asset first; `%` and `_` are letters, not wildcards."""

from __future__ import annotations

import secrets
from datetime import date

from db.archive_search import MAX_MATCHES, find_callers
from db.session import transaction
from db.tables import Asset, Customer


def test_by_name_phone_id_and_serial(sessions):
    with sessions() as session:
        # other tests of the session add customers of their own: only the demo's are known
        by_city = {m.customer.id for m in find_callers(session, "济南")}
        assert {"C002", "C003"} <= by_city and "C001" not in by_city
        assert [m.customer.id for m in find_callers(session, "8000 2002")] == ["C002"]
        assert [m.customer.id for m in find_callers(session, "c003")] == ["C003"]
        by_serial = find_callers(session, "SN-1002")
        assert [m.customer.id for m in by_serial] == ["C002"]
        assert by_serial[0].assets[0].serial == "SN-1002"


def test_wildcards_are_letters_and_one_letter_is_too_little(sessions):
    with sessions() as session:
        assert find_callers(session, "%") == []
        assert find_callers(session, "__") == []
        assert find_callers(session, "济") == []


def test_the_named_asset_is_listed_however_many_sort_before_it(sessions):
    owner = f"ZS{secrets.token_hex(3).upper()}"  # after the demo customers
    named = f"ZZ-{owner}"
    with transaction(sessions) as session:
        session.add(
            Customer(id=owner, name=f"多设备 {owner}", region="qingdao", sla_profile="standard")
        )
        session.flush()
        session.add_all(
            Asset(
                serial=serial,
                model="DS-2CD",
                category="camera",
                customer_id=owner,
                invoice_date=date(2026, 1, 1),
                warranty={"start_basis": "invoice", "months": 12},
            )
            for serial in [f"AA-{owner}-{n:02d}" for n in range(MAX_MATCHES + 1)] + [named]
        )
    with sessions() as session:
        (match,) = find_callers(session, named)
        assert match.assets[0].serial == named
        assert len(match.assets) == MAX_MATCHES
        assert [a.serial for a in match.assets[1:3]] == [f"AA-{owner}-00", f"AA-{owner}-01"]

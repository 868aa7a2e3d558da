"""Finding the caller (intake's lookup) on the demo archive: by name, id, phone or serial; a
serial's owner lists that asset first; `%` and `_` are letters, not wildcards."""

from __future__ import annotations

from db.archive_search import find_callers


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

"""The web app's forms read back into bodies (pure): only the listed fields, blank rows
dropped and errors renumbered to the form's rows, boxes, lists and local times converted;
a stored record flattened into the form and read back is the same record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.web.admin_forms import CUSTOMER, ENGINEER, PASSWORD_FIELDS
from api.web.forms import FORMS, MAX_ROWS, flatten, idempotency_key_of, read_form, rows_shown
from documents.templating import shown, time_left
from identity.throttle import FAILURES, WINDOW_SECONDS, Throttle
from models.actions import ReportRepairBody
from models.archive import CustomerRecord, EngineerRecord
from models.errors import InvalidInput, field_errors
from models.lifecycle import Action

ZONE = "Asia/Shanghai"


def test_blank_rows_are_dropped_and_errors_land_on_the_row_typed_in():
    form = [
        ("csrf_token", "t"),
        ("result", "fixed"),
        ("work_done", "lens"),
        ("parts.0.part_no", ""),
        ("parts.0.qty", ""),
        ("parts.1.part_no", ""),
        ("parts.2.part_no", "LENS-01"),
        ("parts.2.qty", "0"),
        ("smuggled", "x"),
    ]
    submitted = read_form(FORMS[Action.REPORT_REPAIR], form, ZONE)
    assert submitted.body == {
        "result": "fixed",
        "work_done": "lens",
        "parts": [{"part_no": "LENS-01", "qty": "0"}],
    }
    assert submitted.form_path("parts.0.qty") == "parts.2.qty"
    assert submitted.form_path("work_done") == "work_done"
    with pytest.raises(ValidationError) as refused:
        ReportRepairBody.model_validate(submitted.body)
    paths = [submitted.form_path(e["field"]) for e in field_errors(refused.value)]
    assert paths == ["parts.2.qty"]


def test_a_nested_quote_is_built_only_when_a_line_is_typed():
    empty = read_form(
        FORMS[Action.DIAGNOSE],
        [("outcome", "needs_onsite"), ("notes", "n"), ("quote.lines.0.kind", "")],
        ZONE,
    )
    assert empty.body == {"outcome": "needs_onsite", "notes": "n"}
    typed = read_form(
        FORMS[Action.DIAGNOSE],
        [("quote.lines.1.kind", "part"), ("quote.lines.1.amount", "12.50")],
        ZONE,
    )
    assert typed.body == {"quote": {"lines": [{"kind": "part", "amount": "12.50"}]}}
    assert typed.form_path("quote.lines.0.description") == "quote.lines.1.description"


def test_a_local_time_gets_the_service_zones_offset_and_a_ticked_box_is_true():
    visit = read_form(FORMS[Action.SCHEDULE_VISIT], [("appointment_at", "2026-12-02T10:00")], ZONE)
    assert visit.body == {"appointment_at": "2026-12-02T10:00:00+08:00"}
    assign = read_form(FORMS[Action.ASSIGN], [("override", "on"), ("engineer_id", "E002")], ZONE)
    assert assign.body == {"override": True, "engineer_id": "E002"}


def test_words_typed_with_commas_are_a_list():
    engineer = read_form(
        ENGINEER.fields,
        [("id", "E9"), ("name", "赵磊"), ("skills", " camera, ,display "), ("on_duty", "false")],
        ZONE,
    )
    assert EngineerRecord.model_validate(engineer.body) == EngineerRecord(
        id="E9", name="赵磊", skills=["camera", "display"], on_duty=False
    )


def test_a_customer_flattened_into_the_form_reads_back_the_same():
    record = CustomerRecord.model_validate(
        {
            "id": "C9",
            "name": "青岛测试",
            "region": "qingdao",
            "key_account": True,
            "contact": {"name": "王强", "phone": "+86 532 1"},
            "contacts": [{"name": "李娜", "phone": "139"}],
            "sites": [{"id": "S1", "name": "总部", "address": "港湾路 1 号", "region": "qingdao"}],
        }
    )
    shown = flatten(record.model_dump(mode="json"), CUSTOMER.fields, ZONE)
    assert shown["sites.0.name"] == "总部" and shown["key_account"] == "on"
    again = read_form(CUSTOMER.fields, list(shown.items()), ZONE)
    assert CustomerRecord.model_validate(again.body) == record
    assert rows_shown(CUSTOMER.fields, shown) == {"contacts": 2, "sites": 2}


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_time_left_says_how_long_and_which_way(minutes):
    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    text = time_left(now + timedelta(minutes=minutes), now)
    assert text.startswith("超时 Overdue") == (minutes < 0)
    span = abs(minutes)
    if span < 60:
        assert text.endswith(f"{span} min")
    elif span < 1440:
        assert text.endswith(f"{span // 60} h {span % 60:02d} min")
    else:
        assert text.endswith(f"{span // 1440} d {span % 1440 // 60} h")
    assert time_left(None, now) == "—"


def test_rows_beyond_the_lists_bound_and_odd_digits_are_not_read():
    form = [
        ("parts.199.part_no", "LAST"),
        ("parts.199.qty", "1"),
        ("parts.200.part_no", "BEYOND"),
        ("parts.99999999.qty", "1"),
        ("parts.².part_no", "SUPERSCRIPT"),
    ]
    submitted = read_form(FORMS[Action.REPORT_REPAIR], form, ZONE)
    assert submitted.body == {"parts": [{"part_no": "LAST", "qty": "1"}]}
    shown = dict(form)
    assert rows_shown(FORMS[Action.REPORT_REPAIR], shown)["parts"] == MAX_ROWS


def test_a_password_keeps_its_spaces_and_a_forms_key_is_bounded_like_the_header():
    typed = read_form(PASSWORD_FIELDS, [("login", " li.na "), ("password", " two spaces ")], ZONE)
    assert typed.body == {"login": "li.na", "password": " two spaces "}
    assert idempotency_key_of({"idempotency_key": " k1 "}) == "k1"
    assert idempotency_key_of({}) is None
    with pytest.raises(InvalidInput):
        idempotency_key_of({"idempotency_key": "k" * 201})


def test_a_date_typed_in_free_text_shows_as_written_when_no_zone_can_hold_it():
    late = "9999-12-31T23:00:00-05:00"
    assert shown(late, ZONE) == "9999-12-31T23:00:00-05:00"
    assert shown("2026-12-02T02:00:00+00:00", ZONE) == "2026-12-02 10:00"
    assert shown(["a", "2026-12-02T02:00:00Z"], ZONE) == "a, 2026-12-02 10:00"
    assert shown("2026-12-02", ZONE) == "2026-12-02"  # a date is no instant


def test_failed_sign_ins_wait_out_their_window():
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(FAILURES - 1):
        throttle.failed("address:a", "login:x")
    assert throttle.wait_seconds("address:a", "login:x") == 0
    throttle.failed("address:a", "login:x")
    assert throttle.wait_seconds("address:a") == WINDOW_SECONDS
    assert throttle.wait_seconds("address:b", "login:x") == WINDOW_SECONDS  # the login too
    assert throttle.wait_seconds("address:b", "login:y") == 0
    now[0] += WINDOW_SECONDS - 1
    assert throttle.wait_seconds("address:a") == 1
    now[0] += 1
    assert throttle.wait_seconds("address:a", "login:x") == 0

"""`manage.py import-archive`, run in-process on the test database.

The files under `tests/data/archive/` write their ids as `{tag}-…`; every test imports copies
with a tag of its own, so the shared test database never sees the same ids twice.
"""

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.archive import get_asset, get_customer, legacy_repairs
from db.tables import Asset, Customer, CustomerContact, Site
from tests.test_profile_import import cli  # noqa: F401 - a fixture

DATA = Path(__file__).parent / "data" / "archive"


@pytest.fixture
def tag() -> str:
    return f"T{uuid.uuid4().hex[:8]}"


@pytest.fixture
def copy(tmp_path, tag):
    """A file of tests/data/archive with this test's tag in its ids: its path."""

    def make(name: str, text: str | None = None, as_name: str | None = None) -> Path:
        source = text if text is not None else (DATA / name).read_text(encoding="utf-8")
        path = tmp_path / (as_name or name)
        path.write_text(source.replace("{tag}", tag), encoding="utf-8")
        return path

    return make


def counts(sessions, tag: str) -> dict[str, int]:
    """Rows of this test's records in each archive table."""
    queries = {
        "customers": select(func.count()).where(Customer.id.startswith(tag)),
        "sites": select(func.count()).where(Site.id.startswith(tag)),
        "contacts": select(func.count()).where(CustomerContact.customer_id.startswith(tag)),
        "assets": select(func.count()).where(Asset.serial.startswith(tag)),
    }
    with sessions() as session:
        return {name: session.scalar(query) for name, query in queries.items()}


def snapshot(sessions, tag: str) -> dict[str, Any]:
    """Every value of this test's customers and assets."""
    with sessions() as session:
        customers = session.scalars(select(Customer.id).where(Customer.id.startswith(tag)))
        assets = session.scalars(select(Asset.serial).where(Asset.serial.startswith(tag)))
        return {key: get_customer(session, key) for key in customers} | {
            key: get_asset(session, key) for key in assets
        }


def test_csv_import_of_customers_assets_and_repairs(cli, copy, sessions, tag):  # noqa: F811
    customers = copy("customers.csv")
    assert cli("import-archive", customers) == (
        0,
        f"{customers}: 2 rows: 2 added, 0 updated, 0 unchanged\n",
        "",
    )
    assets = copy("assets.csv")
    assert (
        cli("import-archive", assets)[1] == f"{assets}: 2 rows: 2 added, 0 updated, 0 unchanged\n"
    )
    with sessions() as session:
        c1 = get_customer(session, f"{tag}-C1")
        c2 = get_customer(session, f"{tag}-C2")
        sn1 = get_asset(session, f"{tag}-SN1")
        sn2 = get_asset(session, f"{tag}-SN2")
    assert c1.contact.model_dump() == {"name": "王强", "phone": "+86 532 8000 1001"}
    assert [c.name for c in c1.contacts] == ["李敏"]
    assert c1.address == "山东省青岛市市南区\n港湾路 1 号"  # a quoted cell over two lines
    assert c1.key_account is True
    # Sites come back by id; a site without a region has its customer's.
    assert [(s.id, s.region) for s in c1.sites] == [
        (f"{tag}-C1-S1", "qingdao"),
        (f"{tag}-C1-S2", "huangdao"),
    ]
    assert (c2.contact, c2.key_account, c2.sla_profile, c2.sites) == (None, False, "standard", [])
    assert sn1.site_id == f"{tag}-C1-S2"
    assert sn1.warranty.components == {"bulb": 6}
    assert (sn1.manufacture_date, sn1.purpose, sn1.maintenance_interval_months) == (
        date(2025, 12, 1),
        "港区监控",
        6,
    )
    assert (sn2.manufacture_date, sn2.purpose, sn2.maintenance_interval_months) == (None,) * 3
    assert (sn2.warranty.start_basis, sn2.warranty.months, sn2.main_equipment) == (
        "acceptance_next_day",
        24,
        False,
    )
    assert [r.fault_code for r in sn2.repairs] == ["NO_POWER"]


def test_json_import_reads_the_api_shapes(cli, copy, sessions, tag):  # noqa: F811
    customers, assets = copy("customers.json"), copy("assets.json")
    assert cli("import-archive", customers)[0] == 0
    assert cli("import-archive", assets)[0] == 0
    documents = json.loads(customers.read_text(encoding="utf-8"))
    with sessions() as session:
        stored = [get_customer(session, d["id"]).model_dump(mode="json") for d in documents]
        asset = get_asset(session, f"{tag}-SN1").model_dump(mode="json")
    assert stored == documents
    assert asset == json.loads(assets.read_text(encoding="utf-8"))[0]


def test_importing_the_same_file_twice_changes_nothing(cli, copy, sessions, tag):  # noqa: F811
    customers, assets = copy("customers.csv"), copy("assets.csv")
    cli("import-archive", customers)
    cli("import-archive", assets)
    before, values = counts(sessions, tag), snapshot(sessions, tag)
    assert before == {"customers": 2, "sites": 2, "contacts": 1, "assets": 2}
    assert cli("import-archive", customers)[1].endswith(
        ": 2 rows: 0 added, 0 updated, 2 unchanged\n"
    )
    assert cli("import-archive", assets)[1].endswith(": 2 rows: 0 added, 0 updated, 2 unchanged\n")
    assert counts(sessions, tag) == before
    assert snapshot(sessions, tag) == values


def test_a_changed_row_updates_its_record_only(cli, copy, sessions, tag):  # noqa: F811
    cli("import-archive", copy("customers.csv"))
    assets = copy("assets.csv")
    cli("import-archive", assets)
    before = snapshot(sessions, tag)
    changed = assets.read_text(encoding="utf-8").replace("LED-P2.5-WALL", "LED-P1.8-WALL")
    assets.write_text(changed, encoding="utf-8")
    assert cli("import-archive", assets)[1].endswith(": 2 rows: 0 added, 1 updated, 1 unchanged\n")
    after = snapshot(sessions, tag)
    assert after[f"{tag}-SN2"].model == "LED-P1.8-WALL"
    assert after[f"{tag}-SN2"].repairs == before[f"{tag}-SN2"].repairs
    assert after[f"{tag}-SN1"] == before[f"{tag}-SN1"]


def test_a_customer_row_is_the_whole_customer(cli, copy, sessions, tag):  # noqa: F811
    """Sites and contacts a changed row leaves out are removed."""
    cli("import-archive", copy("customers.json"))
    documents = json.loads(copy("customers.json").read_text(encoding="utf-8"))
    documents[0]["sites"] = documents[0]["sites"][:1]
    documents[0]["contacts"] = []
    path = copy("x", json.dumps(documents), "customers.json")
    assert cli("import-archive", path)[1].endswith("2 rows: 0 added, 1 updated, 1 unchanged\n")
    assert counts(sessions, tag) == {"customers": 2, "sites": 1, "contacts": 0, "assets": 0}


def test_a_site_assets_stand_on_cannot_be_left_out(cli, copy, sessions, tag):  # noqa: F811
    cli("import-archive", copy("customers.csv"))
    cli("import-archive", copy("assets.csv"))  # SN1 stands on site C1-S2
    documents = json.loads(copy("customers.json").read_text(encoding="utf-8"))
    documents[0]["sites"] = documents[0]["sites"][:1]
    path = copy("x", json.dumps(documents), "customers.json")
    status, _, err = cli("import-archive", path)
    assert status == 2
    assert err == (
        f"{path}: row 1: sites: site '{tag}-C1-S2' is left out but asset(s) {tag}-SN1 stand "
        "there; move them to another site first\n"
    )
    assert counts(sessions, tag)["sites"] == 2


def test_three_bad_rows_are_all_reported_and_nothing_is_written(
    cli,  # noqa: F811
    copy,
    sessions,
    tag,
):
    cli("import-archive", copy("customers.csv"))
    path = copy("assets-with-errors.csv")
    status, out, err = cli("import-archive", path)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{path}: row 2: warranty_months: Input should be greater than 0",
        f"{path}: row 3: customer_id: there is no customer '{tag}-NOBODY'",
        f"{path}: row 4: invoice_date: Input should be a valid date or datetime, "
        "month value is outside expected range of 1-12",
    ]
    assert counts(sessions, tag)["assets"] == 0  # not even the good row 1


def test_json_rows_are_numbered_by_their_position(cli, copy, tag):  # noqa: F811
    rows = [
        {"id": "{tag}-C1", "name": "ok", "region": "qingdao"},
        "not an object",
        {"id": "{tag}-C3", "name": "x", "region": "", "colour": "red"},
        {"id": "{tag}-C1", "name": "again", "region": "qingdao"},
        {"id": "{tag}-C5", "name": "x", "region": "qingdao", "sla_profile": "gold-nope"},
    ]
    path = copy("x", json.dumps(rows), "customers.json")
    status, _, err = cli("import-archive", path)
    assert status == 2
    lines = err.splitlines()
    assert lines[0] == f"{path}: row 2: row: is not an object"
    assert {line.split(": ")[1] for line in lines} == {"row 2", "row 3", "row 4", "row 5"}
    assert f"{path}: row 3: colour: Extra inputs are not permitted" in lines
    assert any(line.startswith(f"{path}: row 3: region: ") for line in lines)
    assert f"{path}: row 4: id: '{tag}-C1' is also on row 1" in lines
    assert f"{path}: row 5: sla_profile: there is no SLA profile 'gold-nope'" in lines


def test_dry_run_reports_and_writes_nothing(cli, copy, sessions, tag):  # noqa: F811
    path = copy("customers.csv")
    status, out, _ = cli("import-archive", path, "--dry-run")
    assert (status, out) == (
        0,
        f"{path}: 2 rows: 2 added, 0 updated, 0 unchanged (dry run: nothing written)\n",
    )
    assert counts(sessions, tag) == {"customers": 0, "sites": 0, "contacts": 0, "assets": 0}
    bad = copy("assets-with-errors.csv")
    assert cli("import-archive", bad, "--dry-run")[0] == 2


def test_repairs_are_added_once(cli, copy, sessions, tag):  # noqa: F811
    cli("import-archive", copy("customers.csv"))
    assets = copy("assets.csv")
    cli("import-archive", assets)
    repairs = copy("repairs.csv")
    # Row 1 is SN2's repair from assets.csv, row 4 repeats row 3.
    expected = f"{repairs}: 4 rows: 2 repairs added to 2 assets, 2 already there\n"
    assert cli("import-archive", repairs)[1] == expected
    again = f"{repairs}: 4 rows: 0 repairs added to 0 assets, 4 already there\n"
    assert cli("import-archive", repairs)[1] == again
    with sessions() as session:
        sn1 = legacy_repairs(session, f"{tag}-SN1")
        sn2 = legacy_repairs(session, f"{tag}-SN2")
    assert sn1 == [
        {
            "fault_code": "BULB_DIM",
            "registered_at": "2026-03-02",
            "resolved_at": None,
            "outcome": "fixed",
        }
    ]
    assert [(r["fault_code"], r["registered_at"]) for r in sn2] == [
        ("NO_POWER", "2025-09-01"),
        ("NO_PICTURE", "2025-11-20T09:30:00+08:00"),
    ]
    # Importing the assets file again keeps the history the repairs file brought.
    assert cli("import-archive", assets)[1].endswith("2 rows: 0 added, 0 updated, 2 unchanged\n")
    with sessions() as session:
        assert len(legacy_repairs(session, f"{tag}-SN2")) == 2


def test_a_repair_of_an_unknown_asset_is_reported(cli, copy, tag):  # noqa: F811
    path = copy("x", f"serial,fault_code,registered_at\n{tag}-NONE,NO_POWER,2025-01-01\n", "r.csv")
    status, _, err = cli("import-archive", path, "--kind", "repairs")
    assert status == 2
    assert err == f"{path}: row 1: serial: there is no asset with serial '{tag}-NONE'\n"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("archive.csv", "id\n", "the name does not tell the kind of rows; give --kind"),
        ("customers.txt", "id\n", "use a .csv or .json file"),
        ("customers.json", "{", "not valid JSON"),
        ("customers.json", '{"id": "x"}', "the file must hold a list of objects"),
        ("customers.csv", "id,name,region,colour\n", "header: colour: is not a column"),
        ("assets.csv", 'serial,repairs\nX,"[{"\n', "row 1: repairs: is not valid JSON"),
        ("customers.csv", "id,name,region\nX,Y,qingdao,extra\n", "row 1: row: has more cells"),
    ],
)
def test_unreadable_files_exit_2(cli, copy, name, text, message):  # noqa: F811
    status, out, err = cli("import-archive", copy("x", text, name))
    assert (status, out) == (2, "")
    assert message in err


def test_csv_errors_name_the_column(cli, copy, tag):  # noqa: F811
    cli("import-archive", copy("customers.csv"))
    text = (
        "serial,model,category,customer_id,invoice_date,warranty_components,contact_name\n"
        f'{tag}-SN9,M,camera,{tag}-C1,2026-01-01,"{{""bulb"": -1}}",x\n'
    )
    path = copy("x", text, "assets.csv")
    status, _, err = cli("import-archive", path)
    assert status == 2
    assert f"{path}: header: contact_name: is not a column for assets" in err
    assert f"{path}: row 1: warranty_components.bulb: Input should be greater than 0" in err

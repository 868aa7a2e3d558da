"""`manage.py import-profile` and `import-holidays`, run in-process on the test database."""

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import manage
from db.demo import STANDARD_PROFILE
from db.profiles import latest_profile, load_profile_file, profile_version
from db.tables import SlaProfileVersion

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cli(monkeypatch, database_url, sessions, capsys):
    """Run a manage.py command against the test database: (exit status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*argv: object) -> tuple[int, str, str]:
        status = manage.main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def gold(tmp_path):
    """The YAML gold profile under a name of its own, as a file: (name, path)."""
    name = f"test-gold-{uuid.uuid4().hex[:8]}"
    text = (DATA / "gold.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("name: test-gold", f"name: {name}"), encoding="utf-8")
    return name, path


def json_profile(tmp_path, name: str, **changes: object) -> Path:
    """The standard profile under another name as a JSON file, with top-level changes."""
    data = json.loads(STANDARD_PROFILE.read_text(encoding="utf-8")) | {"name": name} | changes
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def versions(sessions, name: str) -> int:
    query = select(func.count()).where(SlaProfileVersion.name == name)
    with sessions() as session:
        return session.scalar(query)


def response_minutes(profile) -> int:
    return profile.targets["response"].for_request(1, None).minutes


def holidays_into(cli, name: str, calendar: str, *source: object):
    return cli("import-holidays", "--profile", name, "--calendar", calendar, *source)


def test_yaml_times_are_times_not_base_60_numbers(gold):
    _, path = gold
    office = load_profile_file(path).calendars["office"]
    assert office.weekly["mon"] == [("09:00", "12:00"), ("13:30", "17:30")]
    assert office.extra_workdays == {date(2026, 9, 20): "tue"}


def test_import_stores_a_version_and_the_same_file_again_changes_nothing(cli, gold, sessions):
    name, path = gold
    assert cli("import-profile", path) == (0, f"{name}: version 1\n", "")
    assert cli("import-profile", path) == (0, f"{name}: unchanged (version 1)\n", "")
    path.write_text(path.read_text().replace("minutes: 15", "minutes: 10"), encoding="utf-8")
    assert cli("import-profile", path) == (0, f"{name}: version 2\n", "")
    assert versions(sessions, name) == 2
    with sessions() as session:
        assert response_minutes(profile_version(session, name, 1)) == 15
        assert response_minutes(latest_profile(session, name)[0]) == 10


def test_import_of_several_files_json_and_yaml(cli, gold, tmp_path):
    gold_name, gold_path = gold
    other = f"test-json-{uuid.uuid4().hex[:8]}"
    status, out, _ = cli("import-profile", gold_path, json_profile(tmp_path, other))
    assert status == 0
    assert out.splitlines() == [f"{gold_name}: version 1", f"{other}: version 1"]


def test_an_invalid_file_writes_nothing_and_exits_2(cli, gold, tmp_path, sessions):
    good_name, good_path = gold
    bad_name = f"test-bad-{uuid.uuid4().hex[:8]}"
    bad = json_profile(tmp_path, bad_name, quiet_calendar="night")
    status, out, err = cli("import-profile", good_path, bad)
    assert status == 2 and out == ""
    assert err.splitlines() == [
        f"{bad}: quiet_calendar: unknown calendar 'night' (known: 24x7, office)"
    ]
    # All or nothing: the valid file given with it is not stored either.
    assert versions(sessions, good_name) == 0 and versions(sessions, bad_name) == 0


def test_every_error_of_a_file_is_a_line_naming_its_field(cli, gold):
    _, path = gold
    text = path.read_text().replace("Asia/Shanghai", "Mars/Olympus", 1)
    path.write_text(text.replace("[[09:00, 12:00], [13:30, 17:30]]", "[[12:00, 09:00]]", 1))
    status, _, err = cli("import-profile", path)
    assert status == 2
    assert err.splitlines() == [
        f"{path}: calendars.24x7.timezone: unknown time zone 'Mars/Olympus' (use an IANA name)",
        f"{path}: calendars.office.weekly.mon: window 12:00–09:00 ends before it starts",
    ]


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".yaml", "name: [unclosed", "not valid YAML"),
        (".json", '{"name": ', "not valid JSON"),
        (".txt", "name: x", "use a .json, .yaml or .yml file"),
    ],
)
def test_an_unreadable_file_exits_2(cli, tmp_path, suffix, text, message):
    path = tmp_path / f"broken{suffix}"
    path.write_text(text, encoding="utf-8")
    status, _, err = cli("import-profile", path)
    assert status == 2 and message in err


def test_import_china_holidays_into_a_calendar(cli, gold, sessions):
    name, path = gold
    cli("import-profile", path)
    status, out, _ = holidays_into(cli, name, "office", "--china", 2026)
    assert status == 0
    assert out.splitlines() == ["office: 22 holidays, 6 make-up working days", f"{name}: version 2"]
    with sessions() as session:
        profile, _ = latest_profile(session, name)
    office = profile.calendars["office"]
    assert date(2026, 10, 1) in office.holidays and date(2026, 2, 17) in office.holidays
    assert office.extra_workdays[date(2026, 9, 20)] == "tue"
    assert profile.calendars["24x7"].holidays == []
    again = holidays_into(cli, name, "office", "--china", 2026)
    assert again[1].splitlines()[-1] == f"{name}: unchanged (version 2)"


def test_import_ical_holidays(cli, gold, sessions):
    name, path = gold
    cli("import-profile", path)
    status, out, _ = holidays_into(cli, name, "office", "--ical", DATA / "holidays.ics")
    assert status == 0 and out.splitlines()[-1] == f"{name}: version 2"
    with sessions() as session:
        holidays = latest_profile(session, name)[0].calendars["office"].holidays
    assert holidays == [date(2026, 5, 1), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)]


def test_import_holidays_refuses_unknown_profile_calendar_or_file(cli, gold, sessions, tmp_path):
    name, path = gold
    cli("import-profile", path)
    status, _, err = holidays_into(cli, name, "night", "--china", 2026)
    assert status == 2 and "no calendar 'night'" in err
    status, _, err = holidays_into(cli, "nobody", "office", "--china", 2026)
    assert status == 2 and "there is no SLA profile 'nobody'" in err
    not_ical = tmp_path / "not.ics"
    not_ical.write_text("hello", encoding="utf-8")
    status, _, err = holidays_into(cli, name, "office", "--ical", not_ical)
    assert status == 2 and "not a valid iCal file" in err
    assert versions(sessions, name) == 1

"""Activities get the profile by name and version: each stored version is loaded, and its
calendars built, once per process; a plan by reference is the plan with the profile inline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from activities.sla import SlaActivities
from db.profiles import (
    ProfileVersions,
    delete_profile,
    find_version,
    latest_profile,
    profile_version,
    store_profile,
)
from db.session import transaction
from models.activity_io import ClockPlanRequest, QuietReleaseRequest
from models.common import ClockName
from models.profile import ProfileRef, loaded
from tests.sla_fixtures import STANDARD

START = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday evening in Shanghai
STANDARD_V1 = ProfileRef(name="standard", version=1)


def request(profile) -> ClockPlanRequest:
    return ClockPlanRequest(
        profile=profile,
        severity=2,
        region="qingdao",
        starts={ClockName.RESPONSE: START, ClockName.RESOLUTION: START},
    )


def test_a_plan_by_reference_is_the_plan_with_the_profile_inline(sessions):
    sla = SlaActivities(sessions)
    assert sla.plan_clocks(request(STANDARD_V1)) == sla.plan_clocks(request(STANDARD))
    at = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # Saturday night: held to Monday
    by_ref = sla.quiet_calendar_release(QuietReleaseRequest(profile=STANDARD_V1, at=at))
    assert by_ref == sla.quiet_calendar_release(QuietReleaseRequest(profile=STANDARD, at=at))
    assert by_ref > at


def test_a_version_is_loaded_once(sessions, monkeypatch):
    loads: list[tuple[str, int]] = []
    real = profile_version

    def counted(session, name, version):
        loads.append((name, version))
        return real(session, name, version)

    monkeypatch.setattr("db.profiles.profile_version", counted)
    versions = ProfileVersions(sessions)
    first, cals = versions.get(STANDARD_V1)
    again, cals_again = versions.get(STANDARD_V1)
    assert loads == [("standard", 1)] and first is again and cals is cals_again
    assert set(cals) == set(first.calendars)


def test_an_unknown_version_is_an_error_to_retry(sessions):
    with pytest.raises(LookupError, match="standard v999"):
        ProfileVersions(sessions).get(ProfileRef(name="standard", version=999))


def test_a_reference_is_never_planned_unloaded():
    with pytest.raises(LookupError, match="not loaded"):
        loaded(STANDARD_V1)


def test_a_reference_and_a_profile_are_told_apart_on_the_wire():
    assert isinstance(
        ClockPlanRequest.model_validate_json(request(STANDARD_V1).model_dump_json()).profile,
        ProfileRef,
    )
    assert (
        ClockPlanRequest.model_validate_json(request(STANDARD).model_dump_json()).profile
        == STANDARD
    )


def test_a_deleted_profile_keeps_its_versions_and_its_numbers(sessions):
    name = f"gone-{uuid.uuid4().hex[:8]}"
    first = STANDARD.model_copy(update={"name": name})
    second = first.model_copy(update={"quiet_calendar": None})
    with transaction(sessions) as session:
        assert store_profile(session, first) == 1
    with transaction(sessions) as session:
        assert delete_profile(session, name) == 1
    with sessions() as session:
        assert find_version(session, name) is None and latest_profile(session, name) is None
        # a request that started on it still reads its version
        assert profile_version(session, name, 1) == first
    with transaction(sessions) as session:
        assert store_profile(session, second) == 2  # never a second "v1"
    with sessions() as session:
        assert latest_profile(session, name) == (second, 2)
        assert profile_version(session, name, 1) == first

"""Auto-assign (派工): the on-duty engineer with skill and region and the fewest open jobs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch import Candidate, choose_engineer


def engineer(
    engineer_id, open_assignments=0, *, skills=("camera",), regions=("qingdao",), on_duty=True
):
    return Candidate(engineer_id, frozenset(skills), frozenset(regions), on_duty, open_assignments)


def choose(candidates, exclude=()):
    chosen = choose_engineer(candidates, category="camera", region="qingdao", exclude=exclude)
    return chosen.engineer_id if chosen else None


def test_fewest_open_assignments_wins():
    assert choose([engineer("E001", 3), engineer("E002", 1), engineer("E003", 2)]) == "E002"


def test_tie_goes_to_the_smallest_id_whatever_the_order():
    assert choose([engineer("E003", 1), engineer("E001", 1), engineer("E002", 1)]) == "E001"
    assert choose(iter([engineer("E002", 0), engineer("E001", 0)])) == "E001"


@pytest.mark.parametrize(
    ("idle", "exclude"),
    [
        (engineer("E001", on_duty=False), ()),
        (engineer("E001", skills=("printer",)), ()),
        (engineer("E001", regions=("jinan",)), ()),
        (engineer("E001", skills=()), ()),
        (engineer("E001"), ("E001",)),
    ],
)
def test_ineligible_engineers_are_never_chosen(idle, exclude):
    assert choose([idle, engineer("E009", 7)], exclude) == "E009"
    assert choose([idle], exclude) is None


def test_nobody_to_choose_from():
    assert choose([]) is None


@given(
    st.lists(
        st.builds(
            engineer,
            st.sampled_from(["E001", "E002", "E003", "E004", "E005"]),
            st.integers(0, 5),
            skills=st.sets(st.sampled_from(["camera", "printer"])),
            regions=st.sets(st.sampled_from(["qingdao", "jinan"])),
            on_duty=st.booleans(),
        ),
        max_size=8,
    ),
    st.sets(st.sampled_from(["E001", "E002", "E003"])),
)
def test_chosen_is_eligible_and_has_the_fewest_open_assignments(candidates, exclude):
    eligible = [
        c
        for c in candidates
        if c.on_duty
        and "camera" in c.skills
        and "qingdao" in c.regions
        and c.engineer_id not in exclude
    ]
    chosen = choose_engineer(candidates, category="camera", region="qingdao", exclude=exclude)
    if not eligible:
        assert chosen is None
        return
    assert chosen in eligible
    assert all(chosen.open_assignments <= c.open_assignments for c in eligible)

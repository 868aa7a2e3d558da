"""Pure dispatch rules (派工): which field engineer gets a request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    engineer_id: str
    skills: frozenset[str]
    regions: frozenset[str]
    on_duty: bool
    open_assignments: int


def choose_engineer(
    candidates: Iterable[Candidate], *, category: str, region: str, exclude: Iterable[str] = ()
) -> Candidate | None:
    """An on-duty engineer with the skill and the region and the fewest open assignments;
    ties go to the smallest id so the same situation always gives the same answer."""
    excluded = set(exclude)
    eligible = [
        c
        for c in candidates
        if c.on_duty
        and category in c.skills
        and region in c.regions
        and c.engineer_id not in excluded
    ]
    return min(eligible, key=lambda c: (c.open_assignments, c.engineer_id), default=None)

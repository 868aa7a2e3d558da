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


def ranked(
    candidates: Iterable[Candidate], *, category: str, region: str, exclude: Iterable[str] = ()
) -> list[Candidate]:
    """The on-duty engineers with the skill and the region, the fewest open assignments
    first; ties go to the smallest id so the same situation always gives the same order."""
    excluded = set(exclude)
    eligible = [
        c
        for c in candidates
        if c.on_duty
        and category in c.skills
        and region in c.regions
        and c.engineer_id not in excluded
    ]
    return sorted(eligible, key=lambda c: (c.open_assignments, c.engineer_id))


def choose_engineer(
    candidates: Iterable[Candidate], *, category: str, region: str, exclude: Iterable[str] = ()
) -> Candidate | None:
    """Auto-assign's choice: the first of `ranked`."""
    found = ranked(candidates, category=category, region=region, exclude=exclude)
    return found[0] if found else None

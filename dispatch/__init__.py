"""Pure dispatch rules (派工): which field engineer gets a request.

With a limit of open jobs per engineer (`DISPATCH_MAX_OPEN_JOBS`), engineers are scarce for a
request when every one who could go has reached it: a key account's request (重点客户, P1,
003 "priority") is then still given to the least busy of them, anyone else's waits for the
dispatcher. Without a limit every request is served alike.
"""

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
    candidates: Iterable[Candidate],
    *,
    category: str,
    region: str,
    exclude: Iterable[str] = (),
    max_open_jobs: int | None = None,
    key_account: bool = False,
) -> Candidate | None:
    """Auto-assign's choice: the first of `ranked` below `max_open_jobs`, or for a key
    account the first of `ranked` whatever their load."""
    found = ranked(candidates, category=category, region=region, exclude=exclude)
    if max_open_jobs is not None and not key_account:
        found = [c for c in found if c.open_assignments < max_open_jobs]
    return found[0] if found else None

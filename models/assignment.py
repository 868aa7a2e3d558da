"""Who may be sent (派工): the one rule for a dispatcher's named engineer, applied by the API
before the action reaches the workflow (so a refused assignment never enters its history)
and by the workflow's handler, which has the last word."""

from __future__ import annotations

from typing import Literal

from models.activity_io import EngineerInfo

#: How an assignment is refused: bad input, or not possible now (the engineer is off duty).
Refusal = tuple[Literal["invalid", "conflict"], str]


def refuse_named(
    engineer_id: str,
    found: EngineerInfo | None,
    category: str,
    region: str,
    *,
    check_fit: bool,
) -> Refusal | None:
    """Why `found` (looked up as `engineer_id`) may not be sent to a request of `category` in
    `region`, or None. `check_fit` False: an override with a reason sends them anyway."""
    if found is None:
        return "invalid", f"there is no engineer {engineer_id!r}"
    if not found.on_duty:
        return "conflict", f"engineer {engineer_id} is not on duty"
    if not check_fit:
        return None
    missing = [
        f"the skill {category!r}" if category not in found.skills else "",
        f"the region {region!r}" if region not in found.regions else "",
    ]
    if not any(missing):
        return None
    lacks = " and ".join(m for m in missing if m)
    return "invalid", (
        f"engineer {found.id} ({found.name}) lacks {lacks} of this request; send them anyway "
        'with "override": true and a "reason"'
    )

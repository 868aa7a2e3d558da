"""Preventive inspections (巡检): the checklist an engineer works through per asset category."""

from __future__ import annotations

import json
from functools import cache

from config import ROOT

CHECKLISTS = ROOT / "profiles" / "checklists.json"


@cache
def _checklists() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(CHECKLISTS.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def checklist_for(category: str) -> list[str]:
    """The category's items, or the general ones for a category without its own list."""
    lists = _checklists()
    return list(lists.get(category, lists["*"]))

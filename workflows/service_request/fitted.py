"""What the finished repair fitted (P9): a new unit in the old one's place, and components
with a term of their own. The timeline says so; the record's transaction writes it to the
asset archive (`db.replacements`) with the warranty the profile gives it."""

from __future__ import annotations

from temporalio import workflow

from workflows.service_request.request import Request

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.state import COMPONENTS_REPLACED, UNIT_REPLACED


def record_fitted(r: Request, actor: a.Actor) -> None:
    """Called when the repair is done and goes for signature (after the approval of a quote
    for an exclusion found on site, if there was one)."""
    repair = r.state.repair
    if repair is None:
        return
    if repair.result == "replace" and repair.replacement_serial and r.state.asset_serial:
        data = {"old_serial": r.state.asset_serial, "new_serial": repair.replacement_serial}
        r.emit(UNIT_REPLACED, actor, data | {"model": repair.replacement_model})
    components = sorted({p.component for p in repair.parts if p.component})
    if components and repair.result != "replace":  # a new unit's components are all new
        r.emit(COMPONENTS_REPLACED, actor, {"components": components})

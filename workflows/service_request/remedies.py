"""Return and exchange (三包, P19, P21): on a `return_exchange` request the customer chooses
the remedy the law gives them on the day they reported — return, exchange or repair up to day
7 after the invoice, exchange or repair up to day 15, repair after — and the choice is refused
outside its window with the reason. A return or an exchange is settled by the signed return /
exchange form (退换货单, the service report in that shape); an exchange's new unit enters the
archive as a replacement's does, its term counted anew from the exchange. A repair goes on as
any repair does."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio import workflow

from workflows.rejections import CONFLICT, reject
from workflows.service_request.request import Request
from workflows.service_request.signature import enter_signature

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.common import ClockName
    from models.lifecycle import Role
    from models.state import UNIT_REPLACED, RemedyChoice

#: What each settled remedy makes of the request.
OUTCOMES = {"return": "returned", "exchange": "exchanged"}
WINDOWS = "return up to day 7 after the invoice, exchange up to day 15, repair in warranty"


def check_remedy(r: Request, body: a.ChooseRemedyBody, role: Role, current: bool) -> None:
    if r.state.type != "return_exchange":
        raise reject(
            CONFLICT,
            f"request {r.state.number} is a {r.state.type}: only a return / exchange request "
            "(三包) chooses a remedy",
        )
    if r.state.remedy is not None:
        chosen = r.state.remedy
        raise reject(
            CONFLICT, f"the customer chose {chosen.remedy} already ({chosen.at.isoformat()})"
        )
    open_now = open_remedies(r.state.entitlement.remedies)
    if body.remedy not in open_now:
        raise reject(
            CONFLICT,
            f"{body.remedy} is not open to this request: 三包 gives {WINDOWS}; reported on "
            f"{r.state.reported_at.date().isoformat()} it may have "
            f"{', '.join(open_now) or 'none of them (out of warranty: a paid repair)'}",
        )


def open_remedies(remedies: Sequence[str]) -> list[str]:
    """The choices the entitlement leaves the customer (a free rework is a repair)."""
    chosen: list[str] = [m for m in ("return", "exchange", "repair") if m in remedies]
    return chosen if "rework" not in remedies or "repair" in chosen else [*chosen, "repair"]


async def choose_remedy(r: Request, actor: a.Actor, body: a.ChooseRemedyBody) -> None:
    r.state.remedy = RemedyChoice(
        remedy=body.remedy,
        at=workflow.now(),
        by=actor.label,
        replacement_serial=body.replacement_serial,
        replacement_model=body.replacement_model,
        note=body.note,
    )
    r.emit("remedy_chosen", actor, body.model_dump(exclude_none=True))
    if body.remedy == "repair":
        return  # diagnosed and dispatched as any repair
    r.stop_clock(ClockName.DIAGNOSIS)
    r.state.outcome = OUTCOMES[body.remedy]
    if body.remedy == "exchange" and body.replacement_serial and r.state.asset_serial:
        data = {"old_serial": r.state.asset_serial, "new_serial": body.replacement_serial}
        # 三包: an exchanged product's term counts anew (`warranty.replacement.EXCHANGE`).
        extra = {"model": body.replacement_model, "exchange": True}
        r.emit(UNIT_REPLACED, actor, data | extra)
    await enter_signature(r, actor, {"remedy": body.remedy})

"""`/v1/customers/{id}/service-plan`: the contract schedules the customer's profile plans."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.context import Admin, Ctx
from api.problems import Problem
from models.schedules import ScheduleDefinition
from schedules.service_plans import (
    PlanConflict,
    UnknownCustomer,
    apply_service_plan,
    planned_schedules,
)

router = APIRouter(prefix="/v1/customers", tags=["schedules"])


class ServicePlanView(BaseModel):
    customer_id: str
    #: Schedule ID → definition, as the profile's `service_plan` makes them.
    planned: dict[str, ScheduleDefinition]
    created: list[str] = []
    updated: list[str] = []
    removed: list[str] = []


@router.get("/{customer_id}/service-plan", response_model=ServicePlanView)
async def show(customer_id: str, ctx: Ctx, who: Admin) -> ServicePlanView:
    """The schedules the customer's profile plans (see `POST` to apply them)."""
    try:
        planned = await ctx.db(lambda: planned_schedules(ctx.sessions, customer_id))
    except UnknownCustomer as exc:
        raise Problem(404, str(exc)) from exc
    return ServicePlanView(customer_id=customer_id, planned=planned)


@router.post("/{customer_id}/service-plan", response_model=ServicePlanView)
async def apply(customer_id: str, ctx: Ctx, who: Admin) -> ServicePlanView:
    """Make the customer's contract schedules what the profile plans: create the missing ones,
    re-time changed ones (a paused one stays paused), delete those the plan dropped. Safe to
    repeat; schedules for one asset are left alone."""
    try:
        applied = await apply_service_plan(
            await ctx.temporal(),
            ctx.sessions,
            customer_id,
            ctx.settings.task_queue,
            ctx.settings.timezone,
        )
    except UnknownCustomer as exc:
        raise Problem(404, str(exc)) from exc
    except PlanConflict as exc:
        raise Problem(409, str(exc)) from exc
    return ServicePlanView(
        customer_id=customer_id,
        planned=applied.planned,
        created=applied.created,
        updated=applied.updated,
        removed=applied.removed,
    )

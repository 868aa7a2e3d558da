"""A request's start and state without a database or Temporal, for the pure parts' tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models.entitlement import Entitlement
from models.intake import ServiceRequestStart
from models.plan import ClockPlan
from models.state import ServiceRequestState
from tests.sla_fixtures import STANDARD, local

REPORTED = local("2026-12-02 09:00")


def start(**fields: Any) -> ServiceRequestStart:
    """SR-…-000001: severity 2, qingdao, in warranty, reported at 09:00 Shanghai, with its
    response, diagnosis and resolution due 1, 2 and 24 hours later."""
    plan = ClockPlan(
        due={
            "response": REPORTED + timedelta(hours=1),
            "diagnosis": REPORTED + timedelta(hours=2),
            "resolution": REPORTED + timedelta(hours=24),
        }
    )
    values: dict[str, Any] = {
        "number": "SR-20261202-000001",
        "type": "repair",
        "channel": "phone",
        "external_ref": None,
        "customer_id": "C001",
        "customer_name": "青岛港湾科技",
        "asset_serial": "SN-1001",
        "asset_category": "camera",
        "region": "qingdao",
        "severity": 2,
        "fault_code": "NO_POWER",
        "description": "recorder does not power on",
        "contact": None,
        "reported_at": REPORTED,
        "registered_at": REPORTED,
        "registered_by": "intake",
        "profile": STANDARD,
        "profile_version": 1,
        "entitlement": Entitlement(
            status="in_warranty",
            warranty_start=None,
            warranty_end=None,
            remedies=["repair"],
            chargeable=False,
        ),
        "initial_plan": plan,
    }
    return ServiceRequestStart.model_validate(values | fields)


def state(**fields: Any) -> ServiceRequestState:
    return ServiceRequestState.registered(start(**fields))


def at(minutes: float) -> datetime:
    """`minutes` after the report."""
    return REPORTED + timedelta(minutes=minutes)

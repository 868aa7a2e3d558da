"""Start service requests from the command line.

    python starter.py register --customer C001 --asset SN-1001 --severity 1 --fault NO_POWER \\
        --description "screen dark" [--reported-at 2026-11-20T22:10:00+08:00] [--ref CALL-0042]
    python starter.py demo      drive one request through every stage, printing each transition

Both use the same intake and actions as the API (configuration from the environment).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client

import gateway
from config import Settings, connect_temporal
from db.session import make_engine, session_factory
from intake.reservation import reserve
from models.actions import Actor
from models.errors import DomainError
from models.intake import IntakeRequest
from models.lifecycle import Action, Role
from models.state import ServiceRequestState

DEMO_STEPS: list[tuple[Action, Role, dict[str, Any]]] = [
    (Action.ACKNOWLEDGE, Role.SUPPORT, {"note": "called the customer back"}),
    (Action.DIAGNOSE, Role.SUPPORT, {"outcome": "needs_onsite", "notes": "power board suspected"}),
    (Action.ASSIGN, Role.DISPATCHER, {}),
    (Action.SCHEDULE_VISIT, Role.ENGINEER, {"appointment_at": "+2h"}),
    (Action.CHECK_IN, Role.ENGINEER, {}),
    (
        Action.REPORT_REPAIR,
        Role.ENGINEER,
        {
            "result": "fixed",
            "work_done": "replaced the power board",
            "parts": [{"part_no": "PWR-220", "qty": 1}],
            "test_result": "2 h burn-in passed",
        },
    ),
    (
        Action.SIGN,
        Role.CUSTOMER,
        {"signer": "王强", "typed_name": "王强", "quality": 5, "attitude": 5},
    ),
    (Action.RECORD_REVISIT, Role.REVISIT, {"satisfaction": 5, "solved": True, "attitude": 5}),
]


async def register(settings: Settings, client: Client, body: IntakeRequest) -> ServiceRequestState:
    sessions = session_factory(make_engine(settings.database_url))
    start, _ = await asyncio.to_thread(
        lambda: reserve(sessions, body, None, settings.timezone, registrar="starter.py")
    )
    await gateway.start(client, settings.task_queue, start)
    state = await gateway.query_state(client, start.number)
    assert state is not None
    return state


def show(state: ServiceRequestState, what: str) -> None:
    clocks = ", ".join(f"{name} {clock.status}" for name, clock in state.clocks.items())
    engineer = f" engineer {state.engineer}" if state.engineer else ""
    print(f"{state.number}  {what:<16} → {state.stage:<20}{engineer}  [{clocks}]")
    if state.signing_url:
        print(f"{'':20}customer signing page: {state.signing_url}")


def show_answer(action: str, answer: str) -> None:
    """The README's walk-through: an action's answer (a state, or a problem) in one line."""
    try:
        body = json.loads(answer)
    except ValueError:
        print(f"{action}: {answer.strip()}")
        return
    try:
        show(ServiceRequestState.model_validate(body), action)
    except ValidationError:
        detail = body.get("detail") if isinstance(body, dict) else None
        print(f"{action}: {detail or answer.strip()}")


async def demo(settings: Settings, client: Client) -> None:
    body = IntakeRequest(
        channel="phone",
        customer_id="C001",
        asset_serial="SN-1001",
        severity=1,
        fault_code="NO_POWER",
        description="监控主机无法开机 (the recorder does not power on)",
    )
    state = await register(settings, client, body)
    show(state, "registered")
    for action, role, payload in DEMO_STEPS:
        if payload.get("appointment_at") == "+2h":
            payload = {
                "appointment_at": (datetime.now().astimezone() + timedelta(hours=2)).isoformat()
            }
        if action == Action.RECORD_REVISIT:
            state = await _wait_for_follow_up(client, state.number)
            show(state, "(after close)")
        # The demo acts as the request's own people: its customer, its assigned engineer.
        actor = Actor(
            role=role,
            name=f"demo-{role}",
            engineer_id=state.engineer if role == Role.ENGINEER else None,
            customer_id=state.customer_id if role == Role.CUSTOMER else None,
            via="starter",
        )
        state = await gateway.act(client, state.number, action, actor, payload, None)
        show(state, action.path)


async def _wait_for_follow_up(client: Client, number: str) -> ServiceRequestState:
    for _ in range(100):
        state = await gateway.query_state(client, number)
        if state is not None and state.stage == "following_up":
            return state
        await asyncio.sleep(0.1)
    raise SystemExit(f"{number} did not reach following_up; is the worker running?")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    reg = commands.add_parser("register", help="register one service request")
    reg.add_argument("--customer", required=True)
    reg.add_argument("--asset", required=True)
    reg.add_argument("--severity", type=int, required=True, choices=[1, 2, 3, 4])
    reg.add_argument("--fault", required=True, help="fault code, e.g. NO_POWER")
    reg.add_argument("--description", required=True)
    reg.add_argument("--channel", default="phone")
    reg.add_argument("--reported-at", help="ISO 8601 with offset (a call logged late)")
    reg.add_argument("--ref", help="external reference; the same one never registers twice")
    commands.add_parser("demo", help="drive one request through every stage")
    shown = commands.add_parser(
        "show", help="print an action's JSON answer (stdin) as one line: stage and clocks"
    )
    shown.add_argument("action", help="the action whose answer it is")
    args = parser.parse_args()
    if args.command == "show":
        show_answer(args.action, sys.stdin.read())
        return
    settings = Settings.from_env()
    client = await connect_temporal(settings)
    if args.command == "demo":
        await demo(settings, client)
        return
    body = IntakeRequest.model_validate(
        {
            "channel": args.channel,
            "customer_id": args.customer,
            "asset_serial": args.asset,
            "severity": args.severity,
            "fault_code": args.fault,
            "description": args.description,
            "reported_at": args.reported_at,
            "external_ref": args.ref,
        }
    )
    show(await register(settings, client, body), "registered")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except DomainError as problem:
        sys.exit(f"rejected ({type(problem).__name__}): {problem.detail}")

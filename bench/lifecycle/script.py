"""The lifecycle both sides play: the intake bodies and each action's body and who acts."""

from __future__ import annotations

from models.lifecycle import Role

#: The request cases, alternated: (customer, asset, fault). Both in warranty; C001's camera
#: goes to E001 (Qingdao), C002's display to E002 or E003 (Jinan) by auto-assign.
CASES = (("C001", "SN-1001", "NO_POWER"), ("C002", "SN-1002", "NO_PICTURE"))
ENGINEERS = ("E001", "E002", "E003")
CUSTOMERS = ("C001", "C002")
STAFF = (Role.INTAKE, Role.SUPPORT, Role.DISPATCHER, Role.REVISIT, Role.SUPERVISOR)
#: Who acts in a step besides a staff role: the assigned engineer, or the request's customer.
ENGINEER, CUSTOMER = "engineer", "customer"

DIAGNOSED: dict[str, object] = {"outcome": "needs_onsite", "notes": "power board"}
FIXED: dict[str, object] = {"result": "fixed", "work_done": "new power board", "test_result": "ok"}
SIGNED: dict[str, object] = {"signer": "王强", "typed_name": "王强", "quality": 5, "attitude": 5}
ANSWERS: dict[str, object] = {"satisfaction": 5, "solved": True, "attitude": 5}
#: (action, who acts, body), from the intake to `completed`.
STEPS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("acknowledge", Role.SUPPORT, {}),
    ("diagnose", Role.SUPPORT, DIAGNOSED),
    ("assign", Role.DISPATCHER, {}),
    ("check-in", ENGINEER, {}),
    ("report-repair", ENGINEER, FIXED),
    ("sign", CUSTOMER, SIGNED),
    ("record-revisit", Role.REVISIT, ANSWERS),
)


def intake_body(i: int, severity: int) -> dict[str, object]:
    customer, serial, fault = CASES[i % len(CASES)]
    return {
        "channel": "phone",
        "customer_id": customer,
        "asset_serial": serial,
        "severity": severity,
        "fault_code": fault,
        "force_new": True,
        "description": "recorder does not power on",
    }

"""The search attributes of SPEC §7: what supervisors filter on in the Temporal Web UI."""

from __future__ import annotations

from typing import Any

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from models.display import local_minute
from models.intake import ServiceRequestStart
from models.state import ServiceRequestState

SERVICE_STAGE = SearchAttributeKey.for_keyword("ServiceStage")
SEVERITY = SearchAttributeKey.for_int("Severity")
REGION = SearchAttributeKey.for_keyword("Region")
ASSIGNED_ENGINEER = SearchAttributeKey.for_keyword("AssignedEngineer")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
ASSET_SERIAL = SearchAttributeKey.for_keyword("AssetSerial")
SLA_STATUS = SearchAttributeKey.for_keyword("SlaStatus")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")
WARRANTY_STATUS = SearchAttributeKey.for_keyword("WarrantyStatus")
#: Every clock that breached, kept after the request is finished (SlaStatus is for open work).
BREACHED_CLOCKS = SearchAttributeKey.for_keyword_list("BreachedClocks")

ALL: tuple[SearchAttributeKey[Any], ...] = (
    SERVICE_STAGE,
    SEVERITY,
    REGION,
    ASSIGNED_ENGINEER,
    CUSTOMER_ID,
    ASSET_SERIAL,
    SLA_STATUS,
    NEXT_DEADLINE,
    WARRANTY_STATUS,
    BREACHED_CLOCKS,
)

_CLI_TYPE = {
    "KEYWORD": "Keyword",
    "INT": "Int",
    "DATETIME": "Datetime",
    "KEYWORD_LIST": "KeywordList",
}


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPE[key.indexed_value_type.name]}"]
    return flags


def search_attribute_values(
    state: ServiceRequestState, finished_apart: bool = True
) -> dict[str, object]:
    """The value of every attribute for `state`; None means unset.

    `SlaStatus` describes open work only: a finished request has none, so the supervisors'
    `SlaStatus = 'breached'` lists what still needs them; `BreachedClocks` keeps what
    breached (`BreachedClocks = 'resolution'`). `finished_apart` False gives the values of
    requests recorded before that split (replay)."""
    if not finished_apart:
        return _values(state) | {SLA_STATUS.name: str(state.sla_status)}
    breached = sorted(set(state.breaches)) or None
    return _values(state) | {BREACHED_CLOCKS.name: breached}


def _values(state: ServiceRequestState) -> dict[str, object]:
    return {
        SERVICE_STAGE.name: str(state.stage),
        SEVERITY.name: state.severity,
        REGION.name: state.region,
        ASSIGNED_ENGINEER.name: state.engineer,
        CUSTOMER_ID.name: state.customer_id,
        ASSET_SERIAL.name: state.asset_serial,
        SLA_STATUS.name: str(state.sla_status) if state.is_open else None,
        NEXT_DEADLINE.name: state.next_deadline,
        WARRANTY_STATUS.name: state.entitlement.status,
    }


def initial_search_attributes(state: ServiceRequestState) -> TypedSearchAttributes:
    """What the client sets when it starts the workflow."""
    values = search_attribute_values(state)
    return TypedSearchAttributes(
        [SearchAttributePair(key, values[key.name]) for key in ALL if values[key.name] is not None]
    )


def search_attribute_updates(
    state: ServiceRequestState, published: dict[str, object], finished_apart: bool = True
) -> list[SearchAttributeUpdate[Any]]:
    """Updates for the attributes that changed since `published`, which is brought up to date."""
    updates: list[SearchAttributeUpdate[Any]] = []
    for key, value in search_attribute_values(state, finished_apart).items():
        if published.get(key) == value:
            continue
        published[key] = value
        attr = _BY_NAME[key]
        updates.append(attr.value_unset() if value is None else attr.value_set(value))
    return updates


def static_summary(start: ServiceRequestStart) -> str:
    """The one line a supervisor sees for the workflow in the Web UI."""
    return (
        f"{start.number} · severity {start.severity} · {start.customer_id} {start.customer_name}"
        f" · {start.asset_serial} · {start.fault_code}"
    )


def static_details(start: ServiceRequestStart) -> str:
    return (
        f"**{start.number}** ({start.type}, via {start.channel})\n\n"
        f"- customer: {start.customer_id} {start.customer_name}\n"
        f"- asset: {start.asset_serial} ({start.asset_category}), warranty "
        f"{start.entitlement.status}\n"
        f"- region: {start.region} · SLA profile {start.profile.name} v{start.profile_version}\n"
        f"- reported: {local_minute(start.reported_at, start.timezone)} ({start.timezone})"
        f"\n\n{start.description}"
    )


_BY_NAME: dict[str, SearchAttributeKey[Any]] = {key.name: key for key in ALL}

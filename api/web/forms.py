"""HTML forms of the lifecycle's actions, and a submitted form read back into the action's
body. The fields are listed here once per action; the body model (`models.actions`) and then
the workflow's validator decide what is valid, so a form never has rules of its own.

A field's name is its path in the body (`parts.0.qty`); rows left blank are dropped, and an
error's path is given back in the form's own numbering so it lands next to its field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from documents import labels
from models.errors import InvalidInput
from models.lifecycle import Action

#: `csv`: a list of short words typed as `camera, display`; `yesno`: a boolean whose default
#: is true (an unticked checkbox would send nothing, and so keep the default).
Kind = Literal[
    "text",
    "textarea",
    "password",
    "select",
    "number",
    "date",
    "datetime",
    "checkbox",
    "yesno",
    "csv",
]
#: A form's lists have at most this many rows (the body models allow 200 at most, or fewer);
#: a field numbered beyond is not read.
MAX_ROWS = 200


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    choices: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""


@dataclass(frozen=True)
class Rows:
    """A list in the body (parts used, quote lines): `count` blank rows of `columns`."""

    name: str
    label: str
    columns: tuple[Field, ...]
    count: int = 3


Part = Field | Rows
REASON = Field("reason", "理由 Reason", "textarea", required=True)
QUOTE_LINES = Rows(
    "quote.lines",
    "报价明细 Quote lines",
    (
        Field("kind", "类别 Kind", "select", choices=labels.QUOTE_LINE),
        Field("description", "说明 Description"),
        Field("amount", "金额 Amount (CNY)", "number"),
    ),
)
RATING = {str(n): f"{n} ★" for n in range(5, 0, -1)}

CHOSEN_REMEDIES = {m: labels.REMEDY[m] for m in ("return", "exchange", "repair")}
#: A revisit's questions, on a call or on a visit.
ANSWERS = (
    Field("satisfaction", "满意度 Satisfaction", "select", choices=RATING),
    Field("solved", "问题已解决 Solved", "yesno"),
    Field("attitude", "服务态度 Attitude", "select", choices=RATING),
    Field("suggestions", "意见建议 Suggestions", "textarea"),
)
FORMS: Mapping[Action, tuple[Part, ...]] = {
    Action.ACKNOWLEDGE: (Field("note", "备注 Note", "textarea"),),
    Action.DIAGNOSE: (
        Field("outcome", "结论 Outcome", "select", required=True, choices=labels.DIAGNOSIS),
        Field("notes", "诊断说明 Notes", "textarea", required=True),
        Field("exclusion", "除外责任 Exclusion", "select", choices=labels.EXCLUSION),
        QUOTE_LINES,
    ),
    Action.QUOTE: (
        Rows("lines", QUOTE_LINES.label, QUOTE_LINES.columns),
        Field("notes", "备注 Notes", "textarea"),
    ),
    Action.APPROVE_QUOTE: (),
    Action.DECLINE_QUOTE: (Field("reason", "理由 Reason", "textarea"),),
    Action.ASSIGN: (
        Field("engineer_id", "工程师 Engineer", hint="留空自动派工 empty: auto-assign"),
        Field("override", "技能或区域不符仍派 Send anyway", "checkbox"),
        Field("reason", "理由 Reason (needed to send anyway)", "textarea"),
    ),
    Action.SCHEDULE_VISIT: (
        Field("appointment_at", "预约时间 Appointment", "datetime", required=True),
    ),
    Action.CHECK_IN: (),
    Action.REPORT_REPAIR: (
        Field("result", "结果 Result", "select", required=True, choices=labels.REPAIR_RESULT),
        Field("work_done", "维修内容 Work done", "textarea", required=True),
        Rows(
            "parts",
            "更换配件 Parts used",
            (
                Field("part_no", "配件号 Part number"),
                Field("qty", "数量 Quantity", "number"),
                Field("serials", "序列号 Serials", "csv", hint="逗号分隔 comma-separated"),
                Field("component", "部件 Component", hint="有单独保修期的 with its own term: bulb"),
            ),
        ),
        Field("test_result", "测试结果 Test result", "textarea"),
        Field("replacement_serial", "新机序列号 New unit's serial (replace)"),
        Field("replacement_model", "新机型号 New unit's model (if another)"),
        Field("exclusion", "发现除外责任 Exclusion found", "select", choices=labels.EXCLUSION),
        Rows("quote.lines", "除外责任的报价 Quote for the exclusion", QUOTE_LINES.columns, count=2),
    ),
    Action.PARTS_SHIPPED: (
        Field("carrier", "承运 Carrier"),
        Field("tracking_no", "运单号 Tracking number"),
        Field("note", "备注 Note", "textarea"),
    ),
    Action.PARTS_ARRIVED: (),
    Action.FAULTY_PART_RETURNED: (
        Field("serials", "故障件序列号 Serials returned", "csv", hint="逗号分隔 comma-separated"),
        Field("appraisal", "鉴定结果 Appraisal", "textarea"),
        Field("written_off", "不再寄回 Written off", "checkbox"),
        Field("reason", "理由 Reason (written off)", "textarea"),
    ),
    Action.REFUSE_SIGNATURE: (REASON,),
    Action.OVERRIDE_CLOSE: (REASON,),
    Action.REWORK: (REASON,),
    Action.PAUSE: (Field("reason", "暂停原因 Reason", required=True),),
    Action.RESUME: (),
    Action.RECORD_REVISIT: (
        Field("unreachable", "联系不上 Unreachable", "checkbox"),
        *ANSWERS,
    ),
    Action.CHOOSE_REMEDY: (
        Field("remedy", "三包处理 Remedy", "select", required=True, choices=CHOSEN_REMEDIES),
        Field("replacement_serial", "新机序列号 New unit's serial (exchange)"),
        Field("replacement_model", "新机型号 New unit's model (if another)"),
        Field("note", "备注 Note", "textarea"),
    ),
    Action.RECORD_VISIT: (
        *ANSWERS,
        Field("hidden_fault.fault_code", "发现隐患 Hidden fault (code)", hint="如 LENS_FOGGED"),
        Field("hidden_fault.description", "隐患描述 What was found", "textarea"),
        Field(
            "hidden_fault.severity",
            "隐患级别 Its severity",
            "select",
            choices={str(n): f"P{n}" for n in range(1, 5)},
        ),
    ),
    Action.CANCEL: (REASON,),
    Action.ESCALATE: (Field("reason", "升级原因 Why escalate", "textarea", required=True),),
    Action.CHANGE_SEVERITY: (
        Field(
            "severity",
            "级别 Severity",
            "select",
            required=True,
            choices={str(n): f"P{n}" for n in range(1, 5)},
        ),
        REASON,
    ),
}
#: As the API's `Idempotency-Key` header allows.
MAX_KEY = 200


def idempotency_key_of(entered: Mapping[str, str]) -> str | None:
    """The form's own Idempotency-Key (a fresh one per rendered form), as the API's header."""
    key = entered.get("idempotency_key", "").strip()
    if len(key) > MAX_KEY:
        raise InvalidInput(f"idempotency_key: at most {MAX_KEY} characters")
    return key or None


#: Meta fields every form carries; never part of a body.
META = frozenset({"csrf_token", "idempotency_key", "back"})


@dataclass(frozen=True)
class Submitted:
    """A form read back: the body to validate, and how to name its errors as the form does."""

    body: dict[str, Any]
    renumbered: Mapping[str, str]

    def form_path(self, path: str) -> str:
        """An error's path in the body, as the form's field names number it."""
        for new, old in self.renumbered.items():
            if path == new or path.startswith(new + "."):
                return old + path[len(new) :]
        return path


def kinds(parts: Sequence[Part]) -> dict[str, Kind]:
    """Each field's kind by its name, a row's columns as `rows.*.column`."""
    found: dict[str, Kind] = {}
    for part in parts:
        if isinstance(part, Rows):
            found |= {f"{part.name}.*.{c.name}": c.kind for c in part.columns}
        else:
            found[part.name] = part.kind
    return found


def read_form(parts: Sequence[Part], form: Sequence[tuple[str, str]], timezone: str) -> Submitted:
    """The body a submitted form stands for: only the listed fields, blanks left out, a
    ticked box true, a local date and time given the service time zone's offset."""
    kind_of = kinds(parts)
    tree: dict[str, Any] = {}
    for name, raw in form:
        if name in META:
            continue
        numbers = [n for n in map(_row_number, name.split(".")) if n is not None]
        if any(n >= MAX_ROWS for n in numbers):
            continue
        kind = kind_of.get(_pattern(name))
        value = raw if kind == "password" else raw.strip()
        if kind is None or value == "":
            continue
        converted: Any = value
        if kind == "checkbox":
            converted = True
        elif kind == "datetime":
            converted = _aware(value, timezone)
        elif kind == "csv":
            converted = [word.strip() for word in value.split(",") if word.strip()]
        _put(tree, name.split("."), converted)
    renumbered: dict[str, str] = {}
    return Submitted(_compact(tree, "", renumbered), renumbered)


def _row_number(piece: str) -> int | None:
    """A path piece that numbers a row (ASCII digits only: `²` is no row)."""
    return int(piece) if piece.isascii() and piece.isdecimal() and len(piece) <= 4 else None


def _pattern(name: str) -> str:
    """A field's name with its row numbers as `*`: the key of `kinds`."""
    return ".".join("*" if _row_number(p) is not None else p for p in name.split("."))


def _aware(value: str, timezone: str) -> str:
    """`2026-12-02T10:00` from a datetime-local input, as that instant in the service zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the body model says what is wrong with it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.isoformat()


def _put(tree: dict[str, Any], path: list[str], value: Any) -> None:
    node = tree
    for piece in path[:-1]:
        node = node.setdefault(piece, {})
        if not isinstance(node, dict):
            return
    node[path[-1]] = value


def _compact(node: dict[str, Any], prefix: str, renumbered: dict[str, str]) -> dict[str, Any]:
    """Numbered children become lists in order; their blank rows are gone."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if not isinstance(value, dict):
            out[key] = value
        elif value and all(_row_number(k) is not None for k in value):
            rows: list[Any] = []
            for old in sorted(value, key=int):
                row = value[old]
                if isinstance(row, dict):
                    row = _compact(row, f"{path}.{old}.", renumbered)
                if row:
                    renumbered[f"{path}.{len(rows)}"] = f"{path}.{old}"
                    rows.append(row)
            if rows:
                out[key] = rows
        else:
            inner = _compact(value, f"{path}.", renumbered)
            if inner:
                out[key] = inner
    return out


def flatten(document: Mapping[str, Any], parts: Sequence[Part], timezone: str) -> dict[str, str]:
    """A stored document as the form's fields show it, to edit it."""
    kind_of = kinds(parts)
    shown: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        kind = kind_of.get(_pattern(path))
        if kind is not None:
            shown[path] = _shown(value, kind, timezone)
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}.{index}")

    walk(document, "")
    return shown


def _shown(value: Any, kind: Kind, timezone: str) -> str:
    if value is None:
        return ""
    if kind == "checkbox":
        return "on" if value else ""
    if kind == "yesno":
        return "true" if value else "false"
    if kind == "csv":
        return ", ".join(str(v) for v in value)
    if kind == "datetime":
        moment = datetime.fromisoformat(str(value)).astimezone(ZoneInfo(timezone))
        return moment.strftime("%Y-%m-%dT%H:%M")
    return str(value)


def rows_shown(parts: Sequence[Part], entered: Mapping[str, str]) -> dict[str, int]:
    """How many rows each list shows: its blank rows, or one more than it has."""
    counts: dict[str, int] = {}
    for part in parts:
        if isinstance(part, Rows):
            used = {
                k[len(part.name) + 1 :].split(".")[0]
                for k in entered
                if k.startswith(part.name + ".")
            }
            numbers = [n for n in map(_row_number, used) if n is not None and n < MAX_ROWS]
            counts[part.name] = min(MAX_ROWS, max(part.count, max(numbers, default=-1) + 2))
    return counts

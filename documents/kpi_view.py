"""The KPI page's content (pure): its tables and charts from KPI reports, every figure with
the link to the requests behind it (`/reports/kpi/requests`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from documents.labels import label
from kpi.periods import Period
from models.common import ClockName
from models.kpi import Grouping, KpiGroup, KpiReport

PAGE = "/reports/kpi"
GROUPINGS: dict[str, str] = {
    "": "合计 Totals only",
    "day": "按日 By day",
    "week": "按周 By week",
    "month": "按月 By month",
    "engineer": "按工程师 By engineer",
    "region": "按区域 By region",
    "severity": "按级别 By severity",
    "customer": "按客户 By customer",
    "type": "按类型 By type",
}


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None


@dataclass
class Table:
    title: str
    head: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class Tile:
    name: str
    value: str
    href: str


def tiles(report: KpiReport, period: Period) -> list[Tile]:
    """The page's headline figures, each with the requests behind it."""
    total = report.total

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:g} %"

    return [
        Tile(
            "结单 Closed", str(total.requests.closed), drill(period, None, "requests.closed", None)
        ),
        Tile(
            "响应达标率 Response",
            rate(total.clocks[ClockName.RESPONSE].compliance),
            drill(period, None, "clocks.response.breached", None),
        ),
        Tile(
            "修复达标率 Resolution",
            rate(total.clocks[ClockName.RESOLUTION].compliance),
            drill(period, None, "clocks.resolution.breached", None),
        ),
        Tile(
            "一次修复率 First-time fix",
            rate(total.requests.first_time_fix_rate),
            drill(period, None, "requests.first_time_fixes", None),
        ),
        Tile(
            "满意度 Satisfaction",
            "—"
            if total.revisits.satisfaction_mean is None
            else f"{total.revisits.satisfaction_mean:g}",
            drill(period, None, "revisits.done", None),
        ),
        Tile(
            "投诉 Complaints",
            str(total.complaints.opened),
            drill(period, None, "complaints.opened", None),
        ),
        Tile(
            "在办 Open now",
            str(sum(e.open for e in report.backlog)),
            drill(period, None, "backlog", None),
        ),
    ]


def trend_unit(period: Period) -> Grouping:
    """The time bucket of the page's trend charts: days for a month, then weeks, then
    months."""
    days = (period.last - period.first).days + 1
    return "day" if days <= 31 else "week" if days <= 190 else "month"


def period_query(period: Period, grouping: Grouping | None = None, **more: str) -> str:
    """The query string of the KPI routes for the period (and grouping, and `more`)."""
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    query |= {"group_by": grouping} if grouping else {}
    return urlencode(query | more)


def drill(period: Period, grouping: Grouping | None, figure: str, key: str | None) -> str:
    if grouping is None or key is None:
        return f"{PAGE}/requests?{period_query(period, figure=figure)}"
    return f"{PAGE}/requests?{period_query(period, grouping, figure=figure, key=key)}"


def _number(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}{unit}"


#: (heading, value of a group, the figure whose requests it links to)
Column = tuple[str, Callable[[KpiGroup], Any], str | None]
SERVICE_COLUMNS: Sequence[Column] = (
    ("结单 Closed", lambda g: g.requests.closed, "requests.closed"),
    ("取消 Cancelled", lambda g: g.requests.cancelled, "requests.cancelled"),
    ("一次修复 First-time fix", lambda g: g.requests.first_time_fixes, "requests.first_time_fixes"),
    ("一次修复率 FTF %", lambda g: g.requests.first_time_fix_rate, "requests.fixed_on_site"),
    (
        "远程解决率 Remote %",
        lambda g: g.requests.remote_resolution_rate,
        "requests.resolved_remotely",
    ),
    ("重复维修 Repeats", lambda g: g.requests.repeat_repairs, "requests.repeat_repairs"),
    ("备用机 Loaners", lambda g: g.loaners.issued, "loaners.issued"),
    ("备用机天 Loaner-days", lambda g: g.loaners.loaner_days, "loaners.issued"),
    ("升级 Escalations", lambda g: sum(g.escalations.values()), None),
    ("回访 Revisits", lambda g: g.revisits.done, "revisits.done"),
    ("联系不上 Unreachable", lambda g: g.revisits.unreachable, "revisits.unreachable"),
    ("满意度 Satisfaction", lambda g: g.revisits.satisfaction_mean, "revisits.done"),
    ("满意 ≥4 %", lambda g: g.revisits.satisfied_share, "revisits.satisfied"),
    ("未解决 Not solved %", lambda g: g.revisits.not_solved_rate, "revisits.not_solved"),
    ("投诉 Complaints", lambda g: g.complaints.opened, "complaints.opened"),
    ("每百单投诉 per 100", lambda g: g.complaints.per_100_closed, "complaints.opened"),
    ("按时答复 In time", lambda g: g.complaints.answered_in_time, "complaints.answered_in_time"),
)
CLOCK_HEAD = [
    "时限 Clock", "结束 Ended", "达标 Met", "超时 Breached", "达标率 Compliance",
    "工作分钟 均值/P90 Business min", "自然分钟 均值/P90 Wall min", "超时未完成 Breached, running",
]  # fmt: skip


def _group_key(report: KpiReport, group: KpiGroup) -> str | None:
    return None if group is report.total else group.key


def service_table(report: KpiReport, period: Period) -> Table:
    table = Table("服务 Service", ["分组 Group", *(c[0] for c in SERVICE_COLUMNS)])
    for group in [*report.groups, report.total]:
        key = _group_key(report, group)
        row = [Cell(group.label)]
        for _, value, figure in SERVICE_COLUMNS:
            href = drill(period, report.group_by, figure, key) if figure else None
            row.append(Cell(_number(value(group)), href))
        table.rows.append(row)
    return table


def clock_table(report: KpiReport, period: Period) -> Table:
    table = Table("时限 SLA clocks", ["分组 Group", *CLOCK_HEAD])
    for group in [*report.groups, report.total]:
        key = _group_key(report, group)

        def link(clock: str, column: str, k: str | None = key) -> str:
            return drill(period, report.group_by, f"clocks.{clock}.{column}", k)

        for clock in ClockName:
            f = group.clocks[clock]
            if not (f.ended or f.breached_running):
                continue
            table.rows.append(
                [
                    Cell(group.label),
                    Cell(label("clock", clock)),
                    Cell(str(f.ended), link(clock, "ended")),
                    Cell(str(f.met), link(clock, "met")),
                    Cell(str(f.breached), link(clock, "breached")),
                    Cell(_number(f.compliance, " %"), link(clock, "breached")),
                    Cell(f"{_number(f.business_minutes.mean)} / {_number(f.business_minutes.p90)}"),
                    Cell(f"{_number(f.wall_minutes.mean)} / {_number(f.wall_minutes.p90)}"),
                    Cell(str(f.breached_running), link(clock, "breached_running")),
                ]
            )
    return table


def _series(
    report: KpiReport, period: Period, name: str, value: Callable[[KpiGroup], Any], figure: str
) -> dict[str, Any]:
    return {
        "name": name,
        "data": [value(g) for g in report.groups],
        "links": [drill(period, report.group_by, figure, g.key) for g in report.groups],
    }


def _breaches(clock: ClockName) -> Callable[[KpiGroup], int]:
    return lambda g: g.clocks[clock].breached + g.clocks[clock].breached_running


def _compliance(clock: ClockName) -> Callable[[KpiGroup], float | None]:
    return lambda g: g.clocks[clock].compliance


def charts(
    period: Period, trend: KpiReport, severity: KpiReport, region: KpiReport
) -> dict[str, Any]:
    """The page's charts as ECharts needs their data: labels, series, and a link per point."""

    def breaches(report: KpiReport, naming: Callable[[KpiGroup], str]) -> dict[str, Any]:
        return {
            "labels": [naming(g) for g in report.groups],
            "series": [
                _series(
                    report,
                    period,
                    label("clock", clock),
                    _breaches(clock),
                    f"clocks.{clock}.breached",
                )
                for clock in ClockName
            ],
        }

    labels = [g.label for g in trend.groups]
    return {
        "compliance": {
            "labels": labels,
            "series": [
                _series(
                    trend,
                    period,
                    label("clock", clock),
                    _compliance(clock),
                    f"clocks.{clock}.breached",
                )
                for clock in ClockName
            ],
        },
        "breaches_by_severity": breaches(severity, lambda g: g.label),
        "breaches_by_region": breaches(region, lambda g: label("region", g.key)),
        "load": {
            "labels": [e.name for e in trend.engineers],
            "series": [
                {
                    "name": "在办 Open",
                    "data": [e.open_assignments for e in trend.engineers],
                    "links": [
                        drill(period, "engineer", "backlog", e.engineer_id) for e in trend.engineers
                    ],
                },
                {
                    "name": "本期结单 Closed",
                    "data": [e.closed_in_period for e in trend.engineers],
                    "links": [
                        drill(period, "engineer", "requests.closed", e.engineer_id)
                        for e in trend.engineers
                    ],
                },
            ],
        },
        "satisfaction": {
            "labels": labels,
            "series": [
                _series(
                    trend,
                    period,
                    "满意度 Satisfaction",
                    lambda g: g.revisits.satisfaction_mean,
                    "revisits.done",
                ),
                _series(
                    trend,
                    period,
                    "态度 Attitude",
                    lambda g: g.revisits.attitude_mean,
                    "revisits.done",
                ),
            ],
        },
    }

"""The periodic analysis report (周报、月报、半年报) as HTML and PDF: the KPI page's tiles and
tables for the period, in Chinese with English beside, printed by WeasyPrint like the service
report."""

from __future__ import annotations

from documents.kpi_view import clock_table, service_table, tiles
from documents.report import CJK_FONT, render_pdf
from documents.templating import local_time, report_pages
from kpi.periods import Period
from models.analysis import AnalysisKind
from models.kpi import KpiReport

TITLES: dict[AnalysisKind, str] = {
    "weekly": "服务周报 Weekly service report",
    "monthly": "服务月报 Monthly service report",
    "half_yearly": "服务半年报 Half-year service report",
}


def analysis_html(kind: AnalysisKind, period: Period, report: KpiReport) -> str:
    return report_pages.get_template("analysis_pdf.html").render(
        title=TITLES[kind],
        period=period,
        generated=local_time(report.generated_at, period.timezone),
        tiles=tiles(report, period),
        tables=[clock_table(report, period), service_table(report, period)],
        engineers=report.engineers,
        font=CJK_FONT,
    )


def analysis_pdf(html: str) -> bytes:
    return render_pdf(html)

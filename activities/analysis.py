"""The periodic analysis report's activity: render the KPIs of the period that just ended,
keep the report and tell the supervisor and the manager, once per kind and period."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from temporalio import activity

from db.session import SessionFactory, transaction
from db.tables import AnalysisReportRow
from db.upserts import insert_new
from documents.analysis import TITLES, analysis_html, analysis_pdf
from kpi.engine import kpi_report
from kpi.periods import ended_before
from models.activity_io import NotificationRequest
from models.analysis import GROUPED_BY, MAKE_REPORT, ReportRequest, report_id
from notifications import outbox
from notifications.delivery import Delivery
from notifications.relay import OutboxRelay

#: Who gets the report.
RECIPIENTS = ["supervisor", "manager"]


class AnalysisActivities:
    def __init__(
        self, sessions: SessionFactory, delivery: Delivery, relay: OutboxRelay | None, base_url: str
    ) -> None:
        self._sessions, self._delivery, self._relay = sessions, delivery, relay
        self._base_url = base_url.rstrip("/")

    @activity.defn(name=MAKE_REPORT)
    def make_analysis_report(self, request: ReportRequest) -> str:
        """The report's ID. A report already made for the period is kept as it is, and its
        notice is written once (keyed by the report), so a retry or a second trigger of the
        schedule makes nothing twice."""
        local_day = request.at.astimezone(ZoneInfo(request.timezone)).date()
        period = ended_before(request.kind, local_day, request.timezone)
        rid = report_id(request.kind, period.first)
        with self._sessions() as session:
            done = session.get(AnalysisReportRow, rid) is not None
        if not done:
            with self._sessions() as session:
                report = kpi_report(session, period, GROUPED_BY[request.kind])
            html = analysis_html(request.kind, period, report)
            row = {
                "id": rid,
                "kind": request.kind,
                "first": period.first,
                "last": period.last,
                "html": html,
                "pdf": analysis_pdf(html),
                "created_at": datetime.now(UTC),
            }
        notice = NotificationRequest(
            key=f"analysis-report:{rid}",
            number=rid,
            kind="analysis_report",
            recipients=RECIPIENTS,
            data={
                "title": TITLES[request.kind],
                "first": period.first.isoformat(),
                "last": period.last.isoformat(),
                "url": f"{self._base_url}/v1/reports/{rid}.pdf",
            },
        )
        notices = self._delivery.compose_for_relay([notice])
        with transaction(self._sessions) as session:
            if not done:
                insert_new(session, AnalysisReportRow, [row], unique=("id",))
            outbox.add_new(session, notices)
        if notices and self._relay is not None:
            self._relay.nudge()
        return rid

"""`GET /v1/reports`: the periodic analysis reports made so far, and each one's PDF
(supervisors and admins)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from api.context import Ctx
from api.kpis import Manager
from api.problems import Problem
from db.tables import AnalysisReportRow
from models.analysis import AnalysisReportView

router = APIRouter(prefix="/v1/reports", tags=["kpis"])


@router.get("", response_model=list[AnalysisReportView])
async def list_reports(ctx: Ctx, who: Manager) -> list[AnalysisReportView]:
    """Newest period first."""

    def load() -> list[AnalysisReportView]:
        with ctx.sessions() as session:
            rows = session.execute(
                select(
                    AnalysisReportRow.id,
                    AnalysisReportRow.kind,
                    AnalysisReportRow.first,
                    AnalysisReportRow.last,
                    AnalysisReportRow.created_at,
                ).order_by(AnalysisReportRow.first.desc(), AnalysisReportRow.kind)
            )
            return [
                AnalysisReportView(
                    id=rid, kind=kind, first=first, last=last, created_at=created,
                    pdf=f"/v1/reports/{rid}.pdf",
                )
                for rid, kind, first, last, created in rows
            ]  # fmt: skip

    return await ctx.db(load)


@router.get("/{report_id}.pdf", response_class=Response)
async def report_pdf(report_id: str, ctx: Ctx, who: Manager) -> Response:
    def load() -> bytes | None:
        with ctx.sessions() as session:
            return session.scalar(
                select(AnalysisReportRow.pdf).where(AnalysisReportRow.id == report_id)
            )

    pdf = await ctx.db(load)
    if pdf is None:
        raise Problem(404, f"there is no report {report_id!r}")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}.pdf"'},
    )

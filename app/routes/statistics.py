"""The programme in figures: /thong-ke with its charts and tables, and each table as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.services.statistics.downloads import table_csv
from app.services.statistics.figures import parse_province_mode
from app.services.statistics.page import statistics_page, statistics_table
from app.web.deps import SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)
CSV_TYPE = "text/csv; charset=utf-8"


@router.get("/thong-ke", name="statistics")
def statistics(request: Request, session: SessionDep, today: TodayDep, tinh: str = "") -> Response:
    """Certified products by status, year and level, province, group, and beside the published totals."""
    page = statistics_page(session=session, today=today, mode=parse_province_mode(tinh))
    return templates.TemplateResponse(request, "statistics/index.html", {"page": page, "today": today})


@router.get("/thong-ke/{table}.csv", name="statistics_csv")
def statistics_csv(session: SessionDep, today: TodayDep, table: str, tinh: str = "") -> Response:
    """One table of the page as CSV (UTF-8 with BOM, Vietnamese headers); `tinh` as on the page."""
    mode = parse_province_mode(tinh)
    found = statistics_table(session=session, today=today, name=table, mode=mode)
    suffix = f"-{mode.value}" if table == "tinh" else ""
    filename = f"thong-ke-{table}{suffix}-{today.isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(table_csv(found), media_type=CSV_TYPE, headers=headers)

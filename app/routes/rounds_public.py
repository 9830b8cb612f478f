"""Public pages of selection rounds: linked from each certificate on a product page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.services.catalog.rounds import get_round_page
from app.web.deps import RowId, SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/dot-binh-chon/{round_id}", name="round")
def round_page(request: Request, round_id: RowId, session: SessionDep, today: TodayDep) -> Response:
    """A published round: level, year, place, decision and its winners."""
    page = get_round_page(session=session, round_id=round_id, today=today)
    return templates.TemplateResponse(request, "rounds/detail.html", {"page": page, "today": today})

"""Public calls for entries: the list (/nop-ho-so) and one call (/nop-ho-so/{round_id})."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.services.catalog.calls import get_call_page, list_calls
from app.web.deps import RowId, SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/nop-ho-so", name="calls")
def calls_list(request: Request, session: SessionDep, today: TodayDep) -> Response:
    """The calls: receiving entries, upcoming, being scored, then recent results."""
    calls = list_calls(session=session, today=today)
    return templates.TemplateResponse(request, "calls/list.html", {"calls": calls, "today": today})


@router.get("/nop-ho-so/{round_id}", name="call")
def call_page(request: Request, round_id: RowId, session: SessionDep, today: TodayDep) -> Response:
    """One call: stage, dates, the documents to attach, the criteria and their points; 404 if withdrawn."""
    page = get_call_page(session=session, round_id=round_id, today=today)
    producer_signed_in = isinstance(request.session.get("pid"), int)  # the apply link, else a sign-in prompt
    context = {"page": page, "today": today, "producer_signed_in": producer_signed_in}
    return templates.TemplateResponse(request, "calls/detail.html", context)

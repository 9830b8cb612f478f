"""Public pages of selection rounds: the list of rounds, each round (linked from its certificates) and its
decision PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.domain.levels import parse_level
from app.files.decision_pdf import decision_pdf_path, safe_pdf_filename
from app.services.catalog.provenance import decision_document
from app.services.catalog.rounds import get_round_page, list_rounds
from app.web.deps import RowId, SessionDep, SettingsDep, TodayDep
from app.web.revalidation import etag_matches
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)
# The address is stable while an office may replace the PDF: a day's cache, then revalidated by its hash.
DECISION_CACHE = "public, max-age=86400"


@router.get("/dot-binh-chon", name="rounds")
def rounds_page(request: Request, session: SessionDep, cap: str = "", nam: str = "",
                trang: str = "1") -> Response:
    """Every published round, newest year first, filtered by level and year.

    The filters are a plain GET form: a value that is not a level or a year (a forged link) is
    ignored and the list shown unfiltered, with the choice left empty, rather than an error page.
    """
    level = parse_level(cap[:40]) if cap else None
    year = int(nam) if nam.isascii() and nam.isdigit() and len(nam) == 4 else None
    page = int(trang) if trang.isascii() and trang.isdigit() and len(trang) <= 6 else 1
    listing = list_rounds(session=session, level=level, year=year, page=page)
    context = {"listing": listing, "level": level, "year": year}
    return templates.TemplateResponse(request, "rounds/index.html", context)


@router.get("/dot-binh-chon/{round_id}", name="round")
def round_page(request: Request, round_id: RowId, session: SessionDep, today: TodayDep) -> Response:
    """A published round: level, year, place, decision and its winners."""
    page = get_round_page(session=session, round_id=round_id, today=today)
    return templates.TemplateResponse(request, "rounds/detail.html", {"page": page, "today": today})


@router.get("/dot-binh-chon/{round_id}/quyet-dinh.pdf", name="round_decision_pdf")
def decision_pdf(request: Request, round_id: RowId, session: SessionDep, settings: SettingsDep) -> Response:
    """The round's decision PDF, shown in the browser; its content hash is the ETag (304 when unchanged)."""
    selection_round = decision_document(session=session, round_id=round_id)
    content_hash = selection_round.decision_pdf_hash or ""
    etag = f'"{content_hash}"'
    headers = {"ETag": etag, "Cache-Control": DECISION_CACHE, "X-Content-Type-Options": "nosniff"}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(decision_pdf_path(settings.decision_path, content_hash), media_type="application/pdf",
                        headers=headers, filename=safe_pdf_filename(selection_round.decision_pdf_name),
                        content_disposition_type="inline")

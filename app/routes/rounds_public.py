"""Public pages of selection rounds: the list of rounds, and each round (linked from its certificates)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.levels import parse_level
from app.services.catalog.rounds import get_round_page, list_rounds
from app.web.deps import RowId, SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)


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

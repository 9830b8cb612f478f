"""The home page and the catalog: one URL answers the full page or, for htmx, the results fragment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.deps import SearchDep, SessionDep, TodayDep
from app.routes import facets
from app.routes.pages import router as pages_router
from app.search_params import RawSearchParams, build_search_query
from app.services.catalog import home_summary
from app.services.catalog_search import search_catalog
from app.templating import is_fragment_request, templates

router = APIRouter(default_response_class=HTMLResponse)
router.include_router(pages_router)
Many = Annotated[list[str], Query()]


@router.get("/", name="home")
def home(request: Request, session: SessionDep, today: TodayDep) -> Response:
    """Search box, browsing by group, province and level, and the latest winners."""
    summary = home_summary(session=session, today=today)
    return templates.TemplateResponse(request, "home/index.html", {"summary": summary, "today": today})


@router.get("/san-pham", name="catalog")
def catalog(
    request: Request,
    session: SessionDep,
    search: SearchDep,
    today: TodayDep,
    q: str = "",
    province: Many = [],  # noqa: B006 - FastAPI copies defaults per request
    group: Many = [],  # noqa: B006
    level: Many = [],  # noqa: B006
    year: Many = [],  # noqa: B006
    status: str = "",
    sort: str = "",
    page: str = "",
    per_page: str = "",
) -> Response:
    """Search with facets; an htmx request (not boosted, not a history restore) gets only the results."""
    raw = RawSearchParams(
        q=q, province=tuple(province), group=tuple(group), level=tuple(level), year=tuple(year),
        status=status, sort=sort, page=page, per_page=per_page,
    )
    query = build_search_query(raw, today=today, default_per_page=facets.DEFAULT_PER_PAGE)
    result = search_catalog(session=session, engine=search, query=query)
    template = "catalog/_results.html" if is_fragment_request(request) else "catalog/index.html"
    response = templates.TemplateResponse(
        request, template, {"page": result, "query": query, "facets": facets, "today": today}
    )
    response.headers["Vary"] = "HX-Request"
    return response

"""The home page and the catalog: one URL answers the full page or, for htmx, the results fragment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.services.catalog.reads import covers, home_summary
from app.services.catalog.search_results import (
    CatalogPage,
    catalog_page,
    database_answer,
    engine_answer,
    page_with_photos,
    photo_ids,
    search_or_fallback,
)
from app.services.catalog.zero_results import zero_result_advice
from app.web import facet_links as facets
from app.web.deps import SearchDep, SessionDep, SettingsDep, TodayDep
from app.web.loop_turns import runs_in_process, search_turns
from app.web.page_cache import PageKey, catalog_pages, page_key
from app.web.pager import page_links
from app.web.search_params import RawSearchParams, build_search_query
from app.web.templating import cookie_slugs, is_fragment_request, templates
from search.engine import SearchEngine, SearchQuery, SearchResult

router = APIRouter(default_response_class=HTMLResponse)
Many = Annotated[list[str], Query()]
VARY = {"Vary": "HX-Request"}  # the fragment and the full page share a URL


@router.get("/", name="home")
def home(request: Request, session: SessionDep, today: TodayDep) -> Response:
    """Search box, browsing by group, province and level, and the latest winners."""
    summary = home_summary(session=session, today=today)
    return templates.TemplateResponse(request, "home/index.html", {"summary": summary, "today": today})


@router.get("/san-pham", name="catalog")
async def catalog(
    request: Request,
    settings: SettingsDep,
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
    """Search with facets; an htmx request (not boosted, not a history restore) gets only the results.

    A page rendered before from the same result, URL, language and shortlist is sent as stored
    (app/web/page_cache.py) straight from the event loop. The embedded engine's search and the
    render are CPU work in this process: they run on the loop too (_catalog_in_process). A remote
    engine, which waits on the network, is searched and rendered in a worker thread.
    """
    raw = RawSearchParams(
        q=q, province=tuple(province), group=tuple(group), level=tuple(level), year=tuple(year),
        status=status, sort=sort, page=page, per_page=per_page,
    )
    query = build_search_query(raw, today=today, default_per_page=facets.DEFAULT_PER_PAGE)
    view = CatalogView(request=request, query=query, fragment=is_fragment_request(request),
                       base_url=settings.public_base_url)
    if (stored := search.cached(query)) is not None and (body := view.stored(stored)) is not None:
        return HTMLResponse(body, headers=VARY)
    if runs_in_process(search):
        return await _catalog_in_process(view, session=session, search=search)
    return await run_in_threadpool(_render_catalog, view, session=session, search=search)


@dataclass(frozen=True)
class CatalogView:
    """What a catalog page is rendered from besides the search result."""

    request: Request
    query: SearchQuery
    fragment: bool
    base_url: str

    def key(self, result: SearchResult) -> PageKey | None:
        """The stored page's key for `result` (None: not to be stored)."""
        return page_key(self.request, result, fragment=self.fragment, shortlist=cookie_slugs(self.request),
                        base_url=self.base_url)

    def stored(self, result: SearchResult) -> bytes | None:
        """The page rendered before from `result` and this request, if it is stored."""
        key = self.key(result)
        return None if key is None else catalog_pages.get(key)


async def _catalog_in_process(view: CatalogView, *, session: Session, search: SearchEngine) -> Response:
    """The embedded engine's page: search and render on the event loop, each in a loop turn of its own.

    In a worker thread the same CPU work cost a third more per request, in thread hops and GIL
    hand-overs (BENCHMARKS.md, load section), as the API's search did (app/web/loop_turns.py). Only
    what waits on the database goes to a thread: the cover photos of hits that have one, and the
    database's listing when the engine cannot answer.
    """
    async with search_turns.turn():
        result = engine_answer(search, view.query)
    if result is None:
        return await run_in_threadpool(_fallback_catalog, view, session=session)
    if (body := view.stored(result)) is not None:
        return HTMLResponse(body, headers=VARY)
    ids = photo_ids(result)
    photos = await run_in_threadpool(covers, session=session, product_ids=ids) if ids else {}
    page = page_with_photos(query=view.query, result=result, photos=photos, unavailable=False)
    async with search_turns.turn():
        return _render(view, page, search=search)


def _render_catalog(view: CatalogView, *, session: Session, search: SearchEngine) -> Response:
    """A remote engine's search (or the database fallback), cover photos, render: blocking, in a thread."""
    result, unavailable = search_or_fallback(session=session, engine=search, query=view.query)
    if (body := view.stored(result)) is not None:
        return HTMLResponse(body, headers=VARY)
    page = catalog_page(session=session, query=view.query, result=result, unavailable=unavailable)
    return _render(view, page, search=search)


def _fallback_catalog(view: CatalogView, *, session: Session) -> Response:
    """The database's listing with its notice, when the in-process engine could not answer: in a thread."""
    result = database_answer(session=session, query=view.query)
    page = catalog_page(session=session, query=view.query, result=result, unavailable=True)
    return _render(view, page, search=None)


def _render(view: CatalogView, page: CatalogPage, *, search: SearchEngine | None) -> Response:
    """Render `page` (with advice when nothing matched) and store it.

    A page past the last answers 404 with a link to the last page (not a redirect: a stale or
    made-up page number is not another address of the last page, and the visitor sees why).
    """
    past_end = view.query.page > page.page_count
    advice = None
    if not page.total and not past_end:
        advice = zero_result_advice(engine=None if page.unavailable else search, query=view.query)
    template = "catalog/_results.html" if view.fragment else "catalog/index.html"
    context = {"page": page, "query": view.query, "facets": facets, "today": view.query.today,
               "pages": page_links(view.query, page.page_count), "past_end": past_end, "advice": advice}
    response = templates.TemplateResponse(view.request, template, context, headers=VARY,
                                          status_code=404 if past_end else 200)
    if not past_end and (key := view.key(page.result)) is not None:
        catalog_pages.put(key, bytes(response.body))
    return response

"""The catalog search use-case: ask the engine, add cover photos and status words for each hit.

When the engine errors or times out, the same query is answered from the database
(app.services.catalog.fallback) and the page is marked so it shows a notice instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from time import perf_counter

from sqlmodel import Session

from app.domain.provinces import display_name, province_by_slug
from app.domain.standing import Standing, standing
from app.domain.validity import CertificateStatus
from app.i18n import gettext
from app.metrics import observe_fallback, observe_search
from app.services.catalog.fallback import fallback_search
from app.services.catalog.reads import ImageView, covers
from search.engine import SearchEngine, SearchHit, SearchQuery, SearchResult, SearchUnavailable
from search.reconnecting import ReconnectingEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HitView:
    """One result card: the hit, its level and status today, cover photo and provinces at certification."""

    hit: SearchHit
    standing: Standing
    cover: ImageView | None
    certified_in: list[str]

    @property
    def status(self) -> CertificateStatus:
        """The product's status today (at the level it is shown with)."""
        return self.standing.status


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """A page of results for one query; `unavailable` when they come from the database fallback."""

    query: SearchQuery
    result: SearchResult
    hits: list[HitView] = field(default_factory=list)
    unavailable: bool = False

    @property
    def total(self) -> int:
        """Number of matching products."""
        return self.result.total

    @property
    def page_count(self) -> int:
        """Number of pages for the total."""
        return max(1, -(-self.total // self.query.per_page))


def _former_names(slugs: list[str], current: str) -> list[str]:
    names = []
    for slug in dict.fromkeys(slugs):
        info = province_by_slug(slug)
        if slug != current and info is not None:
            names.append(display_name(info, translate=gettext))
    return names


def search_or_fallback(
    *, session: Session, engine: SearchEngine, query: SearchQuery
) -> tuple[SearchResult, bool]:
    """The engine's answer, or the database listing when it cannot answer; True means the fallback.

    Each answer's time goes to the search-latency metric under the engine that gave it; a
    fallback's is the database's alone, and it is counted (app/metrics.py). The wait for an
    engine that failed shows in the request's own latency, not under any engine.
    """
    result = engine_answer(engine, query)
    if result is not None:
        return result, False
    return database_answer(session=session, query=query), True


def database_answer(*, session: Session, query: SearchQuery) -> SearchResult:
    """The database's listing for `query` (the fallback), its time observed and counted."""
    started = perf_counter()
    result = fallback_search(session=session, query=query)
    observe_fallback(perf_counter() - started)
    return result


def engine_answer(engine: SearchEngine, query: SearchQuery) -> SearchResult | None:
    """The engine's answer, its time observed under the engine's name; None (logged) when it cannot answer.

    The routes call it on the event loop for an in-process engine (app/web/loop_turns.py), then
    search_or_fallback in a worker thread only when it answered None.
    """
    started = perf_counter()
    try:
        result = engine.search(query)
    except SearchUnavailable as error:
        log.warning("search engine unavailable (%s); listing from the database", error)
        return None
    observe_search(_engine_name(engine), perf_counter() - started)
    return result


def _engine_name(engine: SearchEngine) -> str:
    """The configured engine's name, which the app's ReconnectingEngine carries; `other` for a bare one."""
    return engine.name if isinstance(engine, ReconnectingEngine) else "other"


def search_catalog(*, session: Session, engine: SearchEngine, query: SearchQuery) -> CatalogPage:
    """Run `query` with cover photos and status per hit; falls back to the database when search is down."""
    result, unavailable = search_or_fallback(session=session, engine=engine, query=query)
    return catalog_page(session=session, query=query, result=result, unavailable=unavailable)


def catalog_page(*, session: Session, query: SearchQuery, result: SearchResult,
                 unavailable: bool) -> CatalogPage:
    """The cards of `result`: status today, cover photo and provinces at certification per hit."""
    photos = covers(session=session, product_ids=photo_ids(result))
    return page_with_photos(query=query, result=result, photos=photos, unavailable=unavailable)


def photo_ids(result: SearchResult) -> list[int]:
    """The hits whose cover photo's sizes must be read from the database.

    Only hits whose document has a cover photo: a page without photos reads nothing (a document
    is reindexed whenever its photos change), so the catalog can render it without a worker thread.
    """
    return [hit.document["id"] for hit in result.hits if hit.document["image"]]


def page_with_photos(*, query: SearchQuery, result: SearchResult, photos: Mapping[int, ImageView],
                     unavailable: bool) -> CatalogPage:
    """The cards of `result` with the cover photos already read (`photos`, by product id): no I/O."""
    hits = [
        HitView(
            hit=hit,
            standing=standing(hit.document["validity"], on=query.today),
            cover=photos.get(hit.document["id"]),
            certified_in=_former_names(hit.document["certified_provinces"], hit.document["province"]),
        )
        for hit in result.hits
    ]
    return CatalogPage(query=query, result=result, hits=hits, unavailable=unavailable)

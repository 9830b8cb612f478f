"""The catalog search use-case: ask the engine, add cover photos and status words for each hit.

When the engine cannot answer the page says so instead of failing (a database fallback
comes later).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlmodel import Session

from app.domain.provinces import display_name, province_by_slug
from app.domain.validity import CertificateStatus
from app.services.catalog import ImageView, covers
from search.documents import document_status
from search.engine import SearchEngine, SearchHit, SearchQuery, SearchResult, SearchUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HitView:
    """One result card: the hit, its status today, cover photo and provinces at certification."""

    hit: SearchHit
    status: CertificateStatus
    cover: ImageView | None
    certified_in: list[str]


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """A page of results (or the fact that search is down) for one query."""

    query: SearchQuery
    result: SearchResult | None
    hits: list[HitView] = field(default_factory=list)

    @property
    def unavailable(self) -> bool:
        """True when the engine could not answer."""
        return self.result is None

    @property
    def total(self) -> int:
        """Number of matching products (0 when unavailable)."""
        return self.result.total if self.result else 0

    @property
    def page_count(self) -> int:
        """Number of pages for the total."""
        return max(1, -(-self.total // self.query.per_page))


def _former_names(slugs: list[str], current: str) -> list[str]:
    names = []
    for slug in dict.fromkeys(slugs):
        info = province_by_slug(slug)
        if slug != current and info is not None:
            names.append(display_name(info))
    return names


def search_catalog(*, session: Session, engine: SearchEngine, query: SearchQuery) -> CatalogPage:
    """Run `query`; on SearchUnavailable return a page whose `result` is None."""
    try:
        result = engine.search(query)
    except SearchUnavailable:
        log.warning("search engine unavailable for %r", query.text)
        return CatalogPage(query=query, result=None)
    photos = covers(session=session, product_ids=[h.document["id"] for h in result.hits])
    hits = [
        HitView(
            hit=hit,
            status=document_status(hit.document, today=query.today),
            cover=photos.get(hit.document["id"]),
            certified_in=_former_names(hit.document["certified_provinces"], hit.document["province"]),
        )
        for hit in result.hits
    ]
    return CatalogPage(query=query, result=result, hits=hits)

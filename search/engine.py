"""The search protocol every engine implements, and the query model they share.

Routes and services only ever see `SearchEngine`, `SearchQuery` and `SearchResult`; the
embedded engine and the Meilisearch engine answer the same queries with the same
documents, and one contract suite (tests/search) holds them to it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from search.documents import MARK_END as MARK_END  # the highlight markers live beside the documents,
from search.documents import MARK_START as MARK_START  # which keep them out of product names
from search.documents import ProductDocument

MAX_QUERY_LENGTH = 200
MAX_PER_PAGE = 100
FACET_FIELDS = ("province", "group", "level", "year", "status")
# The filter key of the level and status filters, which act together (app/domain/standing.py `matches`).
LEVEL_STATUS = "level_status"


class SortOrder(StrEnum):
    """How results are ordered."""

    relevance = "relevance"
    newest = "newest"
    name = "name"


class StatusFilter(StrEnum):
    """Certificate status filter, evaluated against `SearchQuery.today`."""

    all = "all"
    valid = "valid"
    expired = "expired"
    revoked = "revoked"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Text, filters (values within one facet are OR-ed, facets AND-ed), sort and page.

    `provinces` holds slugs: a current province matches products now in it (former
    provinces included); a former province matches products certified there.
    `today` is the calendar date in Vietnam that status filters are evaluated on.
    """

    today: date
    text: str = ""
    provinces: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    status: StatusFilter = StatusFilter.all
    sort: SortOrder = SortOrder.relevance
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        """Rows to skip for this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching product: its document and the name with highlight markers."""

    document: ProductDocument
    name_highlighted: str


@dataclass(slots=True)
class SearchResult:
    """A page of hits, the total, disjunctive facet counts and a "did you mean" hint.

    `cache_key`, when an engine sets one, identifies this exact answer: results with equal
    keys are equal (the embedded engine: index generation, day and normalized query), so
    what is derived from a result alone may be cached under it. None means "do not cache".
    """

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    cache_key: Hashable | None = None


class SearchUnavailable(Exception):
    """The engine errored or timed out; callers fall back to a database listing."""


class SearchUnreachable(SearchUnavailable):
    """The engine did not answer at all (connection refused or reset, request timed out).

    Unlike an error the engine answered with, this says asking again at once would wait or fail
    the same way, so search/reconnecting.py stops asking and probes in the background instead.
    """


class SearchEngine(Protocol):
    """What the app needs from a search engine."""

    def upsert(self, documents: Sequence[ProductDocument]) -> None:
        """Add or replace documents by `id`."""

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by product id (missing ids are ignored)."""

    def clear(self) -> None:
        """Remove every document."""

    def replace_all(self, batches: Iterable[Sequence[ProductDocument]]) -> int:
        """Replace every document with those of `batches` (a full reindex); returns how many.

        Readers keep the old index until the new one is complete, and an error part-way leaves
        the old one whole: the embedded engine does it in one transaction, Meilisearch fills a
        new index and swaps it with the live one.
        """

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; raises SearchUnavailable when the engine cannot answer."""

    def cached(self, query: SearchQuery) -> SearchResult | None:
        """The stored answer to `query` while it is still current, else None; never waits or raises.

        The app asks this on its event loop before sending a search to a worker thread: a
        thread hop costs more than serving a stored answer (BENCHMARKS.md, load section).
        An engine without a per-process cache always answers None.
        """

    def fingerprints(self) -> dict[int, str]:
        """Product id → fingerprint of every indexed document, for drift checks."""

    def close(self) -> None:
        """Release connections and files."""

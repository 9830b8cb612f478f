"""Rendered catalog pages kept per process, keyed on everything a page is rendered from.

A catalog page costs milliseconds of Jinja (twenty cards, sixty facet links, the layout)
against microseconds for the cached search it shows, and catalog traffic repeats itself. A
page is a pure function of: the search result (whose key already holds the index generation,
the Vietnam day and the normalized query; BENCHMARKS.md, load section), the page's language,
path and query string as sent (the search box and every link echo them), whether htmx asked
for the results fragment, the visitor's shortlist (header count and each card's button) and
the public base URL (canonical and social tags). `page_key` puts all of these in the key, so
a stored page is only ever served where rendering again would give the same bytes. Results
without a key (the database fallback while the engine is down, or an engine that does not
cache) are rendered every time. Entries of older generations or days simply stop matching
and age out of the LRU.
"""

from __future__ import annotations

from collections.abc import Hashable

from fastapi import Request

from app.i18n import current_lang
from search.engine import SearchResult
from search.result_cache import LruCache

# ~60 KB of HTML each (a full page; a fragment is smaller): 256 pages hold at most ~15 MB.
MAX_PAGES = 256

PageKey = tuple[Hashable, ...]


def page_key(request: Request, result: SearchResult, *, fragment: bool, shortlist: list[str],
             base_url: str) -> PageKey | None:
    """What the rendered page depends on, or None when `result` cannot be cached."""
    if result.cache_key is None:
        return None
    scope = request.scope
    return (result.cache_key, current_lang(), scope["path"], scope.get("query_string", b""), fragment,
            tuple(shortlist), base_url)

catalog_pages: LruCache[PageKey, bytes] = LruCache(MAX_PAGES)

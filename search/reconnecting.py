"""Keep the site up when the search engine is not: open it lazily, retry after failures.

At start-up an unreachable Meilisearch or a broken index file must not stop the site: the
catalog lists from the database meanwhile (app/services/catalog/fallback.py). This wrapper
logs the one clear reason, answers SearchUnavailable, and tries to open the engine again
once `retry_after_s` has passed, so the engine comes back without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from search.documents import ProductDocument
from search.engine import SearchEngine, SearchQuery, SearchResult, SearchUnavailable
from search.factory import SearchConfigurationError

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReconnectingEngine:
    """A SearchEngine that opens the configured one on demand and again after it failed to open."""

    def __init__(self, opener: Callable[[], SearchEngine], *, name: str = "embedded",
                 retry_after_s: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 on_open: Callable[[SearchEngine], object] | None = None) -> None:
        self.name = name  # the configured engine (search.factory.engine_name), for search-latency metrics
        self._opener, self._retry_after_s, self._clock = opener, retry_after_s, clock
        self._on_open = on_open  # e.g. replay the outbox rows written while the engine was down
        self._inner: SearchEngine | None = None
        self._next_try = 0.0
        self._reason = ""
        self._closed = False
        self._lock = threading.Lock()

    def connect(self) -> bool:
        """Try to open the engine now (at start-up); False, with the reason logged, if it failed."""
        try:
            self._engine()
        except SearchUnavailable:
            return False
        return True

    @property
    def reason(self) -> str:
        """Why the engine is not open ('' when it is)."""
        return self._reason

    def _engine(self) -> SearchEngine:
        with self._lock:
            if self._closed:
                raise SearchUnavailable("search engine closed")
            if self._inner is not None:
                return self._inner
            if self._clock() < self._next_try:
                raise SearchUnavailable(self._reason)
            try:
                self._inner = self._opener()
            except (SearchConfigurationError, SearchUnavailable) as error:
                self._reason = str(error)
                self._next_try = self._clock() + self._retry_after_s
                log.error("search engine unavailable, serving from the database: %s", self._reason)
                raise SearchUnavailable(self._reason) from error
            self._reason = ""
            if self._on_open is not None:
                self._on_open(self._inner)
            return self._inner

    def _call(self, action: Callable[[SearchEngine], T]) -> T:
        return action(self._engine())

    def upsert(self, documents: Sequence[ProductDocument]) -> None:
        """Add or replace documents (SearchUnavailable keeps the outbox rows)."""
        self._call(lambda engine: engine.upsert(documents))

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by product id."""
        self._call(lambda engine: engine.delete(ids))

    def clear(self) -> None:
        """Remove every document."""
        self._call(lambda engine: engine.clear())

    def replace_all(self, batches: Iterable[Sequence[ProductDocument]]) -> int:
        """Replace every document on the open engine."""
        return self._call(lambda engine: engine.replace_all(batches))

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query on the open engine."""
        return self._call(lambda engine: engine.search(query))

    def cached(self, query: SearchQuery) -> SearchResult | None:
        """The open engine's stored answer, or None; never opens the engine nor waits for the lock."""
        inner = self._inner  # a plain read: an engine closed meanwhile answers None itself
        return None if inner is None else inner.cached(query)

    def fingerprints(self) -> dict[int, str]:
        """Product id → fingerprint of every indexed document."""
        return self._call(lambda engine: engine.fingerprints())

    def close(self) -> None:
        """Close for good (app shutdown): later calls raise SearchUnavailable, as a closed engine does."""
        with self._lock:
            self._closed = True
            if self._inner is not None:
                self._inner.close()
                self._inner = None

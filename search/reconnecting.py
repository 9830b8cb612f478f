"""Keep the site up when the search engine is not: stop asking a dead engine, reconnect in the background.

An unreachable Meilisearch or a broken index file, at start-up or later, must not stop the
site: the catalog lists from the database meanwhile (app/services/catalog/fallback.py). When
the engine cannot be opened, or an open engine stops answering at all (SearchUnreachable:
refused, reset, timed out), this wrapper logs the one clear reason, drops the engine and
answers SearchUnavailable at once from then on, so no request waits on a hung server. A
background thread tries to open the engine again every `retry_after_s` and, once it opens,
replays what was written meanwhile (`on_open`): the engine and its index come back without a
restart and without a request to trigger it. No request ever waits for a reconnection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from search.documents import ProductDocument
from search.engine import SearchEngine, SearchQuery, SearchResult, SearchUnavailable, SearchUnreachable
from search.factory import SearchConfigurationError

log = logging.getLogger(__name__)
T = TypeVar("T")
OPEN_ERRORS = (SearchConfigurationError, SearchUnavailable)
RETRY_AFTER_S = 5.0


class ReconnectingEngine:
    """A SearchEngine over the configured one: opened by `connect()`, dropped when it stops
    answering, opened again by a background thread."""

    def __init__(self, opener: Callable[[], SearchEngine], *, name: str = "embedded",
                 retry_after_s: float = RETRY_AFTER_S,
                 on_open: Callable[[SearchEngine], object] | None = None) -> None:
        self.name = name  # the configured engine (search.factory.engine_name), for search-latency metrics
        self._opener, self._retry_after_s = opener, retry_after_s
        self._on_open = on_open  # e.g. replay the outbox rows written while the engine was down
        self._inner: SearchEngine | None = None
        self._reason = "search engine not connected yet"
        self._reconnecting = False  # a reconnector thread is on its way to open the engine
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def connect(self) -> bool:
        """Open the engine now (at start-up); False, with the reason logged and a reconnector
        started, if it failed. `on_open` runs before this returns."""
        try:
            engine = self._opener()
        except OPEN_ERRORS as error:
            self._lost(None, str(error))
            return False
        return self._opened(engine)

    @property
    def reason(self) -> str:
        """Why the engine is not open ('' when it is)."""
        return self._reason

    def _opened(self, engine: SearchEngine) -> bool:
        """Serve from `engine` from now on, then run `on_open`; False if closed meanwhile."""
        with self._lock:
            if self._closed.is_set():
                engine.close()
                return False
            self._inner, self._reason, self._reconnecting = engine, "", False
        if self._on_open is not None:
            try:
                self._on_open(engine)
            except SearchUnavailable as error:  # catching up failed: the engine still serves, the site
                # still starts, and what was not indexed stays in the outbox (or shows in `search check`)
                log.warning("search engine open, but catching up on it failed: %s", error)
        return True

    def _lost(self, engine: SearchEngine | None, reason: str) -> None:
        """Stop using `engine` (None: none was open), log why, and start a reconnector if none runs.

        Several requests may fail on the same engine at once: the first one drops it, the rest
        find it already replaced and do nothing.
        """
        with self._lock:
            if self._closed.is_set() or self._inner is not engine:
                return
            self._inner, self._reason = None, reason
            start = not self._reconnecting
            self._reconnecting = True
        if engine is not None:
            engine.close()
        log.error("search engine unavailable, serving from the database: %s", reason)
        if start:
            threading.Thread(target=self._reconnect, name="search-reconnect", daemon=True).start()

    def _reconnect(self) -> None:
        """Every `retry_after_s` until closed: try to open the engine; once it opens, use it and stop."""
        while not self._closed.wait(self._retry_after_s):
            try:
                engine = self._opener()
            except OPEN_ERRORS as error:
                self._reason = str(error)
                log.debug("search engine still unavailable: %s", error)
                continue
            if self._opened(engine):
                log.warning("search engine available again")
            return

    def _engine(self) -> SearchEngine:
        """The open engine; SearchUnavailable at once when there is none (never waits to open one)."""
        inner = self._inner
        if self._closed.is_set():
            raise SearchUnavailable("search engine closed")
        if inner is None:
            raise SearchUnavailable(self._reason)
        return inner

    def _call(self, action: Callable[[SearchEngine], T]) -> T:
        """Run `action` on the open engine; an engine that did not answer at all is dropped."""
        engine = self._engine()
        try:
            return action(engine)
        except SearchUnreachable as error:
            self._lost(engine, str(error))
            raise

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
        """Close for good (app shutdown): the reconnector stops, later calls raise SearchUnavailable."""
        with self._lock:
            self._closed.set()
            inner, self._inner = self._inner, None
        if inner is not None:
            inner.close()

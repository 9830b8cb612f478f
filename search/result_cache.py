"""A per-process cache of search results, keyed so that a stale answer can never be served.

Catalog traffic repeats itself (the default listing, a province, a group, the first pages of
common words), and an embedded search costs a millisecond or more of bitmap and numpy work while
serving a stored result costs microseconds. A key holds the index generation (bumped by every
write to the index file, whichever process makes it), the query's Vietnam day (status
filters and counts change at midnight there) and the query as the engine reads it: the
words it extracts from the text, filter values as sets (they are OR-ed), sort and page. So
any index change or a new day simply misses. Entries of an older generation are dropped as
soon as a newer one is stored; other days' entries age out of the LRU.

The key travels with the result (`SearchResult.cache_key`), so what is derived from a result
alone, such as the API's JSON body, can be kept under the same key (`LruCache`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from search.engine import SearchQuery, SearchResult

DEFAULT_MAX_ENTRIES = 512  # a page of 20 documents is ~50 KB of objects: ~25 MB at most
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ResultKey:
    """Everything a result depends on, normalized so that equivalent queries share an entry.

    `engine` tells engine instances apart (two test indexes may both be at generation 3).
    """

    engine: int
    generation: int
    today: str
    words: tuple[str, ...]
    provinces: frozenset[str]
    groups: frozenset[str]
    levels: frozenset[str]
    years: frozenset[int]
    status: str
    sort: str
    page: int
    per_page: int


def result_key(engine: int, generation: int, query: SearchQuery, words: Sequence[str]) -> ResultKey:
    """The key of `query` on `engine`'s index at `generation`; `words` as the engine parsed them."""
    return ResultKey(
        engine=engine, generation=generation, today=query.today.isoformat(), words=tuple(words),
        provinces=frozenset(query.provinces), groups=frozenset(query.groups), levels=frozenset(query.levels),
        years=frozenset(query.years), status=query.status.value, sort=query.sort.value, page=query.page,
        per_page=query.per_page,
    )


class LruCache(Generic[K, V]):
    """A thread-safe least-recently-used map of at most `max_entries` (0 keeps nothing)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: K) -> V | None:
        """The value stored under `key`, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        """Store `value` under `key`, forgetting the least recently used beyond the bound."""
        with self._lock:
            self._store(key, value)

    def _store(self, key: K, value: V) -> None:
        """Store under the held lock."""
        if self.max_entries <= 0:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """Number of stored values."""
        return len(self._entries)


def _copy(result: SearchResult) -> SearchResult:
    """New containers around the shared hits and counts, so a caller's edits stay its own."""
    facets = {name: dict(counts) for name, counts in result.facets.items()}
    return replace(result, hits=list(result.hits), facets=facets)


class ResultCache(LruCache[ResultKey, SearchResult]):
    """Search results by ResultKey; hits and documents are shared, so treat them as read-only."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        super().__init__(max_entries)
        self._generation = -1

    def get(self, key: ResultKey) -> SearchResult | None:
        """The stored result of `key` (a copy of its containers), or None."""
        result = super().get(key)
        return None if result is None else _copy(result)

    def put(self, key: ResultKey, value: SearchResult) -> None:
        """Store a copy of `value` under `key`.

        A result of an older generation than one already stored is not kept (a slow reader's
        snapshot); a newer generation drops every older entry.
        """
        stored = _copy(value)
        with self._lock:
            if key.generation < self._generation:
                return
            if key.generation > self._generation:
                self._entries.clear()
                self._generation = key.generation
            self._store(key, stored)

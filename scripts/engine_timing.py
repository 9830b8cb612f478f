"""Server-side search time of an engine, in-process, and what a Meilisearch search sends.

A round times `engine.search(SearchQuery)` through the SearchEngine protocol only, so any engine
(and any document layout) can be timed: the fixed set repeated after a warm-up, then the cold mix
once each in a shuffled order. For Meilisearch, `MultiSearchLog` counts and times every
`multi_search` call of the official client while a round runs: the known-word probe, the main
multi-search (page, facet and status counts) and the federated exact-diacritic page of
search/meili.py, each attributed to the user search that made it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import meilisearch
from bench import BenchError  # scripts/bench.py: the error every benchmark reports as one line

from search.engine import SearchEngine, SearchQuery
from search.meili_query import typo_candidates


@dataclass(frozen=True, slots=True)
class Call:
    """One multi-search HTTP request: how many queries it held, whether federated, its wall time."""

    queries: int
    federated: bool
    seconds: float


@dataclass(frozen=True, slots=True)
class SearchCalls:
    """The requests one user search made: the known-word probe (if any), the main multi-search and
    the federated page (if any), with the search's own wall time."""

    probe: Call | None
    main: Call
    federated: Call | None
    seconds: float

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every request of the search, probe first."""
        return tuple(c for c in (self.probe, self.main, self.federated) if c is not None)


class MultiSearchLog:
    """Every `meilisearch.Client.multi_search` call made while `recording()` is active."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    @contextmanager
    def recording(self) -> Iterator[MultiSearchLog]:
        """Wrap the client's multi_search (every client in this process) with a timer; unwrap at the end."""
        original = meilisearch.Client.multi_search

        def timed(client: Any, queries: Sequence[Mapping[str, Any]],
                  federation: dict[str, Any] | None = None) -> Any:
            started = time.perf_counter()
            try:
                return original(client, queries, federation=federation)
            finally:
                self.calls.append(Call(len(queries), federation is not None, time.perf_counter() - started))

        with mock.patch.object(meilisearch.Client, "multi_search", new=timed):
            yield self


def classify(query: SearchQuery, calls: Sequence[Call], seconds: float) -> SearchCalls:
    """Name the calls of one search: search/meili.py probes first when the text has typo candidates,
    then sends the main multi-search, then (for exact diacritics with hits) the federated page."""
    plain = [c for c in calls if not c.federated]
    federated = [c for c in calls if c.federated]
    probes = 1 if typo_candidates(query.text) else 0
    if len(plain) != probes + 1 or len(federated) > 1:
        raise BenchError(f"unexpected Meilisearch requests for {query.text!r}: {calls}")
    return SearchCalls(plain[0] if probes else None, plain[-1], federated[0] if federated else None, seconds)


@dataclass(slots=True)
class RoundTimings:
    """One engine's round: milliseconds per fixed query (label → samples), its hit totals, the cold
    mix's milliseconds (URL parameters → ms, in the order asked) with its hit totals and, for
    Meilisearch, each cold search's requests."""

    fixed: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    cold: dict[str, float] = field(default_factory=dict)
    cold_totals: dict[str, int] = field(default_factory=dict)
    cold_calls: list[SearchCalls] = field(default_factory=list)


def timed_search(engine: SearchEngine, query: SearchQuery) -> tuple[float, int]:
    """(milliseconds, total hits) of one search."""
    started = time.perf_counter()
    total = engine.search(query).total
    return (time.perf_counter() - started) * 1000, total


def time_round(engine: SearchEngine, fixed: Sequence[tuple[str, SearchQuery]],
               cold: Sequence[tuple[str, SearchQuery]], *, runs: int, warmup: int,
               log: MultiSearchLog | None = None) -> RoundTimings:
    """Each fixed query `warmup` times untimed then `runs` times timed; then each cold query once
    (labelled by its URL parameters).

    With a `log` (Meilisearch), each cold search's multi-search calls are recorded and classified.
    """
    timings = RoundTimings()
    recording: AbstractContextManager[object] = log.recording() if log else nullcontext()
    with recording:
        for label, query in fixed:
            for _ in range(warmup):
                timed_search(engine, query)
            samples = [timed_search(engine, query) for _ in range(runs)]
            timings.fixed[label] = [ms for ms, _ in samples]
            timings.totals[label] = samples[-1][1]
        for params, query in cold:
            before = len(log.calls) if log else 0
            ms, total = timed_search(engine, query)
            timings.cold[params], timings.cold_totals[params] = ms, total
            if log is not None:
                timings.cold_calls.append(classify(query, log.calls[before:], ms / 1000))
    return timings

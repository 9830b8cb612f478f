"""What the site measures for Prometheus, and the text a scrape of /metrics gets.

The metrics are module-level objects, as prometheus-client means them to be: one set per
process, shared by every app built in it. The library picks its storage when it is first
imported: with `PROMETHEUS_MULTIPROC_DIR` in the environment each worker process writes its
samples to files there and a scrape sums every worker's files (its multiprocess mode), else
they live in this process's memory. `cnnt serve` sets the folder up for several workers
(`multiprocess_dir`). Gauges that a database query answers (the outbox backlog) are not kept
here: the scrape computes them (`scrape`), so no request pays for them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# From a stored page sent in under a millisecond to a slow export; the library's default
# buckets start at 5 ms, where most of this site's answers have already been sent.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"  # every path no route answers, so a scan cannot add label values
DATABASE_ENGINE = "database"  # the search-latency label of answers listed by the database fallback

REQUEST_SECONDS = Histogram(
    "cnnt_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "cnnt_search_duration_seconds",
    "Time to answer a catalog or API search, by engine (embedded, meilisearch, database fallback).",
    ["engine"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_FALLBACKS = Counter(
    "cnnt_search_fallback_total",
    "Searches answered from the database because the search engine was unavailable.",
)

# Admission control (app/web/admission.py), by request class (`search`, `export`).
BUSY_REFUSALS = Counter(
    "cnnt_busy_refused_total",
    "Requests answered 503 busy because every slot of their class stayed taken for the whole queue wait.",
    ["kind"],
)
ADMISSION_WAIT_SECONDS = Histogram(
    "cnnt_admission_wait_seconds",
    "Time a request of a limited class waited for a slot, by class and outcome (admitted or refused).",
    ["kind", "outcome"],
    buckets=LATENCY_BUCKETS,
)
ADMITTED_IN_FLIGHT = Gauge(
    "cnnt_admission_in_flight",
    "Requests of a limited class holding a slot now (summed over the live workers).",
    ["kind"],
    multiprocess_mode="livesum",
)
ADMISSION_WAITING = Gauge(
    "cnnt_admission_waiting",
    "Requests of a limited class waiting for a slot now (summed over the live workers).",
    ["kind"],
    multiprocess_mode="livesum",
)


def observe_search(engine: str, seconds: float) -> None:
    """Record one search the engine named `engine` answered."""
    SEARCH_SECONDS.labels(engine=engine).observe(seconds)


def observe_fallback(seconds: float) -> None:
    """Record one search answered from the database because the engine could not answer."""
    SEARCH_SECONDS.labels(engine=DATABASE_ENGINE).observe(seconds)
    SEARCH_FALLBACKS.inc()


def outbox_backlog_metric(rows: int | None) -> list[Metric]:
    """The outbox backlog gauge for a scrape; none when the database did not answer."""
    if rows is None:
        return []
    return [GaugeMetricFamily("cnnt_outbox_backlog", "Outbox rows waiting to be indexed.", value=rows)]


class _Scrape:
    """One scrape's metrics: those recorded (by this process, or by every worker) and those computed now."""

    def __init__(self, computed: Iterable[Metric]) -> None:
        self.computed = list(computed)

    def collect(self) -> Iterator[Metric]:
        """Recorded metrics first, then the computed ones."""
        yield from _recorded().collect()
        yield from self.computed


def _recorded() -> Collector:
    """Every worker's samples in multiprocess mode (in a fresh registry, as the library asks), else ours."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # the library leaves it unannotated
        return registry
    return REGISTRY


def scrape(computed: Iterable[Metric] = ()) -> bytes:
    """The text exposition format of every metric, plus `computed` (gauges measured for this scrape)."""
    return generate_latest(_Scrape(computed))


@contextmanager
def multiprocess_dir(workers: int) -> Iterator[None]:
    """Prepare multiprocess mode around a server run of `workers` processes.

    A folder given in PROMETHEUS_MULTIPROC_DIR is emptied of the last run's files (the
    library asks for that before start-up; counters would otherwise go on from old values).
    Without one, several workers get a temporary folder, removed when the server stops:
    otherwise each scrape would see only the worker that happened to answer it.
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
    elif workers > 1:
        with tempfile.TemporaryDirectory(prefix="cnnt-metrics-") as folder:
            os.environ[MULTIPROC_ENV] = folder
            try:
                yield
            finally:
                del os.environ[MULTIPROC_ENV]
    else:
        yield

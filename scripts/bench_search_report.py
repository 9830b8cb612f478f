"""The search-scale section of BENCHMARKS.md: both engines side by side, from one run's measurements.

Every figure is the median over the run's rounds of that round's figure, and every ratio the median
of the rounds' Meilisearch ÷ embedded ratios: the two engines are measured alternately in the same
run on a shared, noisy machine, so a ratio says more than either absolute time.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from engine_timing import Call, RoundTimings, SearchCalls  # scripts/engine_timing.py

EMBEDDED, MEILI = "embedded", "meilisearch"
ENGINES = (EMBEDDED, MEILI)
TARGET_P95_MS, TARGET_REINDEX_S, TARGET_RSS_MB = 50.0, 120.0, 1024.0
PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class Outcome:
    """Everything one run measured. `reindex`: engine → (seconds, peak RSS MB) per round;
    `rounds`: engine → its search timings per round; RSS figures in MB; the load average at the start."""

    products: int
    build_s: float
    build_rss: float
    reindex: dict[str, list[tuple[float, float]]]
    rounds: dict[str, list[RoundTimings]]
    api_rss: float
    meili_rss: float
    meili_version: str
    load_before: float


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (of unsorted values)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def round_percentiles(outcome: Outcome, engine: str, samples: Callable[[RoundTimings], Sequence[float]],
                      pct: int) -> list[float]:
    """The `pct` percentile of `samples` in each round of `engine`."""
    return [percentile(samples(r), pct) for r in outcome.rounds[engine]]


def _pooled(r: RoundTimings) -> list[float]:
    """Every fixed-set sample of a round."""
    return [ms for samples in r.fixed.values() for ms in samples]


def _cold(r: RoundTimings) -> list[float]:
    """The cold mix's samples of a round."""
    return list(r.cold.values())


def _cells(emb: Sequence[float], meili: Sequence[float], fmt: str, *, ratio: bool = True) -> str:
    """'embedded | meilisearch | ratio | per round' cells: medians over rounds, the median of the
    rounds' ratios, then each round's figures."""
    ratios = [m / e for e, m in zip(emb, meili, strict=True) if e > 0]
    shown = f"{_median(ratios):.1f}×" if ratio and ratios else "—"
    rounds = "; ".join(" / ".join(f"{x:{fmt}}" for x in values) for values in (emb, meili))
    return f"{_median(emb):{fmt}} | {_median(meili):{fmt}} | {shown} | {rounds}"


def summary_table(outcome: Outcome, *, runs: int) -> list[str]:
    """Reindex and the two query sets' percentiles, one column per engine."""
    fixed_n, cold_n = len(outcome.rounds[EMBEDDED][0].fixed), len(outcome.rounds[EMBEDDED][0].cold)
    lines = ["| measure | embedded | meilisearch | meilisearch ÷ embedded | rounds (embedded; meilisearch) |",
             "| --- | ---: | ---: | ---: | --- |"]
    secs, rss = ([[fig[i] for fig in outcome.reindex[e]] for e in ENGINES] for i in (0, 1))
    lines.append(f"| full reindex from the database, s | {_cells(secs[0], secs[1], '.1f')} |")
    rss_cells = _cells(rss[0], rss[1], ".0f", ratio=False)
    lines.append(f"| peak RSS of the `cnnt search reindex` process, MB | {rss_cells} |")
    sets = ((f"fixed set ({fixed_n} queries × {runs} runs)", _pooled),
            (f"cold mix ({cold_n} distinct queries, shuffled, each once)", _cold))
    for name, samples in sets:
        for pct in PERCENTILES:
            emb, meili = (round_percentiles(outcome, e, samples, pct) for e in ENGINES)
            lines.append(f"| {name}: p{pct} ms | {_cells(emb, meili, '.1f')} |")
    return lines


def query_table(outcome: Outcome) -> list[str]:
    """Per fixed query: hits and p50/p95 on each engine (a p99 of a few dozen runs would be their maximum)."""
    head = " | ".join(f"{e} p{p} ms" for e in ENGINES for p in PERCENTILES[:2])
    lines = [f"| fixed query | hits (embedded / meilisearch) | {head} |", "| --- | ---: |" + " ---: |" * 4]
    for label in outcome.rounds[EMBEDDED][0].fixed:
        hits = " / ".join(f"{outcome.rounds[e][-1].totals[label]:,}" for e in ENGINES)
        cells = [f"{fixed_percentile(outcome, e, label, p):.1f}" for e in ENGINES for p in PERCENTILES[:2]]
        lines.append(f"| {label} | {hits} | " + " | ".join(cells) + " |")
    return lines


def slowest_cold(outcome: Outcome, engine: str, count: int = 3) -> str:
    """The `count` slowest cold queries of `engine` (median over rounds), with their times."""
    params = outcome.rounds[engine][0].cold
    median_ms = {p: _median([r.cold[p] for r in outcome.rounds[engine]]) for p in params}
    worst = sorted(median_ms, key=lambda p: median_ms[p], reverse=True)[:count]
    return ", ".join(f"`{p}` {median_ms[p]:.0f} ms" for p in worst)


def _share(calls: Sequence[SearchCalls], pick: Callable[[SearchCalls], Call | None]) -> float:
    """Share of the searches' wall time spent in the request `pick` chooses."""
    spent = sum(c.seconds for s in calls if (c := pick(s)) is not None)
    return spent / (sum(s.seconds for s in calls) or 1.0)


def requests_lines(outcome: Outcome) -> list[str]:
    """What each Meilisearch search of the cold mix sent: requests, queries, and their share of time."""
    first = outcome.rounds[MEILI][0].cold_calls
    n = len(first) or 1
    probes = [s.probe for s in first if s.probe]
    federated = [s.federated for s in first if s.federated]
    main_q = sum(s.main.queries for s in first) / n
    probe_q, fed_q = sum(c.queries for c in probes) / n, sum(c.queries for c in federated) / n
    shares = {name: _median([_share(r.cold_calls, pick) for r in outcome.rounds[MEILI]])
              for name, pick in (("probe", lambda s: s.probe), ("main", lambda s: s.main),
                                 ("federated", lambda s: s.federated))}
    rest = 1 - sum(shares.values())
    return [
        f"Meilisearch requests per user search, cold mix ({len(first)} searches): "
        f"**{sum(len(s.calls) for s in first) / n:.2f} multi-search HTTP requests** holding "
        f"**{main_q + probe_q + fed_q:.2f} queries** on average: the main multi-search "
        f"({main_q:.2f} queries: the page, a count per filtered facet, three status counts; every search), "
        f"known-word probes ({probe_q:.2f}: one query per word of 5+ letters; "
        f"{len(probes)} of {len(first)} searches), the federated exact-diacritic page "
        f"({fed_q:.2f}: two queries; {len(federated)} of {len(first)} searches). "
        f"Share of `MeiliEngine.search` wall time (median of rounds): probe requests "
        f"**{shares['probe']:.1%}**, federated page **{shares['federated']:.1%}**, main multi-search "
        f"{shares['main']:.1%}, the rest (client-side building and parsing) {rest:.1%}. Timed around the "
        "official client's `multi_search` (scripts/engine_timing.py), so each share includes its HTTP "
        "round trip on loopback.",
    ]


def fixed_percentile(outcome: Outcome, engine: str, label: str, pct: int) -> float:
    """Median over rounds of one fixed query's percentile on `engine`."""
    return _median([percentile(r.fixed[label], pct) for r in outcome.rounds[engine]])


def _verdict(outcome: Outcome) -> str:
    """One line: which targets each engine meets (p95 of each fixed query, reindex time, peak RSS of the
    processes building the index: for Meilisearch the server too)."""
    parts = []
    for engine in ENGINES:
        labels = outcome.rounds[engine][0].fixed
        p95 = {label: fixed_percentile(outcome, engine, label, 95) for label in labels}
        worst = max(p95, key=lambda label: p95[label])
        reindex = _median([s for s, _ in outcome.reindex[engine]])
        rss = max(m for _, m in outcome.reindex[engine])
        rss_text = f"{rss:.0f} MB"
        if engine == MEILI:
            rss_text = f"cnnt {rss:.0f} MB, server {outcome.meili_rss:.0f} MB"
            rss = max(rss, outcome.meili_rss)
        checks = [(p95[worst] <= TARGET_P95_MS, f"p95 ≤ {TARGET_P95_MS:.0f} ms on every fixed query "
                   f"(worst: {worst}, {p95[worst]:.1f} ms)"),
                  (reindex <= TARGET_REINDEX_S, f"reindex ≤ {TARGET_REINDEX_S:.0f} s ({reindex:.0f} s)"),
                  (rss <= TARGET_RSS_MB, f"peak RSS ≤ 1 GB ({rss_text})")]
        parts.append(f"{engine}: " + ", ".join(f"{'met' if ok else 'NOT MET'}: {t}" for ok, t in checks))
    return ("Targets (set for the embedded engine; Meilisearch held to the same for comparison): "
            + "; ".join(parts) + ".")


def render(outcome: Outcome, *, runs: int, warmup: int, command: str) -> str:
    """The Markdown section: when, where, how, the tables, the Meilisearch requests and the verdict."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M %Z")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    rounds, n = len(outcome.rounds[EMBEDDED]), outcome.products
    lines = [
        f"Measured {now} on {cpus} CPUs ({platform.machine()}, {platform.system()} {platform.release()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Meilisearch "
        f"{outcome.meili_version}; load average {outcome.load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work shares the CPUs: compare the ratios).",
        f"Command: `{command}`. {n:,} synthetic products (`cnnt demo --synthetic {n}`: "
        f"{outcome.build_s:.0f} s, peak RSS {outcome.build_rss:.0f} MB) in a temporary SQLite database; "
        "the embedded index in the same folder, Meilisearch a throwaway server of the pinned binary "
        "on loopback (tests/meili.py). "
        f"{rounds} rounds; each round runs a full `cnnt search reindex` on each engine, then times each "
        "engine's `search(SearchQuery)` in-process (server-side time: match, filters, five facets, sort, "
        f"page of 20; for Meilisearch the client's HTTP requests included), the engines alternating "
        f"(ABBA) so that neither always goes first: the fixed set {runs} runs per query after {warmup} "
        "warm-up runs, then the cold mix in a new shuffled order each round, the same order on both "
        "engines. The embedded engine's result cache is off, Meilisearch's engine keeps none. "
        "Figures are medians over rounds; ratios the median of the rounds' ratios.",
        "",
        *summary_table(outcome, runs=runs),
        "",
        *query_table(outcome),
        "",
        "Slowest cold queries (median over rounds): " + "; ".join(
            f"{engine} {slowest_cold(outcome, engine)}" for engine in ENGINES) + ".",
        "",
        *requests_lines(outcome),
        "",
        f"Peak RSS: uvicorn serving the embedded engine after the fixed set and the cold mix through "
        f"`/api/v1/products` {outcome.api_rss:.0f} MB (it counts the index pages SQLite maps); the "
        f"Meilisearch server over the whole run {outcome.meili_rss:.0f} MB (by default Meilisearch lets "
        "indexing take up to two thirds of the machine's RAM; `--max-indexing-memory` caps it). "
        "API latency through the app's caches: the bench and load sections.",
        "",
        _verdict(outcome),
    ]
    return "\n".join(lines)

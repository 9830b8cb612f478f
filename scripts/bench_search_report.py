"""The search-scale section of BENCHMARKS.md: both engines side by side, from one run's measurements.

Every figure is the median over the run's rounds of that round's figure, and every ratio the median
of the rounds' embedded ÷ Meilisearch ratios: the two engines are measured alternately in the same
run on a shared, noisy machine, so a ratio says more than either absolute time. The figures from
before issue 16 (BEFORE) stand beside the new ones.
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

from bench_queries import COLD_SHAPE, SHAPES  # scripts/bench_queries.py
from engine_timing import Call, RoundTimings, SearchCalls  # scripts/engine_timing.py

EMBEDDED, MEILI = "embedded", "meilisearch"
ENGINES = (EMBEDDED, MEILI)
TARGET_P95_MS, TARGET_REINDEX_S, TARGET_RSS_MB = 50.0, 120.0, 1024.0
PERCENTILES = (50, 95, 99)
# Issue 16's targets for the cold mix at 100,000 products, embedded engine (and below Meilisearch's p95).
TARGET_COLD_P95_MS, TARGET_COLD_P99_MS, TARGET_COLD_REINDEX_S = 10.0, 20.0, 15.0
# "Search at scale" as it stood before issue 16 (BENCHMARKS.md, measured 2026-12-07 07:27, 100,000
# products, 3 rounds; the cold mix then was 566 queries: province × group, word × province, word × page,
# year × group): kept beside every new run as the "before" column.
BEFORE: dict[str, dict[str, float]] = {
    EMBEDDED: {"reindex": 42.1, "fixed p50": 5.8, "fixed p95": 16.6, "fixed p99": 17.3,
               "cold p50": 12.8, "cold p95": 118.9, "cold p99": 137.6},
    MEILI: {"reindex": 117.7, "fixed p50": 19.0, "fixed p95": 39.0, "fixed p99": 53.6,
            "cold p50": 22.4, "cold p95": 73.0, "cold p99": 121.3},
}


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


def _cells(emb: Sequence[float], meili: Sequence[float], fmt: str, *,
           before: tuple[float, float] | None = None, ratio: bool = True) -> str:
    """'embedded before | embedded | meilisearch before | meilisearch | ratio | per round' cells: medians
    over rounds, the median of the rounds' embedded ÷ Meilisearch ratios, then each round's figures."""
    ratios = [e / m for e, m in zip(emb, meili, strict=True) if m > 0]
    shown = f"{_median(ratios):.2f}×" if ratio and ratios else "—"
    rounds = "; ".join(" / ".join(f"{x:{fmt}}" for x in values) for values in (emb, meili))
    was = [f"{b:{fmt}}" for b in before] if before else ["—", "—"]
    return f"{was[0]} | {_median(emb):{fmt}} | {was[1]} | {_median(meili):{fmt}} | {shown} | {rounds}"


def _before(key: str) -> tuple[float, float]:
    """(embedded, Meilisearch) figure `key` of BEFORE."""
    return BEFORE[EMBEDDED][key], BEFORE[MEILI][key]


def summary_table(outcome: Outcome, *, runs: int) -> list[str]:
    """Reindex and the two query sets' percentiles, before and now, one column per engine."""
    fixed_n, cold_n = len(outcome.rounds[EMBEDDED][0].fixed), len(outcome.rounds[EMBEDDED][0].cold)
    lines = ["| measure | embedded before | embedded | meilisearch before | meilisearch "
             "| embedded ÷ meilisearch | rounds (embedded; meilisearch) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    secs, rss = ([[fig[i] for fig in outcome.reindex[e]] for e in ENGINES] for i in (0, 1))
    reindex = _cells(secs[0], secs[1], ".1f", before=_before("reindex"))
    lines.append(f"| full reindex from the database, s | {reindex} |")
    rss_cells = _cells(rss[0], rss[1], ".0f", ratio=False)
    lines.append(f"| peak RSS of the `cnnt search reindex` process, MB | {rss_cells} |")
    sets = ((f"fixed set ({fixed_n} queries × {runs} runs)", "fixed", _pooled),
            (f"cold mix ({cold_n} distinct queries, shuffled, each once)", "cold", _cold))
    for name, key, samples in sets:
        for pct in PERCENTILES:
            emb, meili = (round_percentiles(outcome, e, samples, pct) for e in ENGINES)
            cells = _cells(emb, meili, ".1f", before=_before(f"{key} p{pct}"))
            lines.append(f"| {name}: p{pct} ms | {cells} |")
    return lines


def _shape_samples(shape: str) -> Callable[[RoundTimings], list[float]]:
    """The cold samples of one shape of a round."""
    return lambda r: [ms for params, ms in r.cold.items() if COLD_SHAPE[params] == shape]


def shape_table(outcome: Outcome) -> list[str]:
    """Per shape of the cold mix: queries, how many found something, p50/p95/p99 on each engine."""
    head = " | ".join(f"{e} p{p} ms" for e in ENGINES for p in PERCENTILES)
    lines = [f"| cold mix shape | queries | with hits (embedded / meilisearch) | {head} "
             "| embedded ÷ meilisearch p95 |", "| --- | ---: | ---: |" + " ---: |" * 7]
    for shape in SHAPES:
        params = [p for p in outcome.rounds[EMBEDDED][0].cold if COLD_SHAPE[p] == shape]
        last = {e: outcome.rounds[e][-1].cold_totals for e in ENGINES}
        found = " / ".join(str(sum(last[e][p] > 0 for p in params)) for e in ENGINES)
        samples = _shape_samples(shape)
        pcts = {(e, p): round_percentiles(outcome, e, samples, p) for e in ENGINES for p in PERCENTILES}
        cells = " | ".join(f"{_median(pcts[e, p]):.1f}" for e in ENGINES for p in PERCENTILES)
        ratio = _median([e / m for e, m in zip(pcts[EMBEDDED, 95], pcts[MEILI, 95], strict=True) if m > 0])
        lines.append(f"| {shape} | {len(params)} | {found} | {cells} | {ratio:.2f}× |")
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


def cold_verdict(outcome: Outcome) -> str:
    """One line: issue 16's cold-mix targets for the embedded engine, measured in this run."""
    emb95, emb99, meili95 = (_median(round_percentiles(outcome, e, _cold, p))
                             for e, p in ((EMBEDDED, 95), (EMBEDDED, 99), (MEILI, 95)))
    reindex = _median([s for s, _ in outcome.reindex[EMBEDDED]])
    checks = [(emb95 <= TARGET_COLD_P95_MS, f"cold p95 ≤ {TARGET_COLD_P95_MS:.0f} ms ({emb95:.1f} ms)"),
              (emb99 <= TARGET_COLD_P99_MS, f"cold p99 ≤ {TARGET_COLD_P99_MS:.0f} ms ({emb99:.1f} ms)"),
              (emb95 < meili95, f"cold p95 below Meilisearch's of the same run ({meili95:.1f} ms)"),
              (reindex <= TARGET_COLD_REINDEX_S,
               f"full reindex ≤ {TARGET_COLD_REINDEX_S:.0f} s ({reindex:.1f} s)")]
    return ("Cold-mix targets (issue 16, embedded engine, at 100,000 products): "
            + ", ".join(f"{'met' if ok else 'NOT MET'}: {text}" for ok, text in checks)
            + (f" (this run: {outcome.products:,} products)" if outcome.products != 100_000 else "") + ".")


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
        + (f"{outcome.build_s:.0f} s, peak RSS {outcome.build_rss:.0f} MB) in a temporary SQLite database; "
           if outcome.build_s else "built earlier, reused from --data-dir) in a SQLite database; ") +
        "the embedded index in the same folder, Meilisearch a throwaway server of the pinned binary "
        "on loopback (tests/meili.py). "
        f"{rounds} round{'s' if rounds > 1 else ''}; each round runs a full `cnnt search reindex` on each "
        "engine, then times each "
        "engine's `search(SearchQuery)` in-process (server-side time: match, filters, five facets, sort, "
        f"page of 20; for Meilisearch the client's HTTP requests included), the engines alternating "
        f"(ABBA) so that neither always goes first: the fixed set {runs} runs per query after {warmup} "
        "warm-up runs, then the cold mix in a new shuffled order each round, the same order on both "
        "engines. The embedded engine's result cache is off, Meilisearch's engine keeps none. "
        "Figures are medians over rounds; ratios the median of the rounds' ratios. \"Before\": this "
        "section as it stood before issue 16 (2026-12-07, 100,000 products, the earlier cold mix of 566 "
        "queries), for comparison; not re-measured.",
        f"Cold mix (scripts/bench_queries.py): {len(outcome.rounds[EMBEDDED][0].cold)} distinct queries "
        "drawn with a fixed seed from the synthetic vocabulary, distinct as parsed searches too: text "
        "alone (one to three words, with and without diacritics), text + filters (current or former "
        "province, group, level, year, status), filters alone, deep pages (5–50), prefixes as typed "
        "(\"b\", \"bá\", \"bánh t\"), one-edit typos in words of 5+ letters, and sorts.",
        "",
        *summary_table(outcome, runs=runs),
        "",
        *shape_table(outcome),
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
        cold_verdict(outcome),
        "",
        _verdict(outcome),
    ]
    return "\n".join(lines)

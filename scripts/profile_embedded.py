"""Cold-query profile of the embedded engine on an existing catalog, per query shape.

Opens the embedded index of a data folder built once (`cnnt db upgrade`, `cnnt demo --synthetic
N`), asks the cold mix (scripts/bench_queries.py) plus the worst shapes found while profiling
(one- and two-letter prefixes as typed, typos, deep pages, text + filters), each once on a
fresh engine without a result cache, and prints p50/p95/p99 per shape and overall; with a
Meilisearch URL and key, the same queries on it in the same run (a baseline on a shared
machine). `--profile SHAPE` prints a cProfile of that shape's queries. Not a test.

    .venv/bin/python scripts/profile_embedded.py /tmp/catalog [--rounds 3] [--meili URL KEY]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date
from pathlib import Path

from bench_queries import COLD_MIX, search_query, shuffled  # scripts/bench_queries.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.embedded import EmbeddedEngine  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.meili import MeiliEngine  # noqa: E402

TODAY = date(2026, 11, 21)
PROVINCES = ("ha-noi", "lam-dong", "nghe-an", "an-giang", "bac-ninh")
WORST = (
    [f"q={p}" for p in ("g", "b", "m", "n", "t", "c", "gố", "ba", "nư", "mậ", "ch", "tr", "go", "nuo")]
    + [f"q={p}&province={v}" for p in ("g", "m", "ch") for v in PROVINCES]
    + [f"q={t}" for t in ("gooms", "nuoc+mamm", "bánh+tránng", "mât+ongg", "rượuu", "gạo+thơmm")]
    + [f"q={w}&page={n}" for w in ("gốm", "máy", "trà") for n in (50, 200, 1000)]
    + [f"q={w}&status=expired&province={v}" for w in ("gốm", "nước+mắm") for v in PROVINCES]
    + [f"status={s}&province={v}&page=3" for s in ("valid", "expired") for v in PROVINCES]
    + [f"q={w}&sort=newest&group=che_bien" for w in ("mắm", "bánh", "trà")]
)


def shape(params: str) -> str:
    """A label for the kind of query: which parameters it sets, and a short word for prefixes."""
    keys = sorted(part.split("=")[0] for part in params.split("&") if part)
    word = next((part[2:] for part in params.split("&") if part.startswith("q=")), "")
    if word and "+" not in word and len(word) <= 2:
        keys[keys.index("q")] = "q(1-2 letters)"
    return "+".join(keys) or "none"


def run(engine: SearchEngine, mix: Sequence[str]) -> dict[str, float]:
    """Milliseconds of each query, asked once."""
    times: dict[str, float] = {}
    for params in mix:
        query = search_query(params, today=TODAY)
        started = time.perf_counter()
        engine.search(query)
        times[params] = (time.perf_counter() - started) * 1000
    return times


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, rounds: list[dict[str, float]]) -> None:
    """Per-shape and overall p50/p95/p99, medians over rounds."""
    by_shape: dict[str, list[str]] = defaultdict(list)
    for params in rounds[0]:
        by_shape[shape(params)].append(params)
    print(f"\n{name}: {len(rounds[0])} queries, {len(rounds)} rounds (median of rounds)")
    for label, members in sorted(by_shape.items()) + [("ALL", list(rounds[0]))]:
        figures = [statistics.median(pct([r[m] for m in members], p) for r in rounds) for p in (50, 95, 99)]
        p50, p95, p99 = figures
        print(f"  {label:32} n={len(members):4}  p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms")
    worst = sorted(rounds[0], key=lambda m: -statistics.median(r[m] for r in rounds))[:8]
    print("  slowest: " + ", ".join(f"{m} {statistics.median(r[m] for r in rounds):.0f}" for m in worst))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, time the engines, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--meili", nargs=2, metavar=("URL", "KEY"))
    parser.add_argument("--profile", help="cProfile the queries of this shape label")
    parser.add_argument("--only-worst", action="store_true", help="only the worst shapes, not the cold mix")
    args = parser.parse_args(argv)
    mix = list(dict.fromkeys((() if args.only_worst else COLD_MIX) + tuple(WORST)))
    if args.profile:
        chosen = [m for m in mix if shape(m) == args.profile]
        with closing(EmbeddedEngine(args.data_dir / "search.sqlite3", cache_entries=0)) as engine:
            profiler = cProfile.Profile()
            profiler.runcall(run, engine, chosen)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return 0
    engines: dict[str, Callable[[], SearchEngine]] = {
        "embedded": lambda: EmbeddedEngine(args.data_dir / "search.sqlite3", cache_entries=0)}
    if args.meili:
        engines["meilisearch"] = lambda: MeiliEngine(args.meili[0], args.meili[1], timeout_s=60.0)
    for name, make in engines.items():
        rounds = []
        for number in range(args.rounds):
            with closing(make()) as engine:
                rounds.append(run(engine, shuffled(mix, seed=number)))
        report(name, rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

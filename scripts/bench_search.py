"""Search at scale on both engines in one run: full reindex time and server-side search time.

Builds a synthetic catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo --synthetic
N`) and starts a throwaway Meilisearch from the pinned binary (`make meili-deps`; tests/meili.py).
Each round then times a full `cnnt search reindex` (in a subprocess, with its peak RSS) into the
embedded index and into Meilisearch, and times both engines' `search(SearchQuery)` in-process on
the fixed set of typical queries and on the cold mix (scripts/bench_queries.py: 580 distinct queries
of seven shapes, reported per shape too, beside the figures from before issue 16), counting the
multi-search requests each Meilisearch search makes (scripts/engine_timing.py). Only the engines'
public interface is used (`cnnt search reindex`, `SearchEngine.search`), so the script runs
unchanged whatever the documents hold. Writes the section between the search-scale markers with
`--write BENCHMARKS.md`. Not a test.

    .venv/bin/python scripts/bench_search.py --write BENCHMARKS.md     (part of `make bench`)
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack, closing
from datetime import date
from pathlib import Path

import httpx
import meilisearch
from bench import BenchError, clean_env, peak_rss_mb, run_measured, serve  # scripts/bench.py: shared harness
from bench_queries import COLD_MIX, FIXED, search_query, shuffled  # scripts/bench_queries.py
from bench_search_report import EMBEDDED, MEILI, Outcome, render  # scripts/bench_search_report.py
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section
from engine_timing import MultiSearchLog, RoundTimings, time_round  # scripts/engine_timing.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.meili starts the throwaway server, as the tests and relevance.py do

from search.embedded import EmbeddedEngine  # noqa: E402
from search.engine import SearchEngine, SearchUnavailable  # noqa: E402
from search.meili import MeiliEngine  # noqa: E402
from tests.meili import MeiliServer, throwaway_meilisearch  # noqa: E402

BIN = Path(sys.executable).parent
MEILI_BIN = BIN / "meilisearch"  # where `make meili-deps` installs the pinned server
TODAY = date(2026, 11, 21)
MAX_RUNS, MAX_PRODUCTS, MAX_ROUNDS = 1000, 1_000_000, 20
SEARCH_TIMEOUT_S = 60.0  # a slow answer on a busy machine is a figure, not an error


def start_meilisearch(stack: ExitStack) -> MeiliServer:
    """A throwaway server of the pinned binary, stopped when `stack` closes; a clear error if missing."""
    if not MEILI_BIN.is_file():
        raise BenchError(f"{MEILI_BIN} is missing: `make meili-deps` installs the pinned Meilisearch server")
    try:
        return stack.enter_context(throwaway_meilisearch(MEILI_BIN))
    except RuntimeError as error:
        raise BenchError(f"cannot start Meilisearch: {error}") from error


def api_peak_rss(env: dict[str, str], cwd: Path, params: Sequence[str]) -> float:
    """Peak RSS (MB) of uvicorn serving the embedded engine after every query once through the API."""
    with serve("app.asgi:app", env=env, cwd=cwd, probe="/api/v1/products?per_page=1") as base, \
            httpx.Client(base_url=base, timeout=60.0) as client:
        for query in params:
            if (status := client.get(f"/api/v1/products?{query}").status_code) != 200:
                raise BenchError(f"GET /api/v1/products?{query} answered {status}")
        return peak_rss_mb(base, b"uvicorn")


def search_round(engines: dict[str, SearchEngine], *, number: int, runs: int,
                 warmup: int) -> dict[str, RoundTimings]:
    """Time every engine on the fixed set and the cold mix (shuffled by the round's number); the
    engines take turns going first (ABBA over the rounds)."""
    fixed = [(label, search_query(params, today=TODAY)) for label, params in FIXED]
    cold = [(params, search_query(params, today=TODAY)) for params in shuffled(COLD_MIX, seed=number)]
    order = list(engines) if number % 2 == 0 else list(reversed(engines))
    timings = {}
    for name in order:
        log = MultiSearchLog() if name == MEILI else None
        timings[name] = time_round(engines[name], fixed, cold, runs=runs, warmup=warmup, log=log)
        fixed_s = sum(map(sum, timings[name].fixed.values())) / 1000
        cold_s = sum(timings[name].cold.values()) / 1000
        print(f"round {number + 1} {name}: fixed set {fixed_s:.1f} s, cold mix {cold_s:.1f} s",
              file=sys.stderr, flush=True)
    return timings


def reindex_both(env: dict[str, str], meili_env: dict[str, str], cwd: Path) -> dict[str, tuple[float, float]]:
    """One full `cnnt search reindex` into each engine: (seconds, peak RSS MB)."""
    reindex = [str(BIN / "cnnt"), "search", "reindex"]
    figures = {EMBEDDED: run_measured(reindex, env, cwd), MEILI: run_measured(reindex, meili_env, cwd)}
    print("reindex: " + ", ".join(f"{e} {s:.1f} s" for e, (s, _) in figures.items()),
          file=sys.stderr, flush=True)
    return figures


def measure_round(env: dict[str, str], server: MeiliServer, cwd: Path, *, number: int, runs: int,
                  warmup: int) -> tuple[dict[str, tuple[float, float]], dict[str, RoundTimings]]:
    """Reindex both engines, then time them through engines opened afresh on the new indexes."""
    reindex = reindex_both(env, {**env, "CNNT_MEILI_URL": server.url, "CNNT_MEILI_KEY": server.key}, cwd)
    with closing(EmbeddedEngine(cwd / "search.sqlite3", cache_entries=0)) as embedded, \
            closing(MeiliEngine(server.url, server.key, timeout_s=SEARCH_TIMEOUT_S)) as meili:
        engines: dict[str, SearchEngine] = {EMBEDDED: embedded, MEILI: meili}
        return reindex, search_round(engines, number=number, runs=runs, warmup=warmup)


def run(products: int, *, rounds: int, runs: int, warmup: int, reuse: Path | None = None) -> Outcome:
    """Build the catalog (or reuse the one in `reuse`, built by an earlier run), start Meilisearch,
    then reindex and time both engines in each round."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-search-") as tmp, ExitStack() as stack:
        server = start_meilisearch(stack)  # first: a missing binary fails before minutes of building
        data_dir = reuse or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        built = (data_dir / "cnnt.sqlite3").exists()
        env = clean_env(data_dir)
        run_measured([str(BIN / "cnnt"), "db", "upgrade"], env, data_dir)
        build = [str(BIN / "cnnt"), "demo", "--synthetic", str(products)]
        build_s, build_rss = (0.0, 0.0) if built else run_measured(build, env, data_dir)
        reindex: dict[str, list[tuple[float, float]]] = {EMBEDDED: [], MEILI: []}
        timings: dict[str, list[RoundTimings]] = {EMBEDDED: [], MEILI: []}
        for number in range(rounds):
            figures, searched = measure_round(env, server, data_dir, number=number, runs=runs, warmup=warmup)
            for name in (EMBEDDED, MEILI):
                reindex[name].append(figures[name])
                timings[name].append(searched[name])
        api_rss = api_peak_rss(env, data_dir, [p for _, p in FIXED] + list(COLD_MIX))
        meili_rss, version = peak_rss_mb(server.url, b"meilisearch"), meili_version(server)
        return Outcome(products=products, build_s=build_s, build_rss=build_rss, reindex=reindex,
                       rounds=timings, api_rss=api_rss, meili_rss=meili_rss, meili_version=version,
                       load_before=load_before)


def meili_version(server: MeiliServer) -> str:
    """The server's own version string (`GET /version`)."""
    return str(meilisearch.Client(server.url, server.key).get_version().get("pkgVersion", "?"))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the section (and write it when asked); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=100_000, help="synthetic products (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="reindex + search rounds (default 3)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per fixed query (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the section markers")
    parser.add_argument("--data-dir", type=Path, help="build the catalog here once, reuse it later")
    args = parser.parse_args(argv)
    if not (1 <= args.products <= MAX_PRODUCTS and 1 <= args.rounds <= MAX_ROUNDS
            and 1 <= args.runs <= MAX_RUNS and 0 <= args.warmup <= MAX_RUNS):
        parser.error(f"--products 1..{MAX_PRODUCTS}, --rounds 1..{MAX_ROUNDS}, --runs 1..{MAX_RUNS}, "
                     f"--warmup 0..{MAX_RUNS}")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python3"
    command = shlex.join([python, "scripts/bench_search.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        outcome = run(args.products, rounds=args.rounds, runs=args.runs, warmup=args.warmup,
                      reuse=args.data_dir)
    except (BenchError, SearchUnavailable, httpx.HTTPError, OSError, subprocess.SubprocessError,
            ValueError) as exc:
        print(f"bench_search: {exc}", file=sys.stderr)
        return 1
    section = render(outcome, runs=args.runs, warmup=args.warmup, command=command)
    print(section)
    if args.write:
        write_section(args.write, "search-scale", section, heading="Search at scale")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Throughput and p99 under load (wrk, 64 connections) of the catalog page and the API at 100,000 products.

Builds the synthetic catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo --synthetic
N`), then in each round serves scripts/bare_app.py and the site one after the other with the same
uvicorn options (scripts/bench.py `serve`) and drives them with Debian's `wrk` on loopback: the bare
endpoint, then the catalog page `/san-pham` and `/api/v1/products` with the same mix of typical
queries (a wrk Lua script rotates through MIX). Reports the median requests/s and p99 of the rounds,
and each target's throughput as a share of the bare endpoint's in the same round. After its warm-up
that mix is served from the search result cache and the stored catalog pages, as repeated searches
are in production; each target is also measured cold, rotating through more distinct queries than
the cache holds (COLD_MIX of scripts/bench_queries.py), in a server of its own warmed up on the mix, with
targets of its own (issue 16). Any response outside 2xx/3xx (a 5xx, a 429 from a rate limit, a 404) or
socket error fails the repeated mix's run; a 503 "busy" of the overload protection (its designed answer
past capacity) is counted and reported there. In the cold runs every error is counted and reported
(503 apart) and fails the target. Not a test.

    .venv/bin/python scripts/bench_load.py --write BENCHMARKS.md     (`make bench-load`, part of `make bench`)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
from bench import BenchError, build_demo, serve  # scripts/bench.py: same server harness for both sides
from bench_queries import COLD_MIX  # scripts/bench_queries.py: the cold mix bench_search.py times too
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section
from wrk_runner import (  # scripts/wrk_runner.py: wrk and its figures
    WRK_TIMEOUT_S,
    Settings,
    WrkResult,
    run_wrk,
)

from app.web.page_cache import MAX_PAGES
from search.result_cache import DEFAULT_MAX_ENTRIES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Typical searches of the synthetic catalog's vocabulary (app/services/demo/words.py): the default
# listing, words with and without diacritics, current and former provinces, group + level, year,
# status, sorts and a second page. Every one must match products (checked before the load).
MIX = (
    "",
    "q=gốm",
    "q=nuoc+mam",
    "q=mật+ong&status=valid",
    "province=ha-noi",
    "province=bac-giang&sort=newest",
    "group=che_bien&level=tinh",
    "group=thu_cong_my_nghe&level=quoc_gia&status=valid",
    "year=2024&sort=name",
    "q=bánh+tráng&page=2",
)
TARGETS = {"/san-pham": 0.25, "/api/v1/products": 0.40}
# Issue 16, cold mix: share of the bare endpoint's requests/s, p99 at most 1 s, no error at all.
COLD_TARGETS = {"/san-pham": 0.04, "/api/v1/products": 0.08}
COLD_P99_MS = 1000.0
BARE = "/ping"
COLD = " cold"  # suffix of a target measured with COLD_MIX
MAX_DURATION_S, MAX_ROUNDS, MAX_PRODUCTS = 600, 20, 1_000_000
def mix_paths(path: str, mix: Sequence[str] = MIX) -> list[str]:
    """`path` with every query of `mix`, percent-encoded as a browser sends it."""
    return [f"{path}?{quote(q, safe='=&+')}" if q else path for q in mix]


def check_mix(base: str) -> None:
    """Every URL of the mix answers 200 and every API query matches products: the load is real work."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in mix_paths("/san-pham"):
            if (status := client.get(path).status_code) != 200:
                raise BenchError(f"GET {path} answered {status}")
        for path in mix_paths("/api/v1/products"):
            response = client.get(path)
            if response.status_code != 200 or not response.json()["hits"]:
                raise BenchError(f"GET {path} answered {response.status_code} with no hits")


def ensure_wrk() -> None:
    """Install Debian's wrk with apt-get when it is missing (as `make bench-deps` does)."""
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        subprocess.run([*sudo, *args], env=env, check=True, capture_output=True, timeout=600)
    if not shutil.which("wrk"):
        raise BenchError("wrk is missing and apt-get could not install it")


@contextmanager
def synthetic_catalog(products: int, data_dir: Path | None) -> Iterator[tuple[dict[str, str], Path, float]]:
    """(environment, folder, build seconds) of a synthetic catalog: built in a temporary folder, or
    in `data_dir` once and reused from there by later runs (0 s)."""
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-load-") as tmp:
        folder = data_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        reuse = (folder / "cnnt.sqlite3").exists() and (folder / "search.sqlite3").exists()
        started = time.perf_counter()
        env = build_demo(folder, demo=False)  # migrate (idempotent), then the synthetic data below
        if not reuse:
            done = subprocess.run([str(BIN / "cnnt"), "demo", "--synthetic", str(products)], env=env,
                                  cwd=folder, capture_output=True, text=True, timeout=1800, check=False)
            if done.returncode != 0:
                raise BenchError(f"cnnt demo --synthetic failed: {done.stderr.strip()[-300:]}")
        yield env, folder, 0.0 if reuse else time.perf_counter() - started


def page_costs(env: dict[str, str], folder: Path, requests: int = 500) -> dict[str, float]:
    """CPU ms per catalog request of the mix, one thread in-process (scripts/page_costs.py, in the
    catalog's clean environment): the search use-case and the template render."""
    args = [sys.executable, str(ROOT / "scripts" / "page_costs.py"), json.dumps(MIX), str(requests)]
    done = subprocess.run(args, env=env, cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise BenchError(f"measuring the page's costs failed: {done.stderr.strip()[-300:]}")
    return {k: float(v) for k, v in json.loads(done.stdout).items()}


def one_round(env: dict[str, str], folder: Path, settings: Settings) -> dict[str, WrkResult]:
    """The bare endpoint, then the site's two targets on the repeated mix, then each on the cold mix in
    a server of its own (so no result of the other target's cold run is cached): each warmed up, then
    measured."""
    results = {}
    with serve("bare_app:app", env=env, cwd=folder, probe=BARE, app_dir=ROOT / "scripts",
               workers=settings.workers) as base:
        run_wrk(base, BARE, [BARE], settings, seconds=settings.warmup_s, workdir=folder)
        results[BARE] = run_wrk(base, BARE, [BARE], settings, seconds=settings.duration_s, workdir=folder)
    with serve("app.asgi:app", env=env, cwd=folder, probe="/api/v1/products?per_page=1",
               workers=settings.workers) as base:
        check_mix(base)
        for target in TARGETS:
            paths = mix_paths(target)
            run_wrk(base, target, paths, settings, seconds=settings.warmup_s, workdir=folder)
            results[target] = run_wrk(base, target, paths, settings, seconds=settings.duration_s,
                                      workdir=folder)
    for target in COLD_TARGETS:
        with serve("app.asgi:app", env=env, cwd=folder, probe="/api/v1/products?per_page=1",
                   workers=settings.workers) as base:
            run_wrk(base, target, mix_paths(target), settings, seconds=settings.warmup_s, workdir=folder)
            results[target + COLD] = run_wrk(base, target + COLD, mix_paths(target, COLD_MIX), settings,
                                             seconds=settings.duration_s, workdir=folder, strict=False)
    return results


@dataclass(frozen=True)
class Outcome:
    """Every round's wrk results, the catalog's build time and the catalog page's costs."""

    rounds: list[dict[str, WrkResult]]
    build_s: float
    costs: dict[str, float]


def run(products: int, rounds: int, settings: Settings, data_dir: Path | None) -> Outcome:
    """Build (or reuse) the catalog, run `rounds` rounds, then measure the page's costs."""
    ensure_wrk()
    with synthetic_catalog(products, data_dir) as (env, folder, build_s):
        all_rounds = []
        for number in range(1, rounds + 1):
            all_rounds.append(one_round(env, folder, settings))
            print(f"round {number}: " + ", ".join(f"{t} {r.rps:.0f} req/s p99 {r.p99_ms:.0f} ms"
                                                  for t, r in all_rounds[-1].items()), file=sys.stderr)
        costs = page_costs(env, folder)
    return Outcome(all_rounds, build_s, costs)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def ratios(rounds: Sequence[dict[str, WrkResult]], target: str) -> list[float]:
    """Throughput of `target` over the bare endpoint's, round by round."""
    return [r[target].rps / r[BARE].rps for r in rounds]


def verdict(rounds: Sequence[dict[str, WrkResult]]) -> list[str]:
    """One phrase per target: its median share of the bare throughput against the target."""
    phrases = []
    for target, share in TARGETS.items():
        ratio = _median(ratios(rounds, target))
        phrases.append(f"{'met' if ratio >= share else 'NOT MET'}: `{target}` ≥ {share:.0%} of bare "
                       f"({ratio:.1%})")
    return phrases


def cold_verdict(rounds: Sequence[dict[str, WrkResult]]) -> list[str]:
    """One phrase per cold target: share of bare, p99 and errors (a 503 "busy" is one) against issue 16."""
    phrases = []
    for target, share in COLD_TARGETS.items():
        ratio = _median(ratios(rounds, target + COLD))
        p99 = _median([r[target + COLD].p99_ms for r in rounds])
        busy, errors = (sum(getattr(r[target + COLD], k) for r in rounds) for k in ("busy", "errors"))
        ok = ratio >= share and p99 <= COLD_P99_MS and not errors
        phrases.append(f"{'met' if ok else 'NOT MET'}: `{target}` cold ≥ {share:.0%} of bare ({ratio:.1%}), "
                       f"p99 ≤ {COLD_P99_MS / 1000:.0f} s ({p99 / 1000:.2f} s), no errors ({errors - busy} "
                       f"errors, {busy} “busy” 503s)")
    return phrases


def _errors_cell(results: Sequence[WrkResult]) -> str:
    """'503 busy / other errors' over the rounds."""
    busy = sum(r.busy for r in results)
    other = sum(r.errors for r in results) - busy
    classes = sorted({k for r in results for k in r.classes if k not in ("2xx", "3xx", "503")})
    detail = f" ({', '.join(f'{k}: {sum(r.classes.get(k, 0) for r in results)}' for k in classes)})" \
        if classes else ""
    return f"{busy} / {other}{detail}"


def render(outcome: Outcome, *, settings: Settings, products: int, command: str) -> str:
    """The Markdown section: when, where, how, the table, the verdict and where the page's time goes."""
    rounds, build_s = outcome.rounds, outcome.build_s
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M %Z")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout or wrk.stderr).split(" [")[0].strip()
    built = f"built in {build_s:.0f} s" if build_s else "reused from --data-dir"
    costs = outcome.costs
    lines = [
        f"Measured {now} on {cpus} CPUs ({platform.machine()}, {platform.system()} {platform.release()}), "
        f"Python {platform.python_version()}, {wrk_version}, load average {os.getloadavg()[0]:.1f} "
        "at the end.",
        f"Command: `{command}`. {products:,} synthetic products (`cnnt demo --synthetic {products}`, "
        f"{built}), SQLite and the embedded index. Each server alone on loopback with the same uvicorn "
        f"options, {settings.workers} worker{'s' if settings.workers > 1 else ''} (with 2 CPUs wrk gets the "
        "other; more workers would compete with wrk and flatter the slower side), "
        f"`wrk -t{settings.threads} -c{settings.connections} -d{settings.duration_s}s --latency "
        f"--timeout {WRK_TIMEOUT_S}s` after a "
        f"{settings.warmup_s} s warm-up; {len(rounds)} round{'s' if len(rounds) > 1 else ''} "
        "(bare endpoint, then the site), medians.",
        "",
        f"- mix: {len(MIX)} typical queries in rotation: " + ", ".join(f"`{q or '(none)'}`" for q in MIX)
        + ". After the warm-up each is served from the per-process search result cache, the API's JSON "
        "body cache and the stored catalog pages (app/web/page_cache.py; wrk sends no shortlist cookie), "
        "straight from the event loop, as repeated searches are in production.",
        f"- cold: the {len(COLD_MIX)} distinct queries of the search benchmark's cold mix "
        "(scripts/bench_queries.py: text, text + filters, filters, deep pages, prefixes, typos, sorts), "
        f"more than the {DEFAULT_MAX_ENTRIES} results the cache holds (and the {MAX_PAGES} stored pages), "
        "in rotation, each wrk thread from its own offset: every search is computed. Each cold target in "
        "a fresh server (same options), warmed up on the mix, so that nothing of another cold run is cached.",
        "",
        "| target | req/s | p99 ms | ÷ bare req/s | target | errors: 503 busy / other | req/s per round |",
        "| --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for target in (BARE, *TARGETS, *(t + COLD for t in COLD_TARGETS)):
        rps = [r[target].rps for r in rounds]
        p99 = _median([r[target].p99_ms for r in rounds])
        share = "1.00" if target == BARE else f"{_median(ratios(rounds, target)):.1%}"
        cold = target.endswith(COLD)
        goal = (f"≥ {COLD_TARGETS[target.removesuffix(COLD)]:.0%}, p99 ≤ 1 s, no errors" if cold
                else f"≥ {TARGETS[target]:.0%}" if target in TARGETS else "—")
        per_round = " / ".join(f"{x:.0f}" for x in rps)
        name = ("bare FastAPI `/ping`" if target == BARE
                else f"`{target.removesuffix(COLD)}`, {'cold' if cold else 'mix'}")
        errors = _errors_cell([r[target] for r in rounds])
        cells = f"{_median(rps):.0f} | {p99:.1f} | {share} | {goal} | {errors} | {per_round}"
        lines.append(f"| {name} | {cells} |")
    requests = sum(r[t].requests for r in rounds for t in r if not t.endswith(COLD))
    busy = sum(r[t].busy for r in rounds for t in r if not t.endswith(COLD))
    lines += [
        "", f"Targets, repeated mix: {'; '.join(verdict(rounds))}; no errors in its {requests:,} requests "
        f"but {busy:,} “busy” 503s of the overload protection (no socket error, every other response "
        "2xx/3xx; the run fails otherwise). Cold mix (issue 16): "
        f"{'; '.join(cold_verdict(rounds))}. A 503 “busy” of the overload protection counts as an error "
        "for the cold targets and is shown apart. Ratios are the median of the rounds' ratios. "
        "Neither the catalog page nor `/api/v1/products` is rate-limited "
        "(app/web/rate_limit.py limits only lookups, reports and sign-ins), so no setting is lifted.",
        "", f"Where a catalog page's time goes (same command, one thread in-process, CPU time per request "
        "of the mix, search results cached, page not stored, as for a new shortlist): "
        f"the search use-case (cached search, covers, status) "
        f"{costs['search_ms']:.2f} ms, the Jinja render of the page {costs['render_ms']:.2f} ms "
        "(twenty cards with their macros, about sixty facet links with computed URLs, the layout).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the section (and write it when asked); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=100_000, help="synthetic products (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three measurements (default 3)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each wrk run (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of wrk before each run (default 5)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server (default 1)")
    parser.add_argument("--data-dir", type=Path, help="build the catalog here once, reuse it later")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the load markers")
    args = parser.parse_args(argv)
    if not (1 <= args.products <= MAX_PRODUCTS and 1 <= args.rounds <= MAX_ROUNDS
            and 1 <= args.duration <= MAX_DURATION_S and 0 <= args.warmup <= MAX_DURATION_S
            and 1 <= args.threads <= args.connections and 1 <= args.workers <= 64):
        parser.error("an argument is out of range")
    settings = Settings(threads=args.threads, connections=args.connections, duration_s=args.duration,
                        warmup_s=args.warmup, workers=args.workers)
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python3"
    command = shlex.join([python, "scripts/bench_load.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        outcome = run(args.products, args.rounds, settings, args.data_dir)
    except (BenchError, httpx.HTTPError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 1
    section = render(outcome, settings=settings, products=args.products, command=command)
    print(section)
    if args.write:
        write_section(args.write, "load", section, heading="Throughput under load")
    return 0


if __name__ == "__main__":
    sys.exit(main())

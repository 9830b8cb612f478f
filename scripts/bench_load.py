"""Throughput and p99 under load (wrk, 64 connections) of the catalog page and the API at 100,000 products.

Builds the synthetic catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo --synthetic
N`), then in each round serves scripts/bare_app.py and the site one after the other with the same
uvicorn options (scripts/bench.py `serve`) and drives them with Debian's `wrk` on loopback: the bare
endpoint, then the catalog page `/san-pham` and `/api/v1/products` with the same mix of typical
queries (a wrk Lua script rotates through MIX). Reports the median requests/s and p99 of the rounds,
and each target's throughput as a share of the bare endpoint's in the same round. After its warm-up
that mix is served from the search result cache and the stored catalog pages, as repeated searches
are in production; each target is also measured cold, rotating through more distinct queries than
the cache holds (COLD_MIX), for information. Any response outside 2xx/3xx (so any 5xx, or a 429 from
a rate limit) or socket error fails the run. Not a test.

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
BARE = "/ping"
COLD = " cold"  # suffix of a target measured with COLD_MIX
MAX_DURATION_S, MAX_ROUNDS, MAX_PRODUCTS = 600, 20, 1_000_000
WRK_TIMEOUT_S = 30  # a request slower than this counts as a socket error and fails the run
# done() prints one JSON line: requests, duration, latency percentiles (µs), errors and status classes
# counted by response() in each thread (thread:get copies the thread's `classes` table).
WRK_LUA = """
local paths = {%(paths)s}
local n = 0
local threads = {}
classes = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads - 1)
end

function init(args)
  n = (offset * math.floor(#paths / %(threads)d)) %% #paths
end

function request()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end

function response(status, headers, body)
  local class = tostring(math.floor(status / 100)) .. "xx"
  classes[class] = (classes[class] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for class, count in pairs(thread:get("classes")) do
      counts[class] = (counts[class] or 0) + count
    end
  end
  local parts = {}
  for class, count in pairs(counts) do
    table.insert(parts, string.format('"%%s": %%d', class, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "classes": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency (ms), and what went wrong."""

    target: str
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx_3xx: int
    classes: dict[str, int]

    @property
    def rps(self) -> float:
        """Requests per second over the run."""
        return self.requests / self.duration_s


@dataclass(frozen=True)
class Settings:
    """How every wrk run is made."""

    threads: int
    connections: int
    duration_s: int
    warmup_s: int
    workers: int


def lua_script(paths: Sequence[str], threads: int) -> str:
    """The wrk script that rotates through `paths` (thread k from k/threads of the way) and prints
    its figures as JSON: between two requests of one URL all the others are requested once."""
    return WRK_LUA % {"paths": ", ".join(json.dumps(p) for p in paths), "threads": threads}


def mix_paths(path: str, mix: Sequence[str] = MIX) -> list[str]:
    """`path` with every query of `mix`, percent-encoded as a browser sends it."""
    return [f"{path}?{quote(q, safe='=&+')}" if q else path for q in mix]


def parse_wrk(target: str, output: str) -> WrkResult:
    """The figures of the JSON line our done() prints."""
    line = next((ln for ln in output.splitlines() if ln.startswith("WRK-JSON ")), None)
    if line is None:
        raise BenchError(f"wrk printed no summary for {target}: {output.strip()[-300:]}")
    data = json.loads(line.removeprefix("WRK-JSON "))
    socket_errors = sum(int(data[k]) for k in ("connect", "read", "write", "timeout"))
    return WrkResult(target=target, requests=int(data["requests"]), duration_s=data["duration_us"] / 1e6,
                     p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000, socket_errors=socket_errors,
                     non_2xx_3xx=int(data["status"]), classes={k: int(v) for k, v in data["classes"].items()})


def run_wrk(base: str, target: str, paths: Sequence[str], settings: Settings, *, seconds: int,
            workdir: Path) -> WrkResult:
    """Drive `base` with wrk for `seconds`, rotating through `paths`; fail on any error response."""
    script = workdir / "mix.lua"
    script.write_text(lua_script(paths, settings.threads), encoding="utf-8")
    args = ["wrk", f"-t{settings.threads}", f"-c{settings.connections}", f"-d{seconds}s", "--latency",
            f"--timeout={WRK_TIMEOUT_S}s", "-s", str(script), base]
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    result = parse_wrk(target, done.stdout)
    if result.socket_errors or result.non_2xx_3xx:
        classes = ", ".join(f"{k}: {v}" for k, v in sorted(result.classes.items()))
        raise BenchError(f"{target} under load: {result.socket_errors} socket errors, "
                         f"{result.non_2xx_3xx} responses outside 2xx/3xx ({classes})")
    return result


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
    """The bare endpoint, then the site's two targets: each served alone, warmed up, then measured."""
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
        for target in TARGETS:
            results[target + COLD] = run_wrk(base, target + COLD, mix_paths(target, COLD_MIX), settings,
                                             seconds=settings.duration_s, workdir=folder)
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
        f"{settings.warmup_s} s warm-up; {len(rounds)} rounds (bare endpoint, then the site), medians.",
        "",
        f"- mix: {len(MIX)} typical queries in rotation: " + ", ".join(f"`{q or '(none)'}`" for q in MIX)
        + ". After the warm-up each is served from the per-process search result cache, the API's JSON "
        "body cache and the stored catalog pages (app/web/page_cache.py; wrk sends no shortlist cookie), "
        "straight from the event loop, as repeated searches are in production.",
        f"- cold: {len(COLD_MIX)} distinct queries (province × group, word × province, word × page, "
        f"year × group), more than the {DEFAULT_MAX_ENTRIES} results the cache holds, each wrk thread "
        "from its own offset: every search is computed. For information; no target.",
        "",
        "| target | req/s | p99 ms | ÷ bare req/s | target | req/s per round |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for target in (BARE, *TARGETS, *(t + COLD for t in TARGETS)):
        rps = [r[target].rps for r in rounds]
        p99 = _median([r[target].p99_ms for r in rounds])
        share = "1.00" if target == BARE else f"{_median(ratios(rounds, target)):.1%}"
        goal = f"≥ {TARGETS[target]:.0%}" if target in TARGETS else "—"
        per_round = " / ".join(f"{x:.0f}" for x in rps)
        name = ("bare FastAPI `/ping`" if target == BARE
                else f"`{target.removesuffix(COLD)}`, {'cold' if target.endswith(COLD) else 'mix'}")
        lines.append(f"| {name} | {_median(rps):.0f} | {p99:.1f} | {share} | {goal} | {per_round} |")
    requests = sum(r[t].requests for r in rounds for t in r)
    lines += [
        "", f"Targets: {'; '.join(verdict(rounds))}. Errors: none in {requests:,} requests (no socket "
        "error, every response 2xx/3xx; the run fails otherwise). The ratio is the median of the "
        "rounds' ratios. Neither the catalog page nor `/api/v1/products` is rate-limited "
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

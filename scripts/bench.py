"""Latency of the catalog's API and page relative to a bare FastAPI endpoint, on demo data.

Builds the demo catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo`),
serves it and scripts/bare_app.py with uvicorn (1 worker, free loopback port), sends
sequential requests with httpx after a warm-up and reports client-measured p50/p95.
Writes the table between markers in BENCHMARKS.md with `--write BENCHMARKS.md`.

    .venv/bin/python scripts/bench.py --write BENCHMARKS.md     (what `make bench` runs)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUERIES = (
    "q=banh+trang",
    "q=che+thai+nguyen",
    "province=da-nang&group=che_bien",
    "level=quoc_gia&status=valid",
    "q=gom&sort=newest",
)
MAX_REQUESTS = 5000
READY_TIMEOUT = 30.0


class BenchError(RuntimeError):
    """A failure the script reports as one line and a non-zero exit."""


@dataclass(frozen=True)
class Row:
    """Timings of one URL, in milliseconds."""

    target: str
    query: str
    p50: float
    p95: float


def free_port() -> int:
    """A loopback port nobody listens on now (to know a server's URL before starting it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(data_dir: Path) -> dict[str, str]:
    """The environment without any CNNT_ setting of the caller, pointed at `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNNT_")}
    env["CNNT_DATA_DIR"] = str(data_dir)
    return env


def _run(args: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    """Run a setup command; on failure raise with its last line of output."""
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        output = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise BenchError(f"`{shlex.join(args)}` failed (exit {done.returncode}): {output}")


def build_demo(data_dir: Path, *, demo: bool) -> dict[str, str]:
    """Migrate a fresh database in `data_dir` and load the demo data into it."""
    env = clean_env(data_dir)
    _run([str(BIN / "cnnt"), "db", "upgrade"], env, data_dir)
    if demo:
        _run([str(BIN / "cnnt"), "demo"], env, data_dir)
    return env


@contextmanager
def serve(
    app: str, *, env: dict[str, str], cwd: Path, probe: str, app_dir: Path | None = None,
    port: int | None = None, workers: int = 1,
) -> Iterator[str]:
    """Run `app` with uvicorn (1 worker unless told) on loopback, a free port unless given; yield its URL.

    Every benchmark serves the app and its baseline through here, so both always get the same options.
    """
    port = port or free_port()
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if app_dir is not None:
        args += ["--app-dir", str(app_dir)]
    log = (cwd / f"uvicorn-{port}.log").open("w")
    proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, base + probe, cwd / f"uvicorn-{port}.log")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll `url` until the server answers, it dies, or READY_TIMEOUT passes."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise BenchError(f"server exited with {proc.returncode}: {tail[0]}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise BenchError(f"server did not answer {url} within {READY_TIMEOUT:.0f} s")


# Runs one command and prints its wall time and peak RSS (it is the wrapper's only child).
_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=3600)\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "out = (code.stderr.strip() or code.stdout.strip() or 'no output').splitlines()[-1]\n"
    "print(json.dumps([code.returncode, time.perf_counter() - t, rss, out]))\n"
)


def run_measured(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run a command; (wall seconds, peak RSS MB) of that process alone, or raise with its last line."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=3700, check=False)
    if done.returncode != 0:
        raise BenchError(f"measuring `{shlex.join(args)}` failed: {done.stderr.strip()[-200:]}")
    code, seconds, rss, last = json.loads(done.stdout)
    if code != 0:
        raise BenchError(f"`{shlex.join(args)}` failed (exit {code}): {last}")
    return float(seconds), float(rss)


def peak_rss_mb(url: str, program: bytes) -> float:
    """Peak RSS (VmHWM, MB) of the `program` process listening on `url`'s port, found through /proc."""
    port = url.rsplit(":", 1)[1]
    for cmdline_file in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmdline = cmdline_file.read_bytes()
            if program in cmdline and port.encode() in cmdline:
                for line in (cmdline_file.parent / "status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return float("nan")


def _nproc() -> int:
    """CPUs this process may use, as `nproc` prints."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _percentile(sorted_ms: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, min(len(sorted_ms), round(pct / 100 * len(sorted_ms) + 0.5)))
    return sorted_ms[rank - 1]


def measure(client: httpx.Client, url: str, *, requests: int, warmup: int) -> tuple[float, float]:
    """Sequential GETs of `url`; (p50, p95) in milliseconds. Any non-200 answer aborts."""
    timings: list[float] = []
    for i in range(warmup + requests):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}, expected 200")
        if i >= warmup:
            timings.append(elapsed)
    timings.sort()
    return _percentile(timings, 50), _percentile(timings, 95)


def run_bench(*, requests: int, warmup: int, demo: bool) -> list[Row]:
    """Build the data, start both servers, measure every target; rows, bare endpoint first."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-") as tmp:
        data_dir = Path(tmp)
        env = build_demo(data_dir, demo=demo)
        bare = serve("bare_app:app", env=env, cwd=data_dir, probe="/ping", app_dir=ROOT / "scripts")
        with bare as base, httpx.Client(base_url=base, timeout=10.0) as client:
            timing = measure(client, "/ping", requests=requests, warmup=warmup)
            rows.append(Row("bare FastAPI", "/ping", *timing))
        site = serve("app.asgi:app", env=env, cwd=data_dir, probe="/api/v1/products?per_page=1")
        with site as base, httpx.Client(base_url=base, timeout=10.0) as client:
            for path in ("/api/v1/products", "/san-pham"):
                for query in QUERIES:
                    url = f"{path}?{query}"
                    rows.append(Row(path, query, *measure(client, url, requests=requests, warmup=warmup)))
    return rows


def render(rows: Sequence[Row], *, requests: int, warmup: int, command: str, demo: bool) -> str:
    """The Markdown section: when, where, how, and the table."""
    bare = rows[0].p50
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M %Z")
    machine = f"{_nproc()} CPUs ({platform.machine()}, {platform.system()} {platform.release()})"
    lines = [
        f"Measured {now} on {machine}, Python {platform.python_version()}.",
        f"Command: `{command}`. {'Demo data' if demo else 'An EMPTY catalog (--no-demo)'} in a temporary "
        "SQLite database and embedded search index; "
        f"uvicorn, 1 worker, loopback; {requests} sequential requests per URL after {warmup} warm-up "
        "requests, so the repeats are answered from the search result cache and the stored catalog pages; "
        "latency measured by the httpx client (includes loopback and client overhead).",
        "",
        "| endpoint | query | p50 ms | p95 ms | p50 ÷ bare p50 | p95 ÷ bare p50 |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| `{row.target}` | `{row.query}` | {row.p50:.2f} | {row.p95:.2f} "
                     f"| {row.p50 / bare:.1f}× | {row.p95 / bare:.1f}× |")
    return "\n".join(lines)




def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the table (and write it when asked); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the bench markers")
    parser.add_argument("--no-demo", action="store_true", help="skip `cnnt demo`: empty catalog, for testing")
    args = parser.parse_args(argv)
    if not (1 <= args.requests <= MAX_REQUESTS and 0 <= args.warmup <= MAX_REQUESTS):
        parser.error(f"--requests must be 1..{MAX_REQUESTS}, --warmup 0..{MAX_REQUESTS}")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python3"
    command = shlex.join([python, "scripts/bench.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        rows = run_bench(requests=args.requests, warmup=args.warmup, demo=not args.no_demo)
    except (BenchError, httpx.HTTPError, OSError, subprocess.SubprocessError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    section = render(rows, requests=args.requests, warmup=args.warmup, command=command, demo=not args.no_demo)
    print(section)
    if args.write:
        write_section(args.write, "bench", section, heading="Catalog latency")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Export benchmark: the whole catalog as CSV, XLSX and JSON over HTTP, with the server's peak memory.

Builds a synthetic catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo
--synthetic N`), serves it with uvicorn (1 worker, loopback), downloads /san-pham.csv,
/san-pham.xlsx and /du-lieu-mo/cnnt-san-pham.json to disk (client-measured wall time),
reads the server's peak RSS (VmHWM) after each, and checks every file: the row count
against the database, the BOM, Vietnamese text intact (XLSX re-read with openpyxl read_only).
Writes the `export` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from bench import BIN, ROOT, BenchError, clean_env, peak_rss_mb, run_measured, serve  # scripts/bench.py
from benchmarks_md import write_section
from openpyxl import load_workbook

TARGET_RSS_MB = 300.0
MAX_PRODUCTS = 500_000
HEADER = "Tên sản phẩm"
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
DOWNLOADS = (("CSV", "/san-pham.csv"), ("XLSX", "/san-pham.xlsx"), ("JSON", "/du-lieu-mo/cnnt-san-pham.json"))


@dataclass(frozen=True, slots=True)
class Download:
    """One measured download."""

    label: str
    seconds: float
    megabytes: float
    rows: int
    rss_mb: float


def _fetch(client: httpx.Client, path: str, target: Path) -> float:
    """Stream `path` to `target`; the wall seconds from request to last byte."""
    started = time.perf_counter()
    with client.stream("GET", path) as response, target.open("wb") as out:
        if response.status_code != 200:
            raise BenchError(f"GET {path} answered {response.status_code}")
        for chunk in response.iter_bytes():
            out.write(chunk)
    return time.perf_counter() - started


def _has_vietnamese(text: str) -> bool:
    return bool(VIETNAMESE & set(text.lower()))


def count_rows(label: str, path: Path) -> int:
    """Data rows in a downloaded file, after checking its header and Vietnamese text."""
    if label == "CSV":
        raw = path.read_bytes()
        if not raw.startswith(b"\xef\xbb\xbf"):
            raise BenchError("the CSV has no UTF-8 BOM")
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        texts = [rows[0][0], *(r[0] for r in rows[1:50])]
    elif label == "XLSX":
        workbook = load_workbook(path, read_only=True)
        rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        texts = [str(rows[0][0]), *(str(r[0]) for r in rows[1:50])]
    else:
        products = json.loads(path.read_bytes())
        return len(products) if _has_vietnamese(" ".join(p["name"] for p in products[:50])) else -1
    if texts[0] != HEADER or not _has_vietnamese(" ".join(texts[1:])):
        raise BenchError(f"{label}: header or Vietnamese text not intact ({texts[:2]})")
    return len(rows) - 1


def published_count(data_dir: Path) -> int:
    """Published products in the benchmark database."""
    with sqlite3.connect(data_dir / "cnnt.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM product WHERE state = 'published'").fetchone()[0])


def run(products: int) -> tuple[float, int, list[Download]]:
    """Build, serve, download; (build seconds, published products, downloads)."""
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-export-") as tmp:
        data_dir = Path(tmp)
        env = clean_env(data_dir)
        cnnt = str(BIN / "cnnt")
        run_measured([cnnt, "db", "upgrade"], env, data_dir)
        build_s, _ = run_measured([cnnt, "demo", "--synthetic", str(products)], env, data_dir)
        expected = published_count(data_dir)
        done: list[Download] = []
        with serve("app.asgi:app", env=env, cwd=data_dir, probe="/du-lieu-mo") as base, \
                httpx.Client(base_url=base, timeout=900.0) as client:
            for label, path in DOWNLOADS:
                target = data_dir / f"download.{label.lower()}"
                seconds = _fetch(client, path, target)
                rows = count_rows(label, target)
                if rows != expected:
                    raise BenchError(f"{label}: {rows} rows, expected {expected}")
                size = target.stat().st_size / 1e6
                done.append(Download(label, seconds, size, rows, peak_rss_mb(base, b"uvicorn")))
    return build_s, expected, done


def render(build_s: float, expected: int, done: Sequence[Download], *, command: str) -> str:
    """The Markdown section."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M %Z")
    peak = max(d.rss_mb for d in done)
    lines = [
        f"Measured {now} on {platform.machine()} {platform.system()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}, SQLite, load average {os.getloadavg()[0]:.1f} at the end. "
        f"Command: `{command}`.",
        "",
        f"Synthetic catalog of {expected:,} published products (built in {build_s:.0f} s); "
        "uvicorn, 1 worker, loopback; each file downloaded whole and re-read to check it.",
        "",
        "| File | Wall time (s) | Size (MB) | Rows | Server peak RSS so far (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {d.label} | {d.seconds:.1f} | {d.megabytes:.1f} | {d.rows:,} | {d.rss_mb:.0f} |" for d in done),
        "",
        f"Target: server peak RSS < {TARGET_RSS_MB:.0f} MB — "
        f"{'met' if peak < TARGET_RSS_MB else 'NOT met'} ({peak:.0f} MB). Rows are read in keyset pages "
        "of 1,000 ids; the XLSX is written by openpyxl's write-only workbook to a temp file, then streamed.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the section (and write it when asked); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=100_000, help="synthetic products (default 100000)")
    parser.add_argument("--write", type=Path, help="update this Markdown file's `export` section")
    args = parser.parse_args(argv)
    if not 1 <= args.products <= MAX_PRODUCTS:
        parser.error(f"--products 1..{MAX_PRODUCTS}")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python3"
    command = shlex.join([python, "scripts/bench_export.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        build_s, expected, done = run(args.products)
    except (BenchError, httpx.HTTPError, OSError, subprocess.SubprocessError, ValueError) as exc:
        print(f"bench_export: {exc}", file=sys.stderr)
        return 1
    section = render(build_s, expected, done, command=command)
    print(section)
    if args.write:
        write_section(args.write, "export", section, heading="Exports and open data")
    return 0


if __name__ == "__main__":
    sys.exit(main())

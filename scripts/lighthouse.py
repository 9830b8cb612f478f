"""Lighthouse scores of the home, catalog, product, verification and statistics pages, on demo data.

Builds the demo catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo`), serves
it with uvicorn as scripts/bench.py does (CNNT_BASE_URL = the served address, so canonical and
social links are the page's own), picks a real product with a valid certificate (one with a photo
when the data has one; the demo's products show their kind's illustration instead)
from the database, and runs Lighthouse 12 (npm, package-lock.json) in Debian's Chromium with
its default mobile profile and simulated throttling, several times per page. Reports the
median score of each category and the first load's transfer size (the total-byte-weight
audit), with the titles of the audits that keep a category under its target. A benchmark,
not a test: scores depend on the machine (Lighthouse scales its simulated CPU to it).

    .venv/bin/python scripts/lighthouse.py --write BENCHMARKS.md     (what `make lighthouse` runs)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from bench import BenchError, build_demo, free_port, serve  # scripts/bench.py: same server harness
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = Path("/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LABELS = {"performance": "perf", "accessibility": "a11y", "best-practices": "best practices", "seo": "SEO"}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
TARGET_KB = 150
RUN_TIMEOUT_S = 180
MAX_RUNS = 15


@dataclass(frozen=True)
class Run:
    """One Lighthouse run of one page: scores 0–100, transfer bytes, titles of failing audits."""

    scores: dict[str, int]
    total_bytes: int
    failing: dict[str, list[str]]
    heaviest: list[tuple[str, int]]  # (path, transfer bytes) of the largest resources


@dataclass(frozen=True)
class PageResult:
    """Every run of one page."""

    label: str
    path: str
    runs: list[Run]

    def median(self, category: str) -> int:
        """Median score of a category over the runs (the lower middle one for an even count)."""
        return int(statistics.median_low(r.scores[category] for r in self.runs))

    @property
    def median_bytes(self) -> int:
        """Median transfer size of the first load."""
        return int(statistics.median_low(r.total_bytes for r in self.runs))

    def met(self) -> bool:
        """Every category at its target and the first load under the size target."""
        return (all(self.median(c) >= TARGETS[c] for c in CATEGORIES)
                and self.median_bytes < TARGET_KB * 1024)


def pick_pages(database: Path) -> list[tuple[str, str]]:
    """(label, path) of the five pages: a real product (with a photo if any) and a code valid today, the
    statistics."""
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT p.slug, c.code FROM product p JOIN certificate c ON c.product_id = p.id "
            "WHERE p.state = 'published' AND c.revoked_on IS NULL AND c.valid_until >= ? "
            "ORDER BY EXISTS (SELECT 1 FROM product_image i WHERE i.product_id = p.id) DESC, p.id, c.id "
            "LIMIT 1", (today,)).fetchone()
    if row is None:
        raise BenchError("the demo data has no published product with a valid certificate")
    slug, code = row
    return [("home", "/"), ("catalog", "/san-pham"), ("product", f"/san-pham/{slug}"),
            ("verification", f"/v/{code}"), ("statistics", "/thong-ke")]


def _first_item(audit: dict[str, Any]) -> str:
    """Where an audit failed first: the element or URL of its first detail item, shortened."""
    items = audit.get("details", {}).get("items") or [{}]
    item = items[0] if isinstance(items[0], dict) else {}
    where = (item.get("node", {}).get("snippet") or item.get("sourceLocation", {}).get("url")
             or item.get("url") or "")
    where = " ".join(str(where).split())
    return f" — e.g. `{where[:90]}{'…' if len(where) > 90 else ''}`" if where else ""


def _failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """Titles of the scored audits of `category` that did not pass in this report, with an example."""
    audits = report["audits"]
    titles = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            title = str(audit.get("title", ref["id"])).replace("`", "")
            titles.append(title + _first_item(audit))
    return titles


def lighthouse_run(url: str, cwd: Path) -> Run:
    """One Lighthouse run of `url` (mobile profile, simulated throttling)."""
    args = [str(LIGHTHOUSE), url, "--output=json", "--quiet", f"--chrome-flags={CHROME_FLAGS}"]
    env = {**os.environ, "CHROME_PATH": str(CHROME)}
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          check=False)
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip() or "no output").splitlines()[-1]
        raise BenchError(f"lighthouse {url} failed (exit {done.returncode}): {tail}")
    report = json.loads(done.stdout)
    if report.get("runtimeError"):
        raise BenchError(f"lighthouse {url}: {report['runtimeError'].get('message')}")
    scores = {}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        if score is None:
            raise BenchError(f"lighthouse {url}: no {category} score (an audit errored)")
        scores[category] = round(float(score) * 100)
    weight = report["audits"]["total-byte-weight"]
    items = weight.get("details", {}).get("items", [])
    heaviest = [(urlsplit(item["url"]).path, int(item["totalBytes"])) for item in items[:3]]
    failing = {c: _failing_audits(report, c) for c in CATEGORIES if scores[c] < TARGETS[c]}
    return Run(scores=scores, total_bytes=int(weight["numericValue"]), failing=failing, heaviest=heaviest)


def check_tools() -> None:
    """Lighthouse from node_modules and Debian's Chromium must be there (make node-deps browser-deps)."""
    if not LIGHTHOUSE.exists():
        raise BenchError(f"{LIGHTHOUSE.relative_to(ROOT)} is missing: run `make node-deps`")
    if not CHROME.exists():
        raise BenchError(f"{CHROME} is missing: run `make browser-deps`")


def run(runs: int) -> list[PageResult]:
    """Build the demo data, serve it, run Lighthouse `runs` times per page, pages in turn."""
    check_tools()
    with tempfile.TemporaryDirectory(prefix="cnnt-lighthouse-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        env = build_demo(data_dir, demo=True)
        env["CNNT_BASE_URL"] = f"http://127.0.0.1:{port}"
        pages = pick_pages(data_dir / "cnnt.sqlite3")
        results = []
        with serve("app.asgi:app", env=env, cwd=data_dir, probe="/", port=port) as base:
            for label, path in pages:
                httpx.get(base + path, timeout=30).raise_for_status()  # a broken page fails here, plainly
                page_runs = [lighthouse_run(base + path, data_dir) for _ in range(runs)]
                results.append(PageResult(label, path, page_runs))
                print(f"{label}: " + ", ".join(f"{LABELS[c]} {results[-1].median(c)}" for c in CATEGORIES),
                      file=sys.stderr)
    return results


def _failing_lines(results: Sequence[PageResult]) -> list[str]:
    """One line per page and category under target: the audits that failed, with how often."""
    lines = []
    for result in results:
        for category in CATEGORIES:
            if result.median(category) >= TARGETS[category]:
                continue
            counts = Counter(t for r in result.runs for t in r.failing.get(category, []))
            audits = "; ".join(f"{title} ({n}/{len(result.runs)})" for title, n in counts.most_common())
            lines.append(f"- {result.label} · {LABELS[category]} {result.median(category)}: "
                         f"{audits or 'no single failing audit (metrics below their best)'}")
        if result.median_bytes >= TARGET_KB * 1024:
            heaviest = ", ".join(f"`{path}` {size / 1024:.0f} KB" for path, size in result.runs[-1].heaviest)
            lines.append(f"- {result.label} · size {result.median_bytes / 1024:.0f} KB: largest transfers "
                         f"{heaviest}")
    return lines


def render(results: Sequence[PageResult], *, runs: int, command: str) -> str:
    """The Markdown section: when, where, how, the table and what keeps a score under target."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M %Z")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    chromium = subprocess.run([str(CHROME), "--version"], capture_output=True, text=True,
                              check=False).stdout.strip()
    lines = [
        f"Measured {now} on {cpus} CPUs ({platform.machine()}, {platform.system()} {platform.release()}), "
        f"Lighthouse {version}, {chromium}.",
        f"Command: `{command}` (`make lighthouse`). Demo data (`cnnt demo`) in a temporary SQLite "
        "database, uvicorn (1 worker) on loopback; Lighthouse's default mobile profile with simulated "
        f"throttling; {runs} run{'s' if runs > 1 else ''} per page, medians. Size = transfer size of the "
        "first load (total-byte-weight audit).",
        "",
        "| page | path | perf | a11y | best practices | SEO | size KB | met? |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        scores = " | ".join(str(r.median(c)) for c in CATEGORIES)
        lines.append(f"| {r.label} | `{r.path}` | {scores} | {r.median_bytes / 1024:.0f} "
                     f"| {'yes' if r.met() else '**no**'} |")
    lines += ["", f"Targets (mobile): perf ≥ {TARGETS['performance']}, a11y {TARGETS['accessibility']}, "
              f"best practices {TARGETS['best-practices']}, SEO {TARGETS['seo']}; "
              f"first load < {TARGET_KB} KB compressed."]
    failing = _failing_lines(results)
    if failing:
        lines += ["", "Audits that failed (in how many runs) where a category is under target, and the "
                  "largest transfers where the first load is over its size:", "", *failing]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the section (and write it when asked); 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the lighthouse markers")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= MAX_RUNS:
        parser.error(f"--runs must be 1..{MAX_RUNS}")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else "python3"
    command = shlex.join([python, "scripts/lighthouse.py", *(argv if argv is not None else sys.argv[1:])])
    try:
        results = run(args.runs)
    except (BenchError, httpx.HTTPError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        print(f"lighthouse: {exc}", file=sys.stderr)
        return 1
    section = render(results, runs=args.runs, command=command)
    print(section)
    if args.write:
        write_section(args.write, "lighthouse", section, heading="Page speed (Lighthouse)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

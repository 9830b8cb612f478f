"""Wall time and peak memory of `cnnt import` on a realistic 10,000-row winners spreadsheet.

Generates the rows with the demo's word lists and round calendar (app.services.demo.synthetic's
generator, no photos), writes them to an .xlsx in a temporary CNNT_DATA_DIR, migrates a fresh SQLite
database there (`cnnt db upgrade`), then times `cnnt import FILE` in a subprocess: wall
time, and peak RSS from resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (the largest of the
waited children; the import is the largest). Targets: under 60 s and 500 MB.

    .venv/bin/python scripts/bench_import.py --write BENCHMARKS.md     (what `make bench` runs)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import clean_env  # scripts/bench.py: the same clean environment
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section
from openpyxl import Workbook

from app.domain.groups import ProductGroup
from app.domain.levels import Level
from app.domain.provinces import all_provinces
from app.domain.regions import Region
from app.files.spreadsheet import COLUMNS
from app.services.demo.synthetic import SyntheticCatalog

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_SECONDS = 60.0
TARGET_MB = 500.0
COMMAND = ".venv/bin/python scripts/bench_import.py --write BENCHMARKS.md"


class BenchError(RuntimeError):
    """A failure the script reports as one line and a non-zero exit."""


@dataclass(frozen=True)
class Result:
    """One measured import."""

    rows: int
    seconds: float
    peak_mb: float
    summary: str


def realistic_rows(count: int, *, seed: int = 2026) -> list[dict[str, object]]:
    """`count` winners rows from the demo's synthetic catalog generator (its word lists), no photos."""
    provinces = all_provinces()
    province_ids = {info.slug: n for n, info in enumerate(provinces, start=1)}
    by_id = dict(enumerate(provinces, start=1))
    first_ids = dict.fromkeys(("producer", "product", "round", "certificate"), 0)
    catalog = SyntheticCatalog(count, seed=seed, province_ids=province_ids, first_ids=first_ids)
    generated = catalog.build()
    producers = {p["id"]: p for p in generated.producers}
    products = {p["id"]: p for p in generated.products}
    rounds = {r["id"]: r for r in generated.rounds}
    rows: list[dict[str, object]] = []
    for cert in generated.certificates[:count]:
        product, selection_round = products[cert["product_id"]], rounds[cert["round_id"]]
        producer = producers[product["producer_id"]]
        region = selection_round["region"]
        rows.append({
            "certificate_number": cert["number"], "level": Level(cert["level"]).label,
            "issued_on": cert["issued_on"], "decision_number": selection_round["decision_number"],
            "decision_date": selection_round["decision_date"],
            "region": Region(region).label if region else None, "province": by_id[cert["province_id"]].name,
            "product_name": product["name"], "product_group": ProductGroup(product["group"]).label,
            "description": product["description"], "producer_name": producer["name"],
            "legal_form": producer["legal_form"], "address": producer["address"], "phone": producer["phone"],
            "email": producer["email"], "website": producer["website"], "score": cert["score"],
        })
    if len(rows) < count:
        raise BenchError(f"the generator gave {len(rows)} rows, fewer than {count}")
    return rows


def write_sheet(path: Path, rows: list[dict[str, object]]) -> Path:
    """The rows as a write-only .xlsx under the canonical headers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values.get(column) for column in COLUMNS])
    workbook.save(path)
    return path



def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run one command; its stdout, or BenchError with the last line of output."""
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        output = (done.stdout.strip() + "\n" + done.stderr.strip()).strip().splitlines()[-3:]
        raise BenchError(f"`{shlex.join(args)}` failed (exit {done.returncode}): {' | '.join(output)}")
    return done.stdout


def run_bench(count: int) -> Result:
    """Generate, migrate, then time the import; the temporary folder is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-import-") as tmp:
        folder = Path(tmp)
        env = clean_env(folder)
        sheet = write_sheet(folder / "winners-10k.xlsx", realistic_rows(count))
        _run([str(BIN / "cnnt"), "db", "upgrade"], env, folder)
        started = time.perf_counter()
        output = _run([str(BIN / "cnnt"), "import", str(sheet)], env, folder)
        seconds = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        return Result(rows=count, seconds=seconds, peak_mb=peak_kb / 1024, summary=summary)


def _machine() -> str:
    """CPUs, architecture, kernel and Python, as one phrase."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return (f"{cpus} CPUs ({platform.machine()}, {platform.system()} {platform.release()}), "
            f"Python {platform.python_version()}")


def section(result: Result) -> str:
    """The Markdown body of the BENCHMARKS.md section."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M +07")
    ok_time = "meets" if result.seconds < TARGET_SECONDS else "MISSES"
    ok_mem = "meets" if result.peak_mb < TARGET_MB else "MISSES"
    return "\n".join([
        f"Measured {now} on {_machine()}.",
        f"Command: `{COMMAND}`. A {result.rows:,}-row .xlsx generated from the demo's word lists "
        "(no photos) in a temporary CNNT_DATA_DIR with a fresh SQLite database (`cnnt db upgrade`), "
        "then `cnnt import FILE` in a subprocess: validation, upsert in one transaction, commit, and "
        "indexing of every product in the embedded search engine. Peak RSS is "
        "`getrusage(RUSAGE_CHILDREN).ru_maxrss` after the import.",
        "",
        "| rows | wall time s | peak RSS MB | target |",
        "| ---: | ---: | ---: | --- |",
        f"| {result.rows:,} | {result.seconds:.1f} | {result.peak_mb:.0f} | "
        f"< {TARGET_SECONDS:.0f} s ({ok_time}), < {TARGET_MB:.0f} MB ({ok_mem}) |",
        "",
        f"Importer's summary: {result.summary}",
    ])


def main() -> int:
    """Parse arguments, measure, print, and optionally write BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--write", type=Path, help="BENCHMARKS.md to update")
    args = parser.parse_args()
    try:
        result = run_bench(args.rows)
    except BenchError as error:
        print(f"bench_import: {error}", file=sys.stderr)
        return 1
    body = section(result)
    print(body)
    if args.write:
        write_section(args.write, "import", body, heading="Import of a 10,000-row spreadsheet")
    return 0


if __name__ == "__main__":
    sys.exit(main())

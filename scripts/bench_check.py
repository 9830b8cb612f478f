"""List-check benchmark: 5,000 rows (codes, printed numbers, names, unknowns) checked at once.

Builds a synthetic catalog in a temporary CNNT_DATA_DIR (`cnnt db upgrade` + `cnnt demo --synthetic
N`), then times, in-process, the service (`check_items`) and the API endpoint (POST
/api/v1/certificates/check through a TestClient: validation, the query batch and the JSON body).
Each run draws a different row set from the catalog (seeded by the run's number): 45% verification
codes (some typed with spaces or lower case), 20% printed numbers, 20% product names (without
diacritics for half of them), 15% unknown codes and names. The baseline, in the same run and on
the service's rows: the same rows looked up one at a time by the single lookup (`look_up`, what the
verification page does per code), as a buyer without the list check would. Reports the median and
the slowest run, and the median of the runs' ratios to the baseline; the target is under 5 s.
Prints a Markdown section; with --write, puts it in BENCHMARKS.md. Not a test.

    .venv/bin/python scripts/bench_check.py [--runs 5] [--data-dir DIR] --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import random
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench import BIN, ROOT, BenchError, clean_env, run_measured  # scripts/bench.py: shared harness
from benchmarks_md import write_section  # scripts/benchmarks_md.py: one writer for every section

sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.domain.text import fold  # noqa: E402
from app.main import create_app  # noqa: E402
from app.services.verification.bulk_check import BulkItem, check_items  # noqa: E402
from app.services.verification.lookup import look_up  # noqa: E402
from app.web.deps import get_today  # noqa: E402
from app.web.rate_limit import SiteLimits  # noqa: E402

ROWS = 5000
TARGET_S = 5.0
BASELINE = "one at a time (baseline)"
TODAY = date(2026, 11, 21)
SHARES = (("code", 0.45), ("number", 0.20), ("name", 0.20), ("unknown", 0.15))


@dataclass(frozen=True, slots=True)
class Pools:
    """What the catalog holds to draw rows from."""

    codes: list[str]
    numbers: list[str]
    names: list[str]


def pools(data_dir: Path) -> Pools:
    """Codes, printed numbers and product names of published products (read with plain sqlite3)."""
    with sqlite3.connect(data_dir / "cnnt.sqlite3") as db:
        codes = [r[0] for r in db.execute("SELECT code FROM certificate")]
        numbers = [r[0] for r in db.execute("SELECT number FROM certificate WHERE number IS NOT NULL")]
        names = [r[0] for r in db.execute("SELECT name FROM product WHERE state = 'published'")]
    if not codes or not names:
        raise BenchError("the synthetic catalog holds no certificates")
    return Pools(codes=codes, numbers=numbers or codes, names=names)


def row_set(source: Pools, seed: int) -> list[str]:
    """ROWS inputs in the shares of SHARES, shuffled; a different set for every seed."""
    rng = random.Random(seed)  # noqa: S311 - a benchmark's sample, not a secret
    makers: dict[str, Callable[[], str]] = {
        "code": lambda: _typed_code(rng, rng.choice(source.codes)),
        "number": lambda: rng.choice(source.numbers),
        "name": lambda: _typed_name(rng, rng.choice(source.names)),
        "unknown": lambda: rng.choice(["ZZZZ-" + "".join(rng.choices("23456789", k=4)),
                                       f"sản phẩm không có {rng.randrange(10**6)}"]),
    }
    rows = [makers[kind]() for kind, share in SHARES for _ in range(round(ROWS * share))]
    rng.shuffle(rows)
    return rows[:ROWS]


def _typed_name(rng: random.Random, name: str) -> str:
    """A product name as written, or without diacritics (half the time)."""
    return name if rng.random() < 0.5 else fold(name)


def _typed_code(rng: random.Random, code: str) -> str:
    """A code as people type it: as printed, lower case or without the dash."""
    return rng.choice([f"{code[:4]}-{code[4:]}", code.lower(), code])


def time_service(settings: Settings, rows: list[str]) -> float:
    """Seconds for check_items on one row set, in a session of its own."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            started = time.perf_counter()
            results = check_items(session=session, items=[BulkItem(r) for r in rows], today=TODAY)
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if len(results) != len(rows):
        raise BenchError(f"the service answered {len(results)} rows for {len(rows)}")
    return seconds


def time_one_by_one(settings: Settings, rows: list[str]) -> float:
    """Seconds for the single lookup of each row in turn (the baseline), in a session of its own."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            started = time.perf_counter()
            for row in rows:
                look_up(session=session, text=row, today=TODAY)
            seconds = time.perf_counter() - started
            session.rollback()  # the lookups' view counts are not kept
    finally:
        engine.dispose()
    return seconds


def time_api(client: TestClient, rows: list[str]) -> float:
    """Seconds for POST /api/v1/certificates/check with one row set (body built and parsed included)."""
    client.app.state.limits = SiteLimits()  # type: ignore[attr-defined]  # a fresh allowance per run
    started = time.perf_counter()
    response = client.post("/api/v1/certificates/check", json={"items": rows})
    results = response.json().get("results", [])
    seconds = time.perf_counter() - started
    if response.status_code != 200 or len(results) != len(rows):
        raise BenchError(f"the API answered {response.status_code} with {len(results)} rows")
    return seconds


def run(products: int, runs: int, reuse: Path | None = None
        ) -> tuple[int, dict[str, list[float]], dict[str, int]]:
    """Build the catalog (or reuse the one in `reuse`), then time each way `runs` times; (catalog
    size, seconds per way, row mix)."""
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-check-") as tmp:
        data_dir = reuse or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        built = (data_dir / "cnnt.sqlite3").exists()
        env = clean_env(data_dir)
        cnnt = str(BIN / "cnnt")
        run_measured([cnnt, "db", "upgrade"], env, data_dir)
        if not built:
            run_measured([cnnt, "demo", "--synthetic", str(products)], env, data_dir)
        source = pools(data_dir)
        settings = Settings(data_dir=data_dir)
        seconds: dict[str, list[float]] = {"service": [], "API": [], BASELINE: []}
        with TestClient(create_app(settings)) as client:
            client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]
            for number in range(runs):
                rows = row_set(source, seed=2 * number)
                seconds["service"].append(time_service(settings, rows))
                seconds[BASELINE].append(time_one_by_one(settings, rows))
                seconds["API"].append(time_api(client, row_set(source, seed=2 * number + 1)))
        return len(source.names), seconds, {kind: round(ROWS * share) for kind, share in SHARES}


def render(products: int, seconds: dict[str, list[float]], mix: dict[str, int], command: str) -> str:
    """The Markdown section of the figures."""
    base = seconds[BASELINE]
    lines = [f"Command: `{command}`. {ROWS:,} rows ({', '.join(f'{n:,} {k}' for k, n in mix.items())}) "
             f"against {products:,} published products (`cnnt demo --synthetic`), SQLite, in-process; "
             "a different row set per run. Baseline: the service's rows looked up one at a time by the "
             "single lookup (`look_up`, what /tra-cuu does for one code), in the same run. Medians.", "",
             "| Way | Runs | Median (s) | Slowest (s) | ÷ one at a time | Target < 5 s |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for way, values in seconds.items():
        median = statistics.median(values)
        ratio = statistics.median(v / b for v, b in zip(values, base, strict=True))
        target = "" if way == BASELINE else ("met" if median < TARGET_S else "NOT met")
        lines.append(f"| {way} | {len(values)} | {median:.2f} | {max(values):.2f} | {ratio:.2f}× "
                     f"| {target} |")
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000, help="synthetic products (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per way (default 5)")
    parser.add_argument("--data-dir", type=Path, help="build the catalog here once, reuse it later")
    parser.add_argument("--write", type=Path, help="update this Markdown file between the section markers")
    args = parser.parse_args()
    if not 1 <= args.runs <= 100 or not 10 <= args.products <= 1_000_000:
        parser.error("--runs 1..100, --products 10..1000000")
    try:
        products, seconds, mix = run(args.products, args.runs, args.data_dir)
    except BenchError as error:
        sys.exit(f"bench_check: {error}")
    command = shlex.join([".venv/bin/python", "scripts/bench_check.py", *sys.argv[1:]])
    section = render(products, seconds, mix, command)
    print(section)
    if args.write:
        write_section(args.write, "list-check", section, heading="List check (5,000 rows)")


if __name__ == "__main__":
    main()

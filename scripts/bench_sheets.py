"""Spreadsheet uploads under attack and at the row limit: time and peak memory of the preview.

Measures what an office's upload runs (app.services.imports.preview.upload_batch, the use-case
behind POST /quan-ly/dot-binh-chon/{id}/nhap) on: a legitimate 20,000-row CSV and .xlsx (rows
from the demo's word lists, every one valid for a provincial round of Đà Nẵng), and the two
bombs of issue 14 rebuilt here: a 1.3 MB-class .xlsx of 20 million cells and a small .xlsx with
one 300 MB cell. Each case runs in a fresh process (this worktree's code on PYTHONPATH) on
a fresh SQLite database, migrated before the clock starts; its peak RSS counts the process
and the .xlsx parser child (started with "spawn" here so that the measured process waits for
it and its RSS is counted; the site uses "forkserver", same limits). The "before" figures
are the attacker's and the issue's, quoted as reported, not measured here.

    .venv/bin/python scripts/bench_sheets.py --write BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import clean_env  # scripts/bench.py: the same clean environment
from bench_import import ROOT, BenchError, _machine, _run, realistic_rows, write_sheet
from benchmarks_md import write_section

from app.files.spreadsheet import COLUMNS

COMMAND = ".venv/bin/python scripts/bench_sheets.py --write BENCHMARKS.md"
ROWS = 20_000
TARGET_SECONDS = 10.0
BEFORE = {"cells": "141 s, 3.5 GB (attacker)", "big-cell": "27 s, 800 MB (attacker)",
          "csv": "126 s (issue 14)", "xlsx": "not reported"}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Case:
    """One measured upload."""

    kind: str
    label: str
    size_kb: float
    seconds: float
    cpu: float
    peak_mb: float
    outcome: str


def round_rows(count: int) -> list[dict[str, object]]:
    """`count` distinct rows valid for a provincial round of Đà Nẵng in 2025."""
    rows = []
    for n, values in enumerate(realistic_rows(count)):
        rows.append({**values, "level": "Cấp tỉnh", "province": "Đà Nẵng", "issued_on": "15/12/2025",
                     "region": None, "product_name": f"{values['product_name']} {n}"})
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    """The rows as a UTF-8 CSV under the canonical headers."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([["" if v.get(c) is None else v.get(c) for c in COLUMNS] for v in rows])
    return path


def _bomb(path: Path, sheet: str) -> Path:
    """A minimal .xlsx whose first worksheet is `sheet` (the other parts as Excel writes them)."""
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{doc}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{doc}"><sheets><sheet name="S" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
        f'Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def cell_bomb(path: Path) -> Path:
    """20 million empty cells in 2,000 rows of 10,000."""
    header = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in COLUMNS)
    row = "<c/>" * 10_000
    body = "".join(f'<row r="{r}">{row}</row>' for r in range(2, 2_002))
    return _bomb(path, f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header}</row>{body}</sheetData>'
                       "</worksheet>")


def big_cell_bomb(path: Path) -> Path:
    """One row whose product name is 300 MB."""
    header = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in COLUMNS)
    cell = '<c t="inlineStr"><is><t>' + "a" * (300 * 1024 * 1024) + "</t></is></c>"
    return _bomb(path, f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{header}</row><row r="2">{cell}'
                       "</row></sheetData></worksheet>")


def measure_one(path: Path) -> dict[str, object]:
    """In this fresh process: upload `path` to a new round as an admin; time, peak RSS, outcome."""
    import multiprocessing

    from sqlmodel import Session, select

    from app.config import Settings
    from app.db import make_engine
    from app.domain.permissions import Role
    from app.errors import InvalidInput
    from app.files import sandbox
    from app.migrate import upgrade_database
    from app.models import Province, SelectionRound
    from app.services.imports.preview import upload_batch
    from app.services.office.account import Account
    from app.services.office.users import create_user

    sandbox._context = lambda: multiprocessing.get_context("spawn")  # the child is ours to measure
    settings = Settings()
    upgrade_database(settings)
    with Session(make_engine(settings.sqlalchemy_url), expire_on_commit=False) as session:
        user = create_user(session=session, email=f"bench-{time.time_ns()}@vi-du.example", name="Bench",
                           password="mat-khau-do-dai-du", role=Role.admin, province=None)  # noqa: S106
        da_nang = session.exec(select(Province).where(Province.slug == "da-nang")).one()
        selection_round = SelectionRound(level="tinh", year=2025, province_id=da_nang.id,
                                         decision_number="1/QĐ-UBND", decision_date=date(2025, 12, 1))
        session.add(selection_round)
        session.commit()
        account = Account(user=user, role=Role.admin, province_slug=None)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        started = time.perf_counter()
        try:
            batch = upload_batch(session=session, account=account, selection_round=selection_round,
                                 folder=settings.data_dir / "imports", filename=path.name,
                                 data=path.read_bytes())
            outcome = f"preview: {batch.rows:,} rows, {batch.errors} errors"
        except InvalidInput as refused:
            outcome = f"422: {refused.message}"
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime - cpu_before
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the bench's own peak.
    peak_kb = max(_high_water_kb(), children.ru_maxrss)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "outcome": outcome}


def _high_water_kb() -> int:
    """This process's peak resident set (VmHWM) in kilobytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_bench() -> list[Case]:
    """Build the four files, migrate a database, and measure each upload in its own process."""
    with tempfile.TemporaryDirectory(prefix="cnnt-bench-sheets-") as tmp:
        folder = Path(tmp)
        rows = round_rows(ROWS)
        files = {"csv": ("20,000-row CSV", write_csv(folder / "danh-sach-20000.csv", rows)),
                 "xlsx": ("20,000-row .xlsx", write_sheet(folder / "danh-sach-20000.xlsx", rows)),
                 "cells": ("20 million cells", cell_bomb(folder / "bom-o.xlsx")),
                 "big-cell": ("one 300 MB cell", big_cell_bomb(folder / "bom-mot-o.xlsx"))}
        cases = []
        for kind, (label, path) in files.items():
            (folder / kind).mkdir()
            env = {**clean_env(folder / kind), "PYTHONPATH": str(ROOT)}
            output = _run([sys.executable, __file__, "--one", str(path)], env, folder / kind)
            result = json.loads(output.strip().splitlines()[-1])
            cases.append(Case(kind, label, path.stat().st_size / 1024, float(result["seconds"]),
                              float(result["cpu"]), float(result["peak_mb"]), str(result["outcome"])))
        return cases


def section(cases: list[Case]) -> str:
    """The Markdown body of the BENCHMARKS.md section."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M +07")
    lines = [
        f"Measured {now} on {_machine()}.",
        f"Command: `{COMMAND}`. Each file is previewed by `upload_batch` (the browser upload's use-case) "
        "in a fresh process on a fresh SQLite database; peak RSS includes the .xlsx parser child. "
        "CPU s adds the parser child's. Before: as reported by the attacker and in issue 14, not "
        "measured here. Target for a "
        f"legitimate {ROWS:,}-row file: under {TARGET_SECONDS:.0f} s.",
        "",
        "| file | size KB | before | after: wall s | after: CPU s | after: peak RSS MB | outcome |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for case in cases:
        outcome = case.outcome.replace("|", "/")[:160]
        lines.append(f"| {case.label} | {case.size_kb:,.0f} | {BEFORE[case.kind]} | {case.seconds:.1f} | "
                     f"{case.cpu:.1f} | {case.peak_mb:.0f} | {outcome} |")
    return "\n".join(lines)


def main() -> int:
    """Parse arguments, measure (or measure one file in this process), print, optionally write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", type=Path, help="BENCHMARKS.md to update")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one), ensure_ascii=False))
        return 0
    try:
        cases = run_bench()
    except BenchError as error:
        print(f"bench_sheets: {error}", file=sys.stderr)
        return 1
    body = section(cases)
    print(body)
    if args.write:
        write_section(args.write, "sheets", body, heading="Spreadsheet uploads: bombs and 20,000 rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search relevance on the demo catalog: recall@10 and MRR over the judged queries, per engine.

Loads the demo data (`db upgrade` + `demo`) into a temporary CNNT_DATA_DIR, runs every query
of tests/search/relevance_judgments.py through each available engine (embedded always;
Meilisearch when CNNT_MEILI_URL is set, after a full reindex) and prints the scores and the
imperfect queries. With `--write BENCHMARKS.md` it rewrites the section between the
relevance markers. Exit code 1 on a setup failure only, never because a target is missed.

    .venv/bin/python scripts/relevance.py --write BENCHMARKS.md     (what `make relevance` runs)
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.search.relevance_judgments holds the judged set

from benchmarks_md import write_section  # noqa: E402  # one writer for every BENCHMARKS.md section
from sqlmodel import Session  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.factory import open_search_engine  # noqa: E402
from search.indexer import reindex_all  # noqa: E402
from tests.meili import MeiliServer, throwaway_meilisearch  # noqa: E402
from tests.search.relevance_judgments import (  # noqa: E402
    CATEGORIES,
    JUDGMENTS,
    MRR_TARGET,
    RECALL_TARGET,
    TODAY,
    TOP_K,
    DemoSetupError,
    Report,
    evaluate,
    load_demo_catalog,
)

COMMAND = "make relevance"


class SetupError(RuntimeError):
    """A failure the script reports as one line and exit code 1."""


def _clear_cnnt_env() -> dict[str, str]:
    """Remove the caller's CNNT_ settings (so nothing points at real data); return the Meili ones."""
    meili = {k: os.environ[k] for k in ("CNNT_MEILI_URL", "CNNT_MEILI_KEY") if os.environ.get(k)}
    for key in [k for k in os.environ if k.startswith("CNNT_")]:
        del os.environ[key]
    return meili


def _measure(settings: Settings, *, reindex: bool) -> Report:
    """Open the engine of `settings` (reindexing from the database first if asked) and score it."""
    try:
        engine: SearchEngine = open_search_engine(settings)
    except Exception as error:  # noqa: BLE001 - any engine set-up failure is a setup failure here
        raise SetupError(f"cannot open the search engine: {error}") from error
    db = make_engine(settings.sqlalchemy_url)
    try:
        if reindex:
            with Session(db) as session:
                reindex_all(session=session, engine=engine)
        return evaluate(engine)
    except Exception as error:  # noqa: BLE001 - report, do not trace back
        raise SetupError(f"search failed: {error}") from error
    finally:
        engine.close()
        db.dispose()


def _pct(value: float) -> str:
    """A 0..1 score with three decimals."""
    return f"{value:.3f}"


def markdown(reports: dict[str, Report], *, measured: datetime) -> str:
    """The BENCHMARKS.md section: context, one table per metric and engine, imperfect queries."""
    engines = list(reports)
    lines = [
        f"Measured {measured:%Y-%m-%d %H:%M %Z} on {os.cpu_count()} CPUs ({platform.machine()}, "
        f"{platform.system()} {platform.release()}), Python {platform.python_version()}.",
        f"Command: `{COMMAND}` (runs `scripts/relevance.py --write BENCHMARKS.md`). Demo data "
        f"(`cnnt demo`: 27 real sample products + 300 seeded generated ones) in a temporary SQLite "
        f"database; {len(JUDGMENTS)} judged queries from `tests/search/relevance_judgments.py`, "
        f"each run with `SearchQuery(today={TODAY.isoformat()}, text=q, per_page={TOP_K})`. "
        f"recall@{TOP_K}: share of a query's relevant products in its top {TOP_K}; MRR: mean of "
        f"1/rank of the first relevant hit (0 if none in the top {TOP_K}). Targets: recall@{TOP_K} "
        f"≥ {RECALL_TARGET}, MRR ≥ {MRR_TARGET}.",
        "",
        "| category | queries | " + " | ".join(f"{e} recall@{TOP_K} | {e} MRR" for e in engines) + " |",
        "| --- | ---: | " + " | ".join("---: | ---:" for _ in engines) + " |",
    ]
    first = reports[engines[0]]
    for category, scores in first.by_category().items():
        cells = []
        for engine in engines:
            s = reports[engine].by_category()[category]
            cells.append(f"{_pct(s.recall)} | {_pct(s.mrr)}")
        lines.append(f"| {category}: {CATEGORIES[category]} | {scores.count} | " + " | ".join(cells) + " |")
    totals = " | ".join(f"**{_pct(r.overall.recall)}** | **{_pct(r.overall.mrr)}**" for r in reports.values())
    lines.append(f"| **all** | {first.overall.count} | {totals} |")
    for engine, report in reports.items():
        verdict = "meets" if report.meets_targets() else "misses"
        lines += ["", f"**{engine}** {verdict} the targets; imperfect queries ({len(report.failing)}):", ""]
        lines += [f"- {o.describe()}" for o in report.failing] or ["- none"]
    return "\n".join(lines)




def _meili_server(given: dict[str, str], stack: ExitStack) -> MeiliServer:
    """The server at CNNT_MEILI_URL, else a throwaway one from the pinned binary (`make meili-deps`)."""
    if given:
        return MeiliServer(given["CNNT_MEILI_URL"], given.get("CNNT_MEILI_KEY", ""))
    try:
        return stack.enter_context(throwaway_meilisearch())
    except RuntimeError as error:
        raise SetupError(f"cannot start Meilisearch: {error}") from error


def run(write: Path | None) -> int:
    """Load the demo, measure both engines, print and optionally write; exit code."""
    meili = _clear_cnnt_env()
    reports: dict[str, Report] = {}
    with tempfile.TemporaryDirectory(prefix="cnnt-relevance-") as tmp, ExitStack() as stack:
        try:
            print(f"Loading the demo catalog into {tmp} …", flush=True)  # noqa: T201
            settings = load_demo_catalog(Path(tmp))
            reports["embedded"] = _measure(settings, reindex=False)
            server = _meili_server(meili, stack)
            meili_settings = settings.model_copy(update={"meili_url": server.url, "meili_key": server.key})
            reports["meilisearch"] = _measure(meili_settings, reindex=True)
        except (SetupError, DemoSetupError) as error:
            print(f"relevance: {error}", file=sys.stderr)  # noqa: T201
            return 1
    for engine, report in reports.items():
        print(f"\n== {engine} ==\n{report.summary()}")  # noqa: T201
    if write is not None:
        body = markdown(reports, measured=datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")))
        write_section(write, "relevance", body, heading="Search relevance")
        print(f"wrote {write}")  # noqa: T201
    return 0


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", type=Path, metavar="BENCHMARKS.md",
                        help="rewrite the section between the relevance markers of this file")
    args = parser.parse_args()
    return run(args.write)


if __name__ == "__main__":
    sys.exit(main())

"""Time building every search document of a catalog as `cnnt search reindex` does, without an engine.

Opens the database of a data folder (the argument, else CNNT_DATA_DIR), walks it with
search/indexer.py `document_batches` (the batches of REINDEX_BATCH ids that reindex_all hands the
engine) and throws the documents away: the engine's writes are left out. Prints the seconds of
each round and their median. `--profile` prints a cProfile of one more round; `--fold` times
fold() and normalize() over every document's searchable texts as the embedded engine calls them
(memo emptied first); `--digest` prints a sha1 of every document in id order, to check that two
versions of the code build the same documents from the same catalog. Not a test.

    CNNT_DATA_DIR=/tmp/reidx PYTHONPATH=$PWD .venv/bin/python scripts/profile_documents.py \\
        [--rounds 3] [--profile] [--fold] [--digest]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.domain import text  # noqa: E402
from search.documents import ProductDocument, searchable_texts  # noqa: E402
from search.indexer import document_batches  # noqa: E402


def build_all(settings: Settings, keep: Callable[[list[ProductDocument]], None] | None = None) -> int:
    """Build every document batch by batch as reindex_all does, in one fresh session; returns how many.

    Batches are dropped once `keep` has seen them, as the engines consume them, so the heap does
    not grow with the catalog (the garbage collector's passes would cost more than in a rebuild).
    """
    db = make_engine(settings.sqlalchemy_url)
    count = 0
    try:
        with Session(db) as session:
            for batch in document_batches(session):
                count += len(batch)
                if keep is not None:
                    keep(batch)
    finally:
        db.dispose()
    return count


def timed_rounds(settings: Settings, rounds: int) -> None:
    """Print the seconds of each round and their median."""
    seconds: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        count = build_all(settings)
        seconds.append(time.perf_counter() - started)
        print(f"  {count} documents in {seconds[-1]:.2f} s", flush=True)
    print(f"build documents: median {statistics.median(seconds):.2f} s of {rounds} rounds")


def time_fold(settings: Settings, rounds: int) -> None:
    """Median seconds of fold() and of normalize() over every searchable text, memo emptied each round."""
    texts: list[str] = []
    build_all(settings, lambda batch: texts.extend(t for doc in batch for t in searchable_texts(doc)))
    for name, function in (("fold", text.fold), ("fold, memo bypassed", text._fold),
                           ("normalize", text.normalize)):
        seconds = []
        for _ in range(rounds):
            text._fold_short.cache_clear()
            started = time.perf_counter()
            for value in texts:
                function(value)
            seconds.append(time.perf_counter() - started)
        print(f"{name}: {len(texts)} texts, median {statistics.median(seconds):.3f} s of {rounds} rounds")


def digest(settings: Settings) -> str:
    """sha1 of every document's canonical JSON, in the order built (ids ascending)."""
    sha = hashlib.sha1(usedforsecurity=False)

    def add(batch: list[ProductDocument]) -> None:
        """Fold one batch into the digest."""
        for doc in batch:
            sha.update(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8"))

    build_all(settings, add)
    return sha.hexdigest()


def main() -> int:
    """Parse the arguments, run the rounds, print what was asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, help="data folder (default: CNNT_DATA_DIR)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more round")
    parser.add_argument("--fold", action="store_true", help="time fold() and normalize() too")
    parser.add_argument("--digest", action="store_true", help="print a sha1 of every document")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    print(f"database: {settings.sqlalchemy_url}")
    timed_rounds(settings, args.rounds)
    if args.digest:
        print(f"digest: {digest(settings)}")
    if args.fold:
        time_fold(settings, args.rounds)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(build_all, settings)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

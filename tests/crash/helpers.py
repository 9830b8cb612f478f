"""What the crash tests share: real `cnnt` processes, outside probes, and snapshots of every store.

Nothing here reaches into the process under test: it is observed the way an operator could
(pg_stat_activity, SQLite's write lock, committed rows, files on disk) and killed with SIGKILL.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.cli import run_import
from app.config import Settings
from search.embedded import EmbeddedEngine
from tests.pg import free_port
from tests.services.sheets import jpeg_bytes, row, write_csv

CNNT = str(Path(sys.executable).with_name("cnnt"))
# The checkout under test: the shared venv's editable install may point at another one.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
SUCCESS = "Đã nhập"  # the importer's summary line, printed only after commit and indexing


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment of a `cnnt` process on the test's database, data folder and (if set) Meilisearch."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNNT_") and k != "PGAPPNAME"}
    env.update(CNNT_DATA_DIR=str(settings.data_dir), CNNT_DATABASE_URL=settings.sqlalchemy_url,
               CNNT_SECRET_KEY=settings.secret_key, PYTHONUNBUFFERED="1")
    # The code under test, not the checkout the shared venv's editable install points at (another worktree)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH", "")]))
    if settings.meili_url:
        env.update(CNNT_MEILI_URL=settings.meili_url, CNNT_MEILI_KEY=settings.meili_key,
                   CNNT_MEILI_INDEX=settings.meili_index)
    return env


def cnnt(settings: Settings, *args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `cnnt ARGS` to the end (working directory: the data folder's parent, so no stray .env)."""
    return subprocess.run([CNNT, *map(str, args)], env=cli_env(settings), cwd=settings.data_dir.parent,
                          input=stdin, capture_output=True, text=True, timeout=180, check=False)


@contextmanager
def started(settings: Settings, *args: str | Path,
            env: Mapping[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`cnnt ARGS` running in the background (with `env` added to its environment), with the file its
    output goes to; killed if left running."""
    out = settings.data_dir.parent / f"out-{time.monotonic_ns()}.txt"
    with out.open("wb") as sink:
        proc = subprocess.Popen([CNNT, *map(str, args)], env={**cli_env(settings), **(env or {})},
                                cwd=settings.data_dir.parent, stdout=sink, stderr=subprocess.STDOUT)
    try:
        yield proc, out
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[bytes], out: Path, *,
               timeout_s: float = 120.0) -> None:
    """Poll `condition` while `proc` is alive; fail if the process ends or time runs out first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert proc.poll() is None, f"process ended first: {out.read_text(encoding='utf-8')}"
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.01)


@contextmanager
def serving(settings: Settings, *, count: int = 1, timeout_s: float = 60.0,
            env: Mapping[str, str] | None = None) -> Iterator[list[str]]:
    """`count` `cnnt serve` processes started side by side, as replicas are, each on a free loopback
    port; yields their base URLs once each /readyz answers 200: the database and the search engine
    answer (a replica starting while the engine is busy may begin on the database fallback and
    reconnect seconds later; /healthz alone would not wait for that); stopped gracefully at the end."""
    with ExitStack() as stack:
        running = []
        for _ in range(count):
            port = free_port()
            command = ("serve", "--host", "127.0.0.1", "--port", str(port))
            proc, out = stack.enter_context(started(settings, *command, env=env))
            running.append((f"http://127.0.0.1:{port}", proc, out))
        for base, proc, out in running:
            wait_until(lambda base=base: _answers(f"{base}/readyz"), proc, out, timeout_s=timeout_s)  # type: ignore[misc]
        yield [base for base, _, _ in running]
        for _, proc, _ in running:
            proc.terminate()  # uvicorn's graceful shutdown: the lifespan closes the engine
        for _, proc, _ in running:
            proc.wait(timeout=30)


def _answers(url: str) -> bool:
    """True once `url` answers 200."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def sigkill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no handler, no atexit, no rollback in the process itself."""
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def seed_import(settings: Settings, sheet: Path) -> None:
    """Import `sheet` in this process, through the code `cnnt import` runs (the seed is not under test)."""
    lines: list[str] = []
    assert run_import(settings, sheet, dry_run=False, echo=lines.append) == 0, lines
    assert not any("Cảnh báo" in line for line in lines), lines  # committed and indexed


def winners_sheet(folder: Path, *, prefix: str, count: int, photos: int = 0) -> Path:
    """A CSV of `count` provincial winners named '{prefix} {n}', the first `photos` rows with a photo."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in range(count):
        images = ""
        if n < photos:
            images = f"anh-{n}.jpg"
            colour = (zlib.crc32(prefix.encode()) % 200 + n * 7 % 50, 90 + n * 13 % 150, 40)
            (folder / images).write_bytes(jpeg_bytes(color=colour))
        rows.append(row(product_name=f"{prefix} {n}", producer_name=f"Cơ sở {prefix} {n % 150}",
                        certificate_number=f"{n}/{prefix[:3]}", images=images))
    return write_csv(folder / "danh-sach.csv", rows)


def table_digests(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table of the database (reflected, Alembic's included): row count and a digest of its rows."""
    engine = sa.create_engine(database_url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        digests = {}
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(sa.select(table).order_by(*order)).all()
                digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
                digests[table.name] = (len(rows), digest)
        return digests
    finally:
        engine.dispose()


def media_files(folder: Path) -> dict[str, int]:
    """Relative path → size of every file under a media folder."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def index_fingerprints(settings: Settings) -> dict[int, str]:
    """Product id → fingerprint of every document in the embedded index file."""
    engine = EmbeddedEngine(settings.search_index_path)
    try:
        return engine.fingerprints()
    finally:
        engine.close()


@dataclass(frozen=True)
class StoreState:
    """Everything a crash could damage: the database, the media folder, the search index."""

    tables: dict[str, tuple[int, str]]
    media: dict[str, int]
    index: dict[int, str]


def store_state(settings: Settings) -> StoreState:
    """The current state of the database, media folder and search index."""
    return StoreState(table_digests(settings.sqlalchemy_url), media_files(settings.media_path),
                      index_fingerprints(settings))


def count(database_url: str, sql: str) -> int:
    """One integer from a fresh connection: it sees only committed rows."""
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def write_transaction_probe(database_url: str) -> Iterator[Callable[[], bool]]:
    """A check, from outside, that another connection has an open write transaction.

    PostgreSQL: the importer's backend (application_name 'cnnt import') has a transaction id,
    which it gets at its first write. SQLite: BEGIN IMMEDIATE without waiting is refused
    while another connection holds the write lock, which SQLite takes at the first write.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)

        def sqlite_writer() -> bool:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                assert "locked" in str(error), error
                return True
            conn.execute("ROLLBACK")
            return False

        try:
            yield sqlite_writer
        finally:
            conn.close()
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")  # stats are re-read per statement
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = 'cnnt import' AND backend_xid IS NOT NULL")
    try:
        with engine.connect() as pg:
            yield lambda: bool(pg.execute(query).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def index_write_locked(path: Path) -> Iterator[None]:
    """Hold the search index's write lock, as a `cnnt search reindex` in another shell would.

    Writers of the index wait for it (5 s, then give up and keep the outbox rows), which keeps the
    window between the import's commit and its indexing open long enough to kill the import in it.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()

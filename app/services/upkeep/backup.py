"""Back up and restore the database: the one store the site cannot rebuild.

SQLite: the online backup API copies one consistent snapshot in a single step while the
site keeps serving (WAL: writers are not blocked meanwhile). PostgreSQL: pg_dump's custom
format, itself one consistent snapshot. Either way the backup is written to a temporary
name and renamed, so an interrupted backup never leaves half a file under the backup's
name. A restore is one transaction (the backup API's copy, pg_restore --single-transaction):
a crash during it leaves the database as it was. The search index is derived and media
files are plain content-addressed files, so neither is in the backup: the restore command
rebuilds the index, and the README says how to copy the media.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # pg_dump --format=custom
PG_BIN_DIRS = "/usr/lib/postgresql/{major}/bin"  # Debian/Ubuntu keep one folder per major version


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path:
    """The database file of a SQLite URL; an in-memory database cannot be backed up."""
    if not url.database or url.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(url.database)


def _magic(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def _replace_durably(tmp: Path, target: Path) -> None:
    """Flush the finished temporary file to disk, rename it to `target`, flush the folder entry."""
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _write_through_temp(target: Path, write: Callable[[Path], None]) -> None:
    """Run `write` on a private (0600) temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        _replace_durably(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check_sqlite_file(conn: sqlite3.Connection, what: str) -> None:
    """Refuse a damaged file or one that is not a CNNT database (no Alembic revision)."""
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} bị hỏng (PRAGMA quick_check: {result}).")
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
        raise BackupError(f"{what} không phải cơ sở dữ liệu CNNT (không có bảng alembic_version).")


def backup_sqlite(database: Path, target: Path) -> None:
    """Copy the live database into `target` as one self-contained file (rollback journal, no WAL)."""
    if not database.is_file():
        raise BackupError(f"Không có cơ sở dữ liệu tại {database}.")

    def write(tmp: Path) -> None:
        with closing(sqlite3.connect(database, timeout=30)) as live, closing(sqlite3.connect(tmp)) as copy:
            live.backup(copy)  # pages=-1: the whole file in one step, so one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_sqlite_file(copy, "Bản sao lưu vừa ghi")

    _write_through_temp(target, write)


def restore_sqlite(source: Path, database: Path) -> None:
    """Copy a backup over the live database in one transaction; open connections see the new data."""
    with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as backup:
        _check_sqlite_file(backup, f"Tệp {source}")
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database, timeout=30)) as live:
            backup.backup(live)


def _tool_major(name: str, path: Path) -> int | None:
    """The major version a PostgreSQL client tool reports ("pg_dump (PostgreSQL) 15.18 …"), if any."""
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True,  # noqa: S603 - a found tool
                            check=False)
    found = re.search(rf"{name} \(PostgreSQL\) (\d+)", result.stdout)
    return int(found.group(1)) if found else None


def _server_major(url: URL) -> int:
    """The server's major version (150004 → 15)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version or newer (older ones refuse or lose data)."""
    candidates = [Path(PG_BIN_DIRS.format(major=server_major)) / name]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        major = _tool_major(name, candidate) if candidate.is_file() else None
        if major is not None and major >= server_major:
            return str(candidate)
    raise BackupError(f"Cần {name} của PostgreSQL {server_major} trở lên (gói postgresql-client-"
                      f"{server_major}); không tìm thấy trong {candidates[0].parent} hay trên PATH.")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment carrying it (not in `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run_pg(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603 - fixed tool, no shell
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(args[0]).name} thất bại (mã {result.returncode}):\n{tail}")


def backup_postgres(url: URL, target: Path) -> None:
    """pg_dump --format=custom into `target` (a consistent snapshot; the site keeps serving)."""
    tool = pg_tool("pg_dump", _server_major(url))
    dsn, env = _libpq(url)
    _write_through_temp(target, lambda tmp: _run_pg([tool, "--format=custom", f"--file={tmp}", dsn], env))


def restore_postgres(source: Path, url: URL) -> None:
    """pg_restore --clean in one transaction: all of the backup, or (on any error) nothing changed."""
    tool = pg_tool("pg_restore", _server_major(url))
    dsn, env = _libpq(url)
    _run_pg([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", f"--dbname={dsn}", str(source)], env)


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    """SQLite's own refusals (locked for too long, unreadable file) as a BackupError."""
    try:
        yield
    except sqlite3.Error as error:
        raise BackupError(f"SQLite: {error}.") from error


def backup_database(database_url: str, target: Path) -> None:
    """Write a backup of the database at `database_url` to `target` (replaced atomically)."""
    url = make_url(database_url)
    if _is_sqlite(url):
        if target.resolve() == _sqlite_file(url).resolve():
            raise BackupError("Tệp sao lưu không được trùng với tệp cơ sở dữ liệu.")
        with _sqlite_errors():
            backup_sqlite(_sqlite_file(url), target)
    else:
        backup_postgres(url, target)


def restore_database(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup in `source`; refuses a backup of the other kind."""
    url = make_url(database_url)
    magic = _magic(source, len(SQLITE_MAGIC))
    if _is_sqlite(url):
        if magic != SQLITE_MAGIC:
            raise BackupError(f"{source} không phải bản sao lưu SQLite (cnnt db backup với SQLite).")
        with _sqlite_errors():
            restore_sqlite(source, _sqlite_file(url))
    else:
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} không phải bản sao lưu PostgreSQL (pg_dump --format=custom).")
        restore_postgres(source, url)

"""Dated monthly snapshots of the open data: the full CSV and JSON, once per Vietnam month, with SHA-256s.

Files live in `<DATA_DIR>/open-data/` as `cnnt-san-pham-YYYY-MM.csv|.json`, each with a
`<name>.sha256` beside it (`sha256sum` format). Each file is written to a temporary name in the
folder and renamed, so a reader never sees half a file; a month already written is kept as it is
(the snapshot is of that month's first run). The last KEEP_MONTHS months are kept. Only names
matching SNAPSHOT_NAME are ever listed or served, so no path from outside reaches another file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from app.errors import NotFound
from app.services.catalog import exports
from search.engine import SearchQuery

SNAPSHOT_NAME = re.compile(r"cnnt-san-pham-(\d{4})-(0[1-9]|1[0-2])\.(csv|json)")
KINDS = ("csv", "json")
KEEP_MONTHS = 24
SUMS_NAME = "SHA256SUMS"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored file: its name, month (YYYY-MM), kind, size in bytes and SHA-256."""

    name: str
    month: str
    kind: str
    size: int
    sha256: str


def snapshot_folder(data_dir: Path) -> Path:
    """Where the snapshots are kept."""
    return data_dir / "open-data"


def snapshot_name(month: str, kind: str) -> str:
    """The file name of a month's snapshot of `kind` (csv or json)."""
    return f"cnnt-san-pham-{month}.{kind}"


def _write_atomically(target: Path, chunks: Iterator[bytes]) -> str:
    """Write `chunks` to a temporary file beside `target`, fsync, rename; the SHA-256 of what was written."""
    digest = hashlib.sha256()
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_sum(path: Path, sha: str) -> None:
    """`<path>.sha256` in sha256sum's format, written atomically."""
    line = f"{sha}  {path.name}\n".encode()
    _write_atomically(path.with_name(f"{path.name}.sha256"), iter([line]))


Produce = Callable[[], Iterator[bytes]]


def _producers(session: Session, query: SearchQuery, base_url: str) -> dict[str, Produce]:
    """What each kind's file holds: the full open-data CSV and JSON of `query`'s day."""
    request = exports.ExportRequest(query=query, base_url=base_url)
    return {"csv": lambda: exports.csv_chunks(exports.export_rows(session=session, request=request)),
            "json": lambda: exports.json_chunks(session=session, request=request)}


def write_month_snapshot(*, session: Session, folder: Path, today: date, base_url: str) -> list[str]:
    """Write this Vietnam month's CSV and JSON (and SHA-256s) unless written already; the names written.

    Reads only; the caller owns the session. Older months beyond KEEP_MONTHS are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    month = f"{today:%Y-%m}"
    written: list[str] = []
    for kind, produce in _producers(session, SearchQuery(today=today), base_url).items():
        target = folder / snapshot_name(month, kind)
        if target.is_file():
            if not target.with_name(f"{target.name}.sha256").is_file():  # a run stopped between the two
                _write_sum(target, _file_sha256(target))
            continue
        _write_sum(target, _write_atomically(target, produce()))
        written.append(target.name)
    prune_snapshots(folder)
    return written


def _months(folder: Path) -> list[str]:
    """The months with a snapshot file, newest first."""
    found = {f"{m.group(1)}-{m.group(2)}" for p in folder.glob("cnnt-san-pham-*")
             if (m := SNAPSHOT_NAME.fullmatch(p.name))}
    return sorted(found, reverse=True)


def prune_snapshots(folder: Path, keep: int = KEEP_MONTHS) -> list[str]:
    """Delete the files of months older than the newest `keep`; the names deleted."""
    deleted = []
    for month in _months(folder)[keep:]:
        for kind in KINDS:
            name = snapshot_name(month, kind)
            for path in (folder / name, folder / f"{name}.sha256"):
                if path.is_file():
                    path.unlink()
                    deleted.append(path.name)
    return deleted


def _stored_sum(path: Path) -> str:
    """The SHA-256 recorded beside a snapshot ('' when missing or unreadable)."""
    try:
        text = path.with_name(f"{path.name}.sha256").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ""
    sha = text.split(" ", 1)[0].strip()
    return sha if re.fullmatch(r"[0-9a-f]{64}", sha) else ""


def list_snapshots(folder: Path) -> list[Snapshot]:
    """Every complete snapshot (file and checksum), newest month first, CSV before JSON."""
    found = []
    for month in _months(folder):
        for kind in KINDS:
            path = folder / snapshot_name(month, kind)
            sha = _stored_sum(path) if path.is_file() else ""
            if sha:
                found.append(Snapshot(name=path.name, month=month, kind=kind, size=path.stat().st_size,
                                      sha256=sha))
    return found


def snapshot_file(folder: Path, name: str) -> Path:
    """The stored snapshot called `name`; NotFound for any other name (no path leaves the folder)."""
    path = folder / name
    if not SNAPSHOT_NAME.fullmatch(name) or not path.is_file() or not _stored_sum(path):
        raise NotFound("Không có bản lưu dữ liệu này.")
    return path


def sha256sums(folder: Path) -> str:
    """Every snapshot's checksum in one `sha256sum -c` file, oldest first."""
    return "".join(f"{s.sha256}  {s.name}\n" for s in reversed(list_snapshots(folder)))

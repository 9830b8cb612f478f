"""SIGKILL in the middle of `cnnt import`: the database, media folder and index are exactly as before.

The import is one transaction and writes its photos only after every row is flushed, so a
process killed while writing rows leaves nothing: no row, no media file, no index document.
Both databases; the kill lands at two points of the write phase, each observed from outside.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import Settings
from tests.crash.helpers import (
    SUCCESS,
    cnnt,
    count,
    seed_import,
    sigkill,
    started,
    store_state,
    wait_until,
    winners_sheet,
    write_transaction_probe,
)

# Rows enough that the write phase lasts seconds even with the batched upsert (1,500 rows took
# under a second once it stopped querying per row), so the second kill point is well inside it.
ROWS = 6000
KILL_AFTER_S = (0.0, 0.3)  # after the write transaction was first seen: at its first rows, then well in


def _id_sequences(database_url: str) -> int | None:
    """PostgreSQL's producer and product id sequences (the first rows an import writes), summed.

    Sequences are not transactional: they show rows written by a transaction that was then lost.
    """
    if make_url(database_url).get_backend_name() == "sqlite":
        return None
    return count(database_url, "SELECT (SELECT last_value FROM producer_id_seq) "
                               "+ (SELECT last_value FROM product_id_seq)")


def test_sigkill_while_writing_rows_changes_nothing(crash_settings: Settings, tmp_path: Path) -> None:
    settings = crash_settings
    seed = winners_sheet(tmp_path / "seed", prefix="Chiếu cói", count=20, photos=1)
    seed_import(settings, seed)
    big = winners_sheet(tmp_path / "big", prefix="Mành tre", count=ROWS, photos=2)
    before = store_state(settings)
    assert before.tables["product"][0] == 20 and len(before.index) == 20 and before.media

    for delay in KILL_AFTER_S:
        sequence_before = _id_sequences(settings.sqlalchemy_url)
        with started(settings, "import", big) as (proc, out), \
                write_transaction_probe(settings.sqlalchemy_url) as writing:
            wait_until(writing, proc, out)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGSTOP)  # frozen: it cannot commit between the check and the kill
            assert writing() and proc.poll() is None, "the import left its transaction before the kill point"
            sigkill(proc)
        assert SUCCESS not in out.read_text(encoding="utf-8")
        assert store_state(settings) == before, f"killed {delay} s into writing"
        if sequence_before is not None:  # the killed transaction had really inserted rows
            assert (_id_sequences(settings.sqlalchemy_url) or 0) > sequence_before

    again = cnnt(settings, "import", big)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{SUCCESS} {ROWS} dòng. sản phẩm: {ROWS} mới" in again.stdout
    assert "ảnh mới: 2" in again.stdout
    assert count(settings.sqlalchemy_url, "SELECT count(*) FROM product") == 20 + ROWS
    assert cnnt(settings, "search", "check").returncode == 0
    _every_photo_row_has_its_files(settings)


def _every_photo_row_has_its_files(settings: Settings) -> None:
    """No photo row points at a missing file: each stored hash has its folder of variants."""
    engine = sa.create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            hashes = conn.execute(sa.text("SELECT DISTINCT content_hash FROM product_image")).scalars().all()
    finally:
        engine.dispose()
    assert len(hashes) == 3
    for content_hash in hashes:
        folder = settings.media_path / content_hash[:2] / content_hash
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{w}.{fmt}" for w in (320, 640, 1280) for fmt in ("avif", "jpg", "webp"))

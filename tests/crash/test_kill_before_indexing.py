"""SIGKILL after the import committed but before it indexed: the outbox replays to zero drift.

DESIGN.md promises that a crash between commit and indexing loses nothing. The import is
killed while its rows and outbox rows are committed (seen from another connection) and the
index is untouched; `cnnt search check` then reports the missing products, and starting the
site replays the outbox (the engine's first open applies pending rows) to zero drift.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.crash.helpers import (
    SUCCESS,
    cnnt,
    count,
    index_fingerprints,
    index_write_locked,
    seed_import,
    sigkill,
    started,
    wait_until,
    winners_sheet,
)

ROWS = 400


def test_sigkill_between_commit_and_indexing_is_replayed(crash_settings: Settings, tmp_path: Path) -> None:
    settings, url = crash_settings, crash_settings.sqlalchemy_url
    seed = winners_sheet(tmp_path / "seed", prefix="Chiếu cói", count=20)
    seed_import(settings, seed)
    indexed_before = index_fingerprints(settings)
    big = winners_sheet(tmp_path / "big", prefix="Mành tre", count=ROWS, photos=1)

    with index_write_locked(settings.search_index_path), started(settings, "import", big) as (proc, out):
        wait_until(lambda: count(url, "SELECT count(*) FROM outbox") == ROWS, proc, out)
        sigkill(proc)  # committed (another connection sees it), not yet indexed
    assert SUCCESS not in out.read_text(encoding="utf-8")
    assert count(url, "SELECT count(*) FROM product") == 20 + ROWS
    assert index_fingerprints(settings) == indexed_before

    check = cnnt(settings, "search", "check")
    assert check.returncode == 1
    assert f"Thiếu trong chỉ mục: {ROWS} sản phẩm" in check.stdout

    with TestClient(create_app(settings)) as client:  # start-up opens the engine, which replays the outbox
        assert count(url, "SELECT count(*) FROM outbox") == 0
        found = client.get("/api/v1/products", params={"q": "Mành tre", "per_page": 5}).json()
        assert found["total"] == ROWS
        one = client.get("/api/v1/products", params={"q": f"Mành tre {ROWS - 1}"}).json()
        assert one["hits"][0]["name"] == f"Mành tre {ROWS - 1}"
    check = cnnt(settings, "search", "check")
    assert check.returncode == 0, check.stdout
    assert len(index_fingerprints(settings)) == 20 + ROWS

"""SIGKILL in the middle of `cnnt search reindex`: the site keeps the whole old index.

A full reindex empties the embedded index and refills it in one write transaction, so a
reindex killed part-way (an operator's Ctrl-C, an OOM kill, a deploy) rolls back to the old
index instead of leaving it half-filled. The kill lands while the reindex holds the index's
write lock, seen from outside, and has held it without a break for HELD_S: the one transaction of
a whole reindex does, while a reindex that committed batch by batch lets go between batches (and
would leave the index emptied or part-filled here).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.crash.helpers import (
    cnnt,
    index_fingerprints,
    seed_import,
    sigkill,
    started,
    wait_until,
    winners_sheet,
    write_transaction_probe,
)

ROWS = 9000  # nine batches of documents (REINDEX_BATCH): the whole reindex lasts well over HELD_S
HELD_S = 0.3


def held_for(probe: Callable[[], bool], seconds: float) -> Callable[[], bool]:
    """A condition that comes true once `probe` has been true on every poll for `seconds`."""
    since: float | None = None

    def held() -> bool:
        nonlocal since
        if not probe():
            since = None
            return False
        since = since if since is not None else time.monotonic()
        return time.monotonic() - since >= seconds

    return held


def test_sigkill_mid_reindex_leaves_the_old_index_whole(crash_settings: Settings, tmp_path: Path) -> None:
    settings = crash_settings
    seed_import(settings, winners_sheet(tmp_path / "seed", prefix="Nón lá", count=ROWS))
    before = index_fingerprints(settings)
    assert len(before) == ROWS

    index_url = f"sqlite:///{settings.search_index_path}"
    with write_transaction_probe(index_url) as index_writing, \
            started(settings, "search", "reindex") as (proc, out):
        wait_until(held_for(index_writing, HELD_S), proc, out)
        sigkill(proc)  # documents written inside the reindex's transaction, not committed
    assert "Đã lập chỉ mục" not in out.read_text(encoding="utf-8")

    assert index_fingerprints(settings) == before
    check = cnnt(settings, "search", "check")
    assert check.returncode == 0, check.stdout
    with TestClient(create_app(settings)) as client:
        found = client.get("/api/v1/products", params={"q": "non la", "per_page": 1}).json()
        assert found["total"] == ROWS
    again = cnnt(settings, "search", "reindex")  # and the next reindex runs to the end
    assert again.returncode == 0, again.stdout
    assert index_fingerprints(settings) == before

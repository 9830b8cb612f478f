"""`cnnt db backup` and `cnnt db restore` on both databases, and a SQLite backup taken mid-write.

A restore brings back every table exactly (row digests) and a clean search index; a backup
taken while another connection commits is one consistent snapshot, never half a transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.domain.text import fold
from app.models import OutboxEvent, Producer, Product
from tests.conftest import new_postgres_database
from tests.crash.helpers import cnnt, count, index_fingerprints, seed_import, table_digests, winners_sheet
from tests.factories import make_product, make_user, province


def _seed(settings: Settings, tmp_path: Path) -> None:
    """Products with a photo, a round, certificates, and an office account: every kind of row."""
    sheet = winners_sheet(tmp_path / "seed", prefix="Chiếu cói", count=30, photos=1)
    seed_import(settings, sheet)
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        make_user(session, role="office", province_slug="da-nang")
    engine.dispose()


def _damage(settings: Settings) -> None:
    """What a restore must undo: a new product, a deleted certificate, an edited name, a removed user."""
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        make_product(session, name="Thêm sau khi sao lưu")
        session.commit()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM certificate WHERE id = (SELECT min(id) FROM certificate)"))
        conn.execute(sa.text("UPDATE product SET name = 'Đã sửa' WHERE id = (SELECT min(id) FROM product)"))
        conn.execute(sa.text('DELETE FROM "user"'))
    engine.dispose()


def test_restore_brings_back_every_row_and_a_clean_index(crash_settings: Settings, tmp_path: Path) -> None:
    settings = crash_settings
    _seed(settings, tmp_path)
    seeded = table_digests(settings.sqlalchemy_url)
    backup = tmp_path / "sao-luu" / "cnnt.backup"

    made = cnnt(settings, "db", "backup", backup)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Đã sao lưu" in made.stdout and backup.is_file()
    assert backup.stat().st_mode & 0o077 == 0  # personal data and password hashes: owner only
    _damage(settings)
    damaged = table_digests(settings.sqlalchemy_url)
    assert damaged != seeded

    refused = cnnt(settings, "db", "restore", tmp_path / "seed" / "danh-sach.csv", "--yes")  # not a backup
    assert refused.returncode == 1 and "Cơ sở dữ liệu không thay đổi" in refused.stdout
    assert table_digests(settings.sqlalchemy_url) == damaged

    restored = cnnt(settings, "db", "restore", backup, "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Đã khôi phục" in restored.stdout and "Đã lập chỉ mục lại 30 sản phẩm" in restored.stdout
    assert table_digests(settings.sqlalchemy_url) == seeded
    check = cnnt(settings, "search", "check")
    assert check.returncode == 0, check.stdout
    assert len(index_fingerprints(settings)) == 30
    _restore_on_a_new_machine(settings, backup, seeded, tmp_path / "may-moi")


def _restore_on_a_new_machine(settings: Settings, backup: Path, seeded: dict[str, tuple[int, str]],
                              folder: Path) -> None:
    """The README's recipe: an empty data folder and an empty database, then `cnnt db restore`."""
    if settings.sqlalchemy_url.startswith("sqlite"):
        url = f"sqlite:///{folder / 'cnnt.sqlite3'}"
    else:
        url = new_postgres_database(settings.sqlalchemy_url.rsplit("/", 1)[0])
    new = Settings(_env_file=None, data_dir=folder, database_url=url, meili_url="")
    restored = cnnt(new, "db", "restore", backup, "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert table_digests(url) == seeded
    assert cnnt(new, "search", "check").returncode == 0


WRITER = "Ghi đồng thời"


def _write_until(settings: Settings, stop: threading.Event, committed: list[int]) -> None:
    """Commit producer + product + outbox row, one transaction at a time, until told to stop."""
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        province_id = province(session, "ha-noi").id
        n = 0
        while not stop.is_set():
            name = f"{WRITER} {n}"
            producer = Producer(slug=f"ghi-{n}", name=name, name_key=fold(name), province_id=province_id)
            session.add(producer)
            session.flush()
            product = Product(slug=f"ghi-{n}", name=name, name_key=fold(name), group="khac",
                              producer_id=producer.id, province_id=province_id)
            session.add(product)
            session.flush()
            session.add(OutboxEvent(product_id=product.id))
            session.commit()
            n += 1
            committed.append(n)
    engine.dispose()


def _writer_transactions(path: Path) -> int:
    """How many writer transactions a backup file holds, checking that none is there in part."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        like = (f"{WRITER} %",)
        producers = {r[0] for r in conn.execute("SELECT name FROM producer WHERE name LIKE ?", like)}
        products = {r[0] for r in conn.execute("SELECT name FROM product WHERE name LIKE ?", like)}
        events = conn.execute("SELECT count(*) FROM outbox o JOIN product p ON p.id = o.product_id "
                              "WHERE p.name LIKE ?", like).fetchone()[0]
    assert producers == products == {f"{WRITER} {n}" for n in range(len(products))}  # a prefix of commits
    assert events == len(products)
    return len(products)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_backup_while_another_connection_writes(crash_settings: Settings, tmp_path: Path) -> None:
    settings = crash_settings
    stop, committed = threading.Event(), [0]
    writer = threading.Thread(target=_write_until, args=(settings, stop, committed))
    writer.start()
    try:
        while committed[-1] < 20:
            stop.wait(0.01)
        held = []
        for n in range(2):
            before = committed[-1]
            made = cnnt(settings, "db", "backup", tmp_path / f"b{n}.sqlite3")
            assert made.returncode == 0, made.stdout + made.stderr
            held.append((before, _writer_transactions(tmp_path / f"b{n}.sqlite3"), committed[-1]))
    finally:
        stop.set()
        writer.join(timeout=30)
    for before, in_backup, after in held:
        assert before <= in_backup <= after and after > before  # taken while commits went on
    assert held[0][1] < held[1][1]
    assert count(settings.sqlalchemy_url, "SELECT count(*) FROM product") == committed[-1]

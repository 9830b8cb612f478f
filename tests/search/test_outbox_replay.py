"""Writes while the search engine is down keep their outbox rows and are indexed once it is back.

Real databases (SQLite and PostgreSQL) and a real embedded index; the engine is "down" by real
means: closed, or its index file overwritten with garbage.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import INDEX_RETRY_WARNING, index_outbox, load_demo, run_check, run_import
from app.config import Settings
from app.models import OutboxEvent, Product
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery
from search.indexer import apply_outbox, check_drift, index_after_commit
from tests.factories import add_certificate, make_product
from tests.services.sheets import row, write_csv


def outbox_count(session: Session) -> int:
    """Pending outbox rows."""
    return len(session.exec(select(OutboxEvent)).all())


def corrupt(path: Path) -> None:
    """Replace an index file (and its WAL files) with bytes SQLite refuses to open."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not an index " * 500)


def test_writes_while_down_are_replayed_on_a_fresh_engine(session: Session, settings: Settings) -> None:
    path = settings.search_index_path
    first = EmbeddedEngine(path)
    apply_outbox(session=session, engine=first)
    first.close()  # the engine goes down
    products = [make_product(session) for _ in range(3)]
    add_certificate(session, products[0], level="quoc_gia")
    session.commit()
    assert index_after_commit(session=session, engine=first) is None
    assert outbox_count(session) == 4
    back = EmbeddedEngine(path)  # a fresh engine on the same index file
    try:
        assert apply_outbox(session=session, engine=back) == 3
        assert outbox_count(session) == 0
        assert check_drift(session=session, engine=back).clean
    finally:
        back.close()


def test_a_failed_apply_keeps_every_row_and_a_later_one_applies_them(session: Session,
                                                                     settings: Settings) -> None:
    make_product(session)
    session.commit()
    down = EmbeddedEngine(settings.search_index_path)
    down.close()
    assert index_after_commit(session=session, engine=down) is None
    make_product(session)  # the session is usable again: the failed apply rolled back
    session.commit()
    assert outbox_count(session) == 2
    back = EmbeddedEngine(settings.search_index_path)
    try:
        assert index_after_commit(session=session, engine=back) == 2
        assert outbox_count(session) == 0 and check_drift(session=session, engine=back).clean
    finally:
        back.close()


def test_import_with_a_broken_index_commits_warns_and_exits_0(settings: Settings, engine: Engine,
                                                                tmp_path: Path) -> None:
    corrupt(settings.search_index_path)
    said: list[str] = []
    rows = [row(), row(product_name="Bánh đa Kế", certificate_number="")]
    sheet = write_csv(tmp_path / "winners.csv", rows)
    assert run_import(settings, sheet, dry_run=False, echo=said.append) == 0
    assert INDEX_RETRY_WARNING in said and "cnnt search reindex" in INDEX_RETRY_WARNING
    with Session(engine) as session:
        assert len(session.exec(select(Product)).all()) == 2 and outbox_count(session) == 2
    assert run_check(settings, echo=said.append) == 1  # the index cannot even be opened
    settings.search_index_path.unlink()  # the engine is repaired: an empty index on the same path
    assert run_check(settings, echo=said.append) == 1 and said[-1].startswith("Chạy `cnnt search reindex`")
    with Session(engine, expire_on_commit=False) as session:
        assert index_outbox(settings, session) == 2 and outbox_count(session) == 0
    assert run_check(settings, echo=said.append) == 0


def test_demo_load_with_a_broken_index_commits_and_warns(settings: Settings, engine: Engine) -> None:
    corrupt(settings.search_index_path)
    said: list[str] = []
    assert load_demo(settings, if_empty=True, echo=said.append) == 0
    assert said[-1] == INDEX_RETRY_WARNING
    with Session(engine) as session:
        assert outbox_count(session) > 300
    settings.search_index_path.unlink()
    with Session(engine, expire_on_commit=False) as session:
        assert index_outbox(settings, session) == len(session.exec(select(Product.id)).all())
    assert run_check(settings, echo=said.append) == 0


def test_the_site_keeps_serving_while_down_and_catches_up(client: TestClient, session: Session,
                                                          settings: Settings) -> None:
    client.app.state.search.close()  # type: ignore[attr-defined]
    product = make_product(session, name="Chiếu cói Kim Sơn", group="thu_cong_my_nghe")
    session.commit()
    assert index_after_commit(session=session, engine=client.app.state.search) is None  # type: ignore[attr-defined]
    body = client.get("/api/v1/products", params={"q": "chieu coi"}).json()
    assert body["notice"] and [h["slug"] for h in body["hits"]] == [product.slug]  # from the database
    back = EmbeddedEngine(settings.search_index_path)
    client.app.state.search = back  # type: ignore[attr-defined]
    try:
        assert apply_outbox(session=session, engine=back) == 1
        body = client.get("/api/v1/products", params={"q": "chieu coi"}).json()
        assert body["notice"] is None and [h["slug"] for h in body["hits"]] == [product.slug]
        assert check_drift(session=session, engine=back).clean
        assert back.search(SearchQuery(today=product.created_at.date())).total == 1
    finally:
        back.close()

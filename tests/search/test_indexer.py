"""The indexer against real databases (SQLite and PostgreSQL) and a real embedded index."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.cli import run_check, run_reindex
from app.config import Settings
from app.models import OutboxEvent, ProductImage, SelectionRound
from search.document_builder import build_documents
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery, SearchUnavailable, StatusFilter
from search.indexer import apply_outbox, check_drift, document_batches, fill_if_empty, reindex_all
from tests.factories import add_certificate, make_product


@pytest.fixture
def index(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """An empty embedded index in the test's folder."""
    eng = EmbeddedEngine(tmp_path / "index.sqlite3")
    yield eng
    eng.close()


def outbox_count(session: Session) -> int:
    """Pending outbox rows."""
    return len(session.exec(select(OutboxEvent)).all())


def test_build_documents_maps_every_field(session: Session) -> None:
    product = make_product(session, name="Vải thiều Lục Ngạn", province_slug="bac-ninh",
                           certified_in="bac-giang", level="tinh", issued_on=date(2021, 6, 1),
                           number="12/GCN")
    cert = add_certificate(session, product, level="quoc_gia", issued_on=date(2023, 12, 15),
                           revoked_on=date(2025, 3, 1), certified_in="bac-ninh")
    round_ = SelectionRound(level="quoc_gia", year=2023, decision_number="1234/QĐ-BCT")
    session.add(round_)
    session.flush()
    cert.round_id = round_.id
    assert product.id is not None
    session.add_all([
        ProductImage(product_id=product.id, content_hash="b" * 64, width=1, height=1, position=1),
        ProductImage(product_id=product.id, content_hash="a" * 64, width=1, height=1, position=0),
    ])
    session.commit()
    doc = build_documents(session=session, product_ids=[product.id, product.id, 10_000])[product.id]
    assert (doc["levels"], doc["years"]) == (["quoc_gia", "tinh"], [2021, 2023])
    assert (doc["province"], doc["certified_provinces"]) == ("bac-ninh", ["bac-giang", "bac-ninh"])
    assert doc["decision_numbers"] == ["1234/QĐ-BCT"] and doc["certificate_numbers"] == ["12/GCN"]
    assert doc["image"] == "a" * 64
    # the 2021 certificate runs to 31/12/2024; the 2023 one, revoked on 01/03/2025, ends 28/02/2025
    assert doc["validity"] == {
        "quoc_gia": {"runs": [[20231215, 20250228]], "ends": 20250228, "revoked_on": 20250301},
        "tinh": {"runs": [[20210601, 20241231]], "ends": 20241231, "revoked_on": 0},
        "all": {"runs": [[20210601, 20250228]], "ends": 20250228, "revoked_on": 20250301},
    }
    assert doc["latest_issued"] == 20231215 and len(doc["fingerprint"]) == 40


def test_unpublished_products_have_no_document(session: Session) -> None:
    product = make_product(session)
    product.state = "draft"
    session.commit()
    assert product.id is not None
    assert build_documents(session=session, product_ids=[product.id]) == {}


def test_apply_outbox_indexes_and_empties_the_outbox(session: Session, index: EmbeddedEngine) -> None:
    make_product(session, name="Nón lá Huế", province_slug="hue")
    make_product(session, name="Mỳ Chũ", province_slug="bac-ninh", certified_in="bac-giang")
    session.commit()
    assert apply_outbox(session=session, engine=index) == 2
    assert outbox_count(session) == 0
    found = index.search(SearchQuery(today=date(2025, 8, 1), text="mì chu", provinces=("bac-giang",),
                                     status=StatusFilter.valid))
    assert [hit.document["name"] for hit in found.hits] == ["Mỳ Chũ"]
    assert check_drift(session=session, engine=index).clean


def test_a_changed_product_is_stale_until_applied(session: Session, index: EmbeddedEngine) -> None:
    product = make_product(session, name="Nón lá")
    session.commit()
    apply_outbox(session=session, engine=index)
    product.name = "Nón bài thơ"
    assert product.id is not None
    session.add(OutboxEvent(product_id=product.id))
    session.commit()
    report = check_drift(session=session, engine=index)
    assert (report.stale, report.missing, report.orphaned, report.clean) == ([product.id], [], [], False)
    apply_outbox(session=session, engine=index)
    assert check_drift(session=session, engine=index).clean
    assert index.search(SearchQuery(today=date(2025, 8, 1), text="bài thơ")).total == 1


def test_unpublishing_removes_the_document(session: Session, index: EmbeddedEngine) -> None:
    product = make_product(session)
    session.commit()
    apply_outbox(session=session, engine=index)
    product.state = "hidden"
    assert product.id is not None
    session.add(OutboxEvent(product_id=product.id))
    session.commit()
    assert check_drift(session=session, engine=index).orphaned == [product.id]
    apply_outbox(session=session, engine=index)
    assert index.fingerprints() == {}


def test_engine_failure_leaves_outbox_rows(session: Session, tmp_path: Path) -> None:
    make_product(session)
    session.commit()
    broken = EmbeddedEngine(tmp_path / "broken.sqlite3")
    broken.close()
    with pytest.raises(SearchUnavailable):
        apply_outbox(session=session, engine=broken)
    session.rollback()
    assert outbox_count(session) == 1
    working = EmbeddedEngine(tmp_path / "working.sqlite3")
    assert apply_outbox(session=session, engine=working) == 1
    assert outbox_count(session) == 0
    working.close()


def test_reindex_all_rebuilds_and_clears_the_outbox(session: Session, index: EmbeddedEngine) -> None:
    products = [make_product(session) for _ in range(3)]
    session.commit()
    index.upsert(list(build_documents(session=session, product_ids=[products[0].id or 0]).values()))
    index.delete([products[0].id or 0])
    assert check_drift(session=session, engine=index).missing == sorted(p.id or 0 for p in products)
    assert reindex_all(session=session, engine=index) == 3
    assert outbox_count(session) == 0
    assert check_drift(session=session, engine=index).clean


def test_cli_reindex_then_check(settings: Settings, session: Session) -> None:
    make_product(session, name="Chiếu cói Kim Sơn")
    session.commit()
    lines: list[str] = []
    assert run_check(settings, echo=lines.append) == 1
    assert any("Thiếu" in line for line in lines)
    assert run_reindex(settings, echo=lines.append) == 0
    assert lines[-1] == "Đã lập chỉ mục lại 1 sản phẩm."
    assert run_check(settings, echo=lines.append) == 0


def test_an_empty_index_is_filled_once(session: Session, index: EmbeddedEngine) -> None:
    products = [make_product(session) for _ in range(2)]
    session.commit()
    today = date(2026, 12, 6)
    assert fill_if_empty(session=session, engine=index, today=today) == 2
    assert check_drift(session=session, engine=index).clean
    assert fill_if_empty(session=session, engine=index, today=today) is None  # not empty: left alone
    index.delete([p.id or 0 for p in products])
    assert fill_if_empty(session=session, engine=index, today=today) == 2


def test_the_site_refills_an_index_file_of_an_older_layout(settings: Settings, session: Session) -> None:
    """An upgrade empties the embedded index (another schema version): the site rebuilds it at start."""
    import sqlite3

    from fastapi.testclient import TestClient

    from app.main import create_app

    product = make_product(session, name="Chiếu cói Kim Sơn")
    session.commit()
    old = sqlite3.connect(settings.search_index_path)
    old.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY)")
    old.execute("PRAGMA user_version = 3")
    old.commit()
    old.close()
    with TestClient(create_app(settings)) as client:
        page = client.get("/san-pham", params={"q": "chieu coi"})
    assert page.status_code == 200 and f'href="/san-pham/{product.slug}"' in page.text
    assert "Tìm kiếm đang gặp sự cố" not in page.text  # from the engine, not the database fallback


def test_document_batches_leave_the_garbage_collector_as_they_found_it(session: Session) -> None:
    ids = {make_product(session).id, make_product(session).id}
    session.commit()
    seen: set[int | None] = set()
    for batch in document_batches(session):
        assert gc.isenabled()  # paused while a batch is built, never while the engine indexes it
        seen.update(doc["id"] for doc in batch)
    assert seen == ids and gc.isenabled()
    gc.disable()
    try:
        assert [len(batch) for batch in document_batches(session)] == [2]
        assert not gc.isenabled()  # turned off by someone else: not turned on behind their back
    finally:
        gc.enable()

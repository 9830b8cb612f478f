"""A full Meilisearch reindex on the real server: a new index filled, then swapped with the live one.

Readers see the old documents or the new ones, never a half-filled index, and a rebuild that
fails part-way leaves the live index as it was and no temporary index behind.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import meilisearch
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Product, utcnow
from search.documents import ProductDocument
from search.engine import SearchQuery, SearchUnavailable
from search.indexer import index_after_commit, mark_for_reindex, reindex_all
from search.meili import MeiliEngine
from tests.factories import make_product
from tests.meili import MeiliServer
from tests.search.contract_data import make_doc

pytestmark = pytest.mark.meili
EVERYTHING = SearchQuery(today=date(2025, 12, 31))


@pytest.fixture
def index_uid(meili_server: MeiliServer) -> Iterator[str]:
    """A fresh index name; it and any index named after it are deleted afterwards."""
    uid = f"cnnt_swap_{uuid.uuid4().hex[:8]}"
    yield uid
    master = meilisearch.Client(meili_server.url, meili_server.key)
    for name in indexes_named_after(meili_server, uid):
        master.wait_for_task(master.delete_index(name).task_uid, timeout_in_ms=30_000)


def indexes_named_after(server: MeiliServer, uid: str) -> list[str]:
    """The server's indexes whose name starts with `uid` (the live one and any rebuild's)."""
    master = meilisearch.Client(server.url, server.key)
    return sorted(i.uid for i in master.get_indexes({"limit": 1000})["results"] if i.uid.startswith(uid))


@pytest.fixture
def meili(meili_server: MeiliServer, index_uid: str) -> Iterator[MeiliEngine]:
    """An engine on the fresh index holding 40 documents."""
    eng = MeiliEngine(meili_server.url, meili_server.key, index_uid=index_uid, timeout_s=30.0)
    eng.ensure_index()
    eng.upsert([make_doc(i, f"Sản phẩm cũ {i}") for i in range(1, 41)])
    yield eng
    eng.close()


def new_batches(count: int, size: int) -> Iterator[list[ProductDocument]]:
    """`count` batches of `size` new documents: each batch is its own awaited task, so the rebuild is slow."""
    for batch in range(count):
        yield [make_doc(1000 + batch * size + i, f"Sản phẩm mới {batch}-{i}") for i in range(size)]


def test_readers_see_the_old_or_the_new_index_never_a_part(
    meili: MeiliEngine, meili_server: MeiliServer, index_uid: str,
) -> None:
    reader = MeiliEngine(meili_server.url, meili_server.key, index_uid=index_uid, timeout_s=30.0)
    totals: list[int] = []
    done = threading.Event()

    def search_meanwhile() -> None:
        while not done.is_set():
            totals.append(reader.search(EVERYTHING).total)
            done.wait(0.01)

    searcher = threading.Thread(target=search_meanwhile)
    searcher.start()
    try:
        assert meili.replace_all(new_batches(30, 3)) == 90
    finally:
        done.set()
        searcher.join()
    totals.append(reader.search(EVERYTHING).total)
    reader.close()
    assert len(totals) > 10 and totals[0] == 40 and totals[-1] == 90
    assert set(totals) == {40, 90}, sorted(set(totals))
    assert indexes_named_after(meili_server, index_uid) == [index_uid]  # the old index is gone


def test_a_document_the_server_rejects_leaves_the_live_index_as_it_was(
    meili: MeiliEngine, meili_server: MeiliServer, index_uid: str,
) -> None:
    before = meili.fingerprints()
    rejected = make_doc(2**64, "Mã số quá lớn")  # Meilisearch refuses ids above 2^64 - 1

    with pytest.raises(SearchUnavailable, match="invalid_document_id"):
        meili.replace_all(iter([[make_doc(500, "Mật ong bạc hà")], [rejected]]))
    assert meili.fingerprints() == before
    assert meili.search(EVERYTHING).total == 40
    assert indexes_named_after(meili_server, index_uid) == [index_uid]  # the rebuild's index deleted


def test_an_error_from_the_batches_leaves_the_live_index_and_goes_on(
    meili: MeiliEngine, meili_server: MeiliServer, index_uid: str,
) -> None:
    def batches() -> Iterator[list[ProductDocument]]:
        yield [make_doc(500, "Mật ong bạc hà")]
        raise RuntimeError("the database went away mid-reindex")

    with pytest.raises(RuntimeError, match="went away"):
        meili.replace_all(batches())
    assert meili.search(EVERYTHING).total == 40
    assert indexes_named_after(meili_server, index_uid) == [index_uid]


def test_a_reindex_creates_a_missing_live_index(meili_server: MeiliServer, index_uid: str) -> None:
    fresh = MeiliEngine(meili_server.url, meili_server.key, index_uid=index_uid, timeout_s=30.0)
    try:
        assert fresh.replace_all(new_batches(2, 2)) == 4
        assert fresh.search(EVERYTHING).total == 4
        assert sorted(fresh.fingerprints()) == [1000, 1001, 1002, 1003]
    finally:
        fresh.close()
    assert indexes_named_after(meili_server, index_uid) == [index_uid]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_change_the_site_indexed_during_a_reindex_is_not_lost_by_the_swap(
    meili: MeiliEngine, engine: Engine, session: Session,
) -> None:
    """The site indexes into the live index while the rebuild fills the new one; reindex_all syncs
    the products changed meanwhile again once the new index is in place."""
    product = make_product(session, name="Chè Shan tuyết")
    session.commit()

    class SiteWritesMidway:
        """The Meilisearch engine, with an office renaming the product once its batch is in the new index."""

        def __init__(self) -> None:
            self.inner = meili

        def replace_all(self, batches: Iterable[Sequence[ProductDocument]]) -> int:
            def then_rename() -> Iterator[Sequence[ProductDocument]]:
                for batch in batches:
                    yield batch
                    with Session(engine) as office:  # another connection: the site's
                        renamed = office.get(Product, product.id)
                        assert renamed is not None
                        renamed.name, renamed.updated_at = "Trà Shan tuyết cổ thụ", utcnow()
                        mark_for_reindex(office, product.id)
                        office.commit()
                        assert index_after_commit(session=office, engine=meili) == 1  # into the old index
            return self.inner.replace_all(then_rename())

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    assert reindex_all(session=session, engine=SiteWritesMidway()) == 1  # type: ignore[arg-type]
    assert [hit.document["name"] for hit in meili.search(EVERYTHING).hits] == ["Trà Shan tuyết cổ thụ"]

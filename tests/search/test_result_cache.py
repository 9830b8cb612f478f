"""The per-process result cache (search/result_cache.py) never serves a stale answer.

Engine-level tests run on index files alone; the app-level ones write through the database
(SQLite and PostgreSQL), the outbox and the real indexer, then read the API and the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Certificate
from app.services.api import views as api_views
from app.web.deps import get_today
from search.embedded import EmbeddedEngine
from search.engine import SearchHit, SearchQuery, SearchResult, StatusFilter
from search.result_cache import LruCache, ResultCache, result_key
from tests.factories import index_products, make_product
from tests.search.contract_data import make_doc

TODAY = date(2025, 8, 1)
LAST_DAY, NEW_YEAR = date(2026, 12, 31), date(2027, 1, 1)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """A path for a fresh index file."""
    return tmp_path / "search.sqlite3"


@pytest.fixture
def index_engine(index: Path) -> Iterator[EmbeddedEngine]:
    """An engine on a fresh index file (`engine` is the database fixture)."""
    eng = EmbeddedEngine(index)
    yield eng
    eng.close()


def names(result: SearchResult) -> list[str]:
    """The hit names, in order."""
    return [hit.document["name"] for hit in result.hits]


def test_a_repeated_search_is_served_from_the_cache(index_engine: EmbeddedEngine) -> None:
    index_engine.upsert([make_doc(1, "Gốm Bát Tràng"), make_doc(2, "Gốm Phù Lãng", province="bac-ninh")])
    first = index_engine.search(SearchQuery(today=TODAY, text="gốm"))
    again = index_engine.search(SearchQuery(today=TODAY, text="gốm"))
    assert (index_engine.results.misses, index_engine.results.hits) == (1, 1)
    assert names(again) == names(first) and again.total == first.total and again.facets == first.facets


def test_equivalent_queries_share_an_entry(index_engine: EmbeddedEngine) -> None:
    index_engine.upsert([make_doc(1, "Gốm Bát Tràng"), make_doc(2, "Gốm Phù Lãng", province="bac-ninh")])
    both = ("ha-noi", "bac-ninh")
    index_engine.search(SearchQuery(today=TODAY, text="gốm bát", provinces=both))
    same = index_engine.search(SearchQuery(today=TODAY, text="  GỐM   bát ", provinces=both[::-1]))
    other = index_engine.search(SearchQuery(today=TODAY, text="gom bat", provinces=both))
    # unaccented words are other words (a miss), case, spaces and filter order are not
    assert (index_engine.results.misses, index_engine.results.hits) == (2, 1)
    assert names(same) == names(other) == ["Gốm Bát Tràng"]


def test_every_kind_of_write_invalidates(index_engine: EmbeddedEngine) -> None:
    query = SearchQuery(today=TODAY, text="gốm")
    index_engine.upsert([make_doc(1, "Gốm Bát Tràng")])
    assert names(index_engine.search(query)) == ["Gốm Bát Tràng"]
    index_engine.upsert([make_doc(1, "Gốm Chu Đậu")])
    assert names(index_engine.search(query)) == ["Gốm Chu Đậu"]
    index_engine.upsert([make_doc(2, "Gốm Phù Lãng")])
    assert index_engine.search(query).total == 2
    index_engine.delete([1])
    assert names(index_engine.search(query)) == ["Gốm Phù Lãng"]
    index_engine.clear()
    assert index_engine.search(query).total == 0
    assert index_engine.results.hits == 0


def test_a_write_by_another_process_invalidates(index_engine: EmbeddedEngine, index: Path) -> None:
    """Another worker or `cnnt import` writes the same file through its own engine instance."""
    index_engine.upsert([make_doc(1, "Mật ong rừng")])
    query = SearchQuery(today=TODAY, text="mật ong")
    assert index_engine.search(query).total == 1
    other = EmbeddedEngine(index)
    try:
        other.upsert([make_doc(2, "Mật ong hoa nhãn")])
        assert index_engine.search(query).total == 2
        other.delete([1, 2])
        assert index_engine.search(query).total == 0
    finally:
        other.close()


def test_the_day_is_part_of_the_key(index_engine: EmbeddedEngine) -> None:
    index_engine.upsert([make_doc(1, "Mắm tôm", valid_until="2025-12-31")])
    last_day = SearchQuery(today=date(2025, 12, 31), status=StatusFilter.valid)
    assert index_engine.search(last_day).total == 1
    new_year = replace(last_day, today=date(2026, 1, 1))
    assert index_engine.search(new_year).total == 0
    assert index_engine.search(replace(new_year, status=StatusFilter.expired)).total == 1
    assert index_engine.search(last_day).total == 1


def test_two_engines_never_share_keys(tmp_path: Path) -> None:
    """Results derived from a key (the API's JSON) are cached process-wide: keys must tell indexes apart."""
    first, second = EmbeddedEngine(tmp_path / "a.sqlite3"), EmbeddedEngine(tmp_path / "b.sqlite3")
    try:
        first.upsert([make_doc(1, "Nón lá")])
        second.upsert([make_doc(1, "Chiếu cói")])
        query = SearchQuery(today=TODAY)
        assert first.search(query).cache_key != second.search(query).cache_key
    finally:
        first.close()
        second.close()


def test_callers_cannot_change_a_stored_result(index_engine: EmbeddedEngine) -> None:
    index_engine.upsert([make_doc(1, "Gốm Bát Tràng"), make_doc(2, "Gốm Phù Lãng")])
    query = SearchQuery(today=TODAY, text="gốm")
    first = index_engine.search(query)
    first.hits.clear()
    first.facets["group"]["che_bien"] = 99
    again = index_engine.search(query)
    assert again.total == 2 and len(again.hits) == 2 and again.facets["group"]["che_bien"] == 2


def _result(total: int) -> SearchResult:
    return SearchResult(total=total, hits=[SearchHit(document=make_doc(total, "x"), name_highlighted="x")])


def test_result_cache_keeps_the_newest_generation_only() -> None:
    cache = ResultCache(max_entries=10)
    query = SearchQuery(today=TODAY)
    old, new = result_key(1, 5, query, []), result_key(1, 6, query, [])
    cache.put(old, _result(1))
    assert cache.get(old) is not None
    cache.put(new, _result(2))
    assert cache.get(old) is None and len(cache) == 1
    cache.put(old, _result(3))  # a slow reader's older snapshot is not kept
    assert cache.get(old) is None and cache.get(new) is not None


def test_lru_forgets_the_least_recently_used() -> None:
    cache: LruCache[str, int] = LruCache(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    nothing: LruCache[str, int] = LruCache(max_entries=0)
    nothing.put("a", 1)
    assert nothing.get("a") is None


# Through the app: database (SQLite and PostgreSQL), outbox, indexer, API and catalog page.


def _api_names(client: TestClient, params: str) -> list[str]:
    return [hit["name"] for hit in client.get(f"/api/v1/products?{params}").json()["hits"]]


def _page_names(client: TestClient, params: str) -> list[str]:
    soup = BeautifulSoup(client.get(f"/san-pham?{params}").text, "html.parser")
    return [title.get_text(" ", strip=True) for title in soup.select(".card__title")]


def test_an_edit_shows_at_once_in_the_api_and_the_catalog(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Bánh tráng Mỹ Lồng")
    index_products(client, session, product)
    for _ in range(2):  # the second read of each comes from the caches
        assert _api_names(client, "q=banh+trang") == ["Bánh tráng Mỹ Lồng"]
        assert _page_names(client, "q=banh+trang") == ["Bánh tráng Mỹ Lồng"]
    product.name = "Bánh tráng phơi sương Trảng Bàng"
    index_products(client, session, product)
    assert _api_names(client, "q=banh+trang") == ["Bánh tráng phơi sương Trảng Bàng"]
    assert _page_names(client, "q=banh+trang") == ["Bánh tráng phơi sương Trảng Bàng"]
    product.state = "withdrawn"
    index_products(client, session, product)
    assert _api_names(client, "q=banh+trang") == []
    assert _page_names(client, "q=banh+trang") == []


def test_a_revocation_shows_at_once(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Chè Shan tuyết", issued_on=date(2024, 6, 1))
    index_products(client, session, product)
    client.app.dependency_overrides[get_today] = lambda: LAST_DAY  # type: ignore[attr-defined]
    assert client.get("/api/v1/products?status=valid").json()["total"] == 1
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.revoked_on, cert.revoked_reason = LAST_DAY, "Sai phạm"
    session.add(cert)
    index_products(client, session, product)
    assert client.get("/api/v1/products?status=valid").json()["total"] == 0
    assert _api_names(client, "status=revoked") == ["Chè Shan tuyết"]


def test_status_follows_the_day_in_vietnam(client: TestClient, session: Session) -> None:
    # valid to 31/12/2026
    product = make_product(session, name="Vải thiều sấy khô", issued_on=date(2023, 12, 15))
    index_products(client, session, product)
    for day, status in ((LAST_DAY, "valid"), (NEW_YEAR, "expired"), (LAST_DAY, "valid")):
        client.app.dependency_overrides[get_today] = lambda day=day: day  # type: ignore[attr-defined]
        body = client.get("/api/v1/products").json()
        assert body["hits"][0]["status"] == status
        assert body["facets"]["status"] == {status: 1}
        page = BeautifulSoup(client.get("/san-pham?status=valid").text, "html.parser")
        assert len(page.select(".card")) == (1 if status == "valid" else 0)


def test_the_api_body_is_the_same_cached_or_not(client: TestClient, session: Session) -> None:
    for name in ("Gốm Bát Tràng", "Gốm Phù Lãng", "Nón lá Huế"):
        index_products(client, session, make_product(session, name=name, group="thu_cong_my_nghe"))
    client.app.dependency_overrides[get_today] = lambda: LAST_DAY  # type: ignore[attr-defined]
    url = "/api/v1/products?q=gom&group=thu_cong_my_nghe&per_page=1&page=2"
    first, again = client.get(url), client.get(url)
    assert first.headers["content-type"] == again.headers["content-type"] == "application/json"
    query = SearchQuery(today=LAST_DAY, text="gom", groups=("thu_cong_my_nghe",), per_page=1, page=2)
    result = client.app.state.search.search(query)  # type: ignore[attr-defined]
    base_url = client.app.state.settings.public_base_url  # type: ignore[attr-defined]
    fresh = api_views.search_response(result, query=query, base_url=base_url)
    assert first.json() == again.json() == fresh.model_dump(mode="json")
    assert first.json()["total"] == 2 and len(first.json()["hits"]) == 1

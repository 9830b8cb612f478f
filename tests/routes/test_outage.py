"""Search outages: the catalog and the API fall back to the database with the same filters.

The engine is stopped by real means (a closed EmbeddedEngine, an index file overwritten with
garbage), never mocked; the fallback is compared with the engine on the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.catalog.fallback import fallback_search
from app.web.deps import get_today
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery, SortOrder, StatusFilter
from search.indexer import apply_outbox
from tests.factories import add_certificate, make_producer, make_product

HX = {"HX-Request": "true"}
NOTICE = "Tìm kiếm đang gặp sự cố; danh sách dưới đây lấy trực tiếp từ cơ sở dữ liệu"
LAST_DAY, NEW_YEAR = date(2026, 12, 31), date(2027, 1, 1)


def build_catalog(session: Session) -> dict[str, str]:
    """Products whose status differs around 31/12/2026; returns slug by short name."""
    crafts = "thu_cong_my_nghe"
    made = {
        "vai": make_product(session, name="Vải thiều sấy khô", province_slug="bac-ninh",
                            certified_in="bac-giang", issued_on=date(2023, 12, 15)),  # valid to 31/12/2026
        "gom": make_product(session, name="Gốm Phù Lãng", group=crafts, province_slug="bac-ninh",
                            level="quoc_gia", issued_on=date(2025, 11, 1)),
        "non": make_product(session, name="Nón lá bài thơ", group=crafts, province_slug="hue",
                            issued_on=date(2019, 3, 1)),  # expired 2022
        "dao": make_product(session, name="Dao rèn Phước Sơn", group="co_khi", province_slug="da-nang",
                            certified_in="quang-nam", issued_on=date(2024, 5, 1),
                            revoked_on=date(2025, 1, 10)),
        "che": make_product(session, name="Chè Shan tuyết", province_slug="tuyen-quang",
                            issued_on=date(2024, 6, 1), revoked_on=NEW_YEAR),  # revoked on new year's day
        "mam": make_product(session, name="Mắm tôm 100% Hậu Lộc", province_slug="thanh-hoa",
                            issued_on=date(2019, 6, 1)),
        "may": make_product(session, name="Giỏ mây", group=crafts, province_slug="ha-noi",
                            issued_on=date(2018, 1, 5),
                            producer=make_producer(session, name="HTX Mây tre Phú Vinh")),
    }
    add_certificate(session, made["mam"], level="xa", issued_on=date(2021, 3, 1),
                    revoked_on=date(2022, 6, 1), certified_in="thanh-hoa")  # ended first: expired
    add_certificate(session, made["may"], level="tinh", issued_on=date(2020, 1, 1),
                    revoked_on=date(2023, 3, 1), certified_in="ha-noi")  # ended last and was revoked
    add_certificate(session, made["non"], level="xa", issued_on=date(2019, 1, 1),
                    revoked_on=date(2030, 1, 1), certified_in="hue")  # revocation after today: still expired
    session.commit()
    return {key: product.slug for key, product in made.items()}


def pick(catalog: dict[str, str], keys: str) -> set[str]:
    """Slugs of the space-separated short names."""
    return {catalog[key] for key in keys.split()}


@pytest.fixture
def catalog(client: TestClient, session: Session) -> dict[str, str]:
    """The catalog, indexed by the app's engine, seen on 31/12/2026."""
    slugs = build_catalog(session)
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    client.app.dependency_overrides[get_today] = lambda: LAST_DAY  # type: ignore[attr-defined]
    return slugs


def kill_search(client: TestClient) -> None:
    """Stop the app's engine: a closed EmbeddedEngine raises SearchUnavailable on every call."""
    client.app.state.search.close()  # type: ignore[attr-defined]


def slugs_on(response: object) -> list[str]:
    """Product slugs of the result cards, in order."""
    soup = BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]
    return [str(a["href"]).rsplit("/", 1)[-1] for a in soup.select(".card__link")]


def notice_of(response: object) -> str:
    """The outage notice's words ('' when there is none)."""
    notice = BeautifulSoup(response.text, "html.parser").select_one(".notice")  # type: ignore[attr-defined]
    return notice.get_text(" ", strip=True) if notice else ""


def test_notice_appears_only_once_search_fails(client: TestClient, catalog: dict[str, str]) -> None:
    before = client.get("/san-pham")
    assert before.status_code == 200 and notice_of(before) == ""
    kill_search(client)
    after = client.get("/san-pham")
    assert after.status_code == 200 and NOTICE in notice_of(after)
    assert sorted(slugs_on(after)) == sorted(slugs_on(before)) and len(slugs_on(after)) == 7


@pytest.mark.parametrize(("params", "expected"), [
    ({"province": "bac-ninh"}, {"vai", "gom"}),  # current province includes products certified in Bắc Giang
    ({"province": "bac-giang"}, {"vai"}),  # a former province alone
    ({"province": "quang-nam"}, {"dao"}),
    ({"province": ["hue", "thanh-hoa"]}, {"non", "mam"}),
    ({"group": "thu_cong_my_nghe"}, {"gom", "non", "may"}),
    ({"level": "xa"}, {"mam", "non"}),
    ({"level": "quoc_gia", "province": "bac-ninh"}, {"gom"}),
    ({"year": "2019"}, {"non", "mam"}),
    ({"year": ["2020", "2025"]}, {"may", "gom"}),
    ({"status": "valid"}, {"vai", "gom", "che"}),
    ({"status": "expired"}, {"non", "mam"}),
    ({"status": "revoked"}, {"dao", "may"}),
    ({"q": "vai thieu"}, {"vai"}),
    ({"q": "phu vinh"}, {"may"}),  # the producer's name
    ({"q": "100% hau loc"}, {"mam"}),  # `%` is no LIKE wildcard (factory names hold "số 100…")
    ({"q": "gom", "status": "expired"}, set()),
])
def test_fallback_filters(client: TestClient, catalog: dict[str, str], params: dict[str, object],
                          expected: set[str]) -> None:
    kill_search(client)
    response = client.get("/san-pham", params=params)
    assert response.status_code == 200 and NOTICE in notice_of(response)
    assert set(slugs_on(response)) == {catalog[key] for key in expected}  # same set, whatever the order


def test_status_changes_at_midnight_on_new_years_eve(client: TestClient, catalog: dict[str, str]) -> None:
    kill_search(client)
    assert set(slugs_on(client.get("/san-pham?status=valid"))) == pick(catalog, "vai gom che")
    client.app.dependency_overrides[get_today] = lambda: NEW_YEAR  # type: ignore[attr-defined]
    assert set(slugs_on(client.get("/san-pham?status=valid"))) == pick(catalog, "gom")
    assert set(slugs_on(client.get("/san-pham?status=revoked"))) == pick(catalog, "dao may che")
    assert set(slugs_on(client.get("/san-pham?status=expired"))) == pick(catalog, "non mam vai")


def test_sorts_and_pagination(client: TestClient, catalog: dict[str, str]) -> None:
    by_name = slugs_on(client.get("/san-pham?sort=name&per_page=50"))
    newest = slugs_on(client.get("/san-pham?sort=newest&per_page=50"))
    kill_search(client)
    assert slugs_on(client.get("/san-pham?sort=name&per_page=50")) == by_name
    assert slugs_on(client.get("/san-pham?sort=newest&per_page=50")) == newest
    assert slugs_on(client.get("/san-pham?per_page=50")) == newest  # relevance → newest
    pages = [client.get(f"/san-pham?sort=name&per_page=3&page={n}") for n in (1, 2, 3)]
    assert [s for page in pages for s in slugs_on(page)] == by_name
    soup = BeautifulSoup(pages[1].text, "html.parser")
    assert "Trang 2/3" in soup.select_one(".pager").get_text()  # type: ignore[union-attr]
    assert "7 sản phẩm" in soup.select_one(".result-count").get_text()  # type: ignore[union-attr]


def test_facet_counts_in_fallback(client: TestClient, catalog: dict[str, str]) -> None:
    engine_body = client.get("/api/v1/products?province=bac-ninh").json()
    kill_search(client)
    fallback_body = client.get("/api/v1/products?province=bac-ninh").json()
    assert fallback_body["facets"] == engine_body["facets"]
    soup = BeautifulSoup(client.get("/san-pham?province=bac-ninh").text, "html.parser")
    group = next(d for d in soup.select("details.facet") if d.summary and "Nhóm" in d.summary.get_text())
    counts = {li.a.get_text(strip=True).lstrip("☐☑ "): li.select_one(".count").get_text()  # type: ignore[union-attr]
              for li in group.select("li") if li.a}
    assert counts["Chế biến nông, lâm, thủy sản và thực phẩm"] == "1"


def test_htmx_fragment_falls_back(client: TestClient, catalog: dict[str, str]) -> None:
    kill_search(client)
    response = client.get("/san-pham", params={"group": "co_khi"}, headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["vary"].split(", ")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("html") is None and soup.select_one("#results") is not None
    assert NOTICE in notice_of(response)
    assert slugs_on(response) == [catalog["dao"]]


def test_api_falls_back_with_a_notice(client: TestClient, catalog: dict[str, str]) -> None:
    assert client.get("/api/v1/products").json()["notice"] is None
    kill_search(client)
    response = client.get("/api/v1/products", params={"province": "bac-giang", "status": "valid"})
    assert response.status_code == 200
    body = response.json()
    assert body["notice"].startswith(NOTICE) and body["total"] == 1
    assert [hit["slug"] for hit in body["hits"]] == [catalog["vai"]]
    hit = body["hits"][0]
    assert hit["province"]["current"]["slug"] == "bac-ninh" and hit["status"] == "valid"


def test_pages_and_certificates_never_touch_the_engine(client: TestClient, catalog: dict[str, str]) -> None:
    kill_search(client)
    detail = client.get(f"/api/v1/products/{catalog['vai']}")
    assert detail.status_code == 200
    code = detail.json()["certificates"][0]["code"]
    assert client.get(f"/api/v1/certificates/{code}").json()["status"] == "valid"
    assert client.get("/api/v1/certificates", params={"number": "nothing"}).status_code == 200
    for path in (f"/san-pham/{catalog['vai']}", "/tinh/bac-giang", "/"):
        assert client.get(path).status_code == 200, path


@pytest.fixture
def garbage_engine(client: TestClient, tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """An engine whose index file was overwritten with garbage after it opened: every read fails."""
    path = tmp_path / "garbage" / "search.sqlite3"
    engine = EmbeddedEngine(path)
    for leftover in path.parent.iterdir():
        leftover.unlink()
    path.write_bytes(b"this is not an SQLite file " * 200)
    previous = client.app.state.search  # type: ignore[attr-defined]
    client.app.state.search = engine  # type: ignore[attr-defined]
    yield engine
    client.app.state.search = previous  # type: ignore[attr-defined]
    engine.close()


def test_corrupt_index_file_falls_back(client: TestClient, catalog: dict[str, str],
                                       garbage_engine: EmbeddedEngine) -> None:
    response = client.get("/san-pham", params={"province": "da-nang"})
    assert response.status_code == 200 and NOTICE in notice_of(response)
    assert slugs_on(response) == [catalog["dao"]]
    assert client.get("/api/v1/products").json()["notice"]


COMPARED_QUERIES: list[dict[str, object]] = [
    {}, {"provinces": ("bac-ninh",)}, {"provinces": ("bac-giang",)}, {"provinces": ("bac-ninh", "quang-nam")},
    {"groups": ("thu_cong_my_nghe",)}, {"levels": ("xa", "quoc_gia")}, {"years": (2019,)},
    {"years": (2018, 2024), "groups": ("thu_cong_my_nghe", "co_khi")}, {"status": StatusFilter.valid},
    {"status": StatusFilter.expired}, {"status": StatusFilter.revoked},
    {"status": StatusFilter.revoked, "provinces": ("ha-noi", "da-nang")},
    {"levels": ("tinh",), "status": StatusFilter.expired, "years": (2019, 2023)},
    {"sort": SortOrder.name, "per_page": 3, "page": 2}, {"sort": SortOrder.newest, "per_page": 4},
]


@pytest.mark.parametrize("today", [LAST_DAY, NEW_YEAR])
def test_fallback_matches_the_engine(session: Session, tmp_path: Path, today: date) -> None:
    build_catalog(session)
    engine = EmbeddedEngine(tmp_path / "index.sqlite3")
    try:
        apply_outbox(session=session, engine=engine)
        for fields in COMPARED_QUERIES:
            query = SearchQuery(today=today, **{"per_page": 50, **fields})  # type: ignore[arg-type]
            expected, got = engine.search(query), fallback_search(session=session, query=query)
            assert got.total == expected.total, fields
            assert [h.document for h in got.hits] == [h.document for h in expected.hits], fields
            assert got.facets == expected.facets, fields
    finally:
        engine.close()

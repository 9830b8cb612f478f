"""The JSON API: search with filters and facets, details, certificate lookups, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.domain.codes import display_code
from search.indexer import apply_outbox
from tests.factories import add_certificate, make_product


@pytest.fixture
def catalog(client: TestClient, session: Session) -> dict[str, str]:
    """A small indexed catalog; returns codes by name."""
    banh = make_product(session, name="Bánh tráng IMEXTRAVINH", province_slug="vinh-long",
                        certified_in="tra-vinh", level="quoc_gia", issued_on=date(2023, 12, 1),
                        number="3116/QĐ-BCT-07")
    com = make_product(session, name="Cơm sấy Nhật Quỳnh", province_slug="vinh-long",
                       level="quoc_gia", issued_on=date(2017, 10, 1))
    lua = make_product(session, name="Vải lụa tơ tằm Mã Châu", group="thu_cong_my_nghe",
                       province_slug="da-nang", certified_in="quang-nam", level="tinh",
                       issued_on=date(2024, 5, 1))
    dao = make_product(session, name="Dao rèn Phước Sơn", group="co_khi", province_slug="da-nang",
                       level="tinh", issued_on=date(2024, 5, 1), revoked_on=date(2025, 1, 10))
    add_certificate(session, lua, level="quoc_gia", issued_on=date(2025, 11, 1), certified_in="da-nang")
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    codes = {}
    for product in (banh, com, lua, dao):
        detail = client.get(f"/api/v1/products/{product.slug}").json()
        codes[product.name] = detail["certificates"][0]["code"]
    return codes


def _names(body: dict[str, object]) -> list[str]:
    hits = body["hits"]
    assert isinstance(hits, list)
    return [hit["name"] for hit in hits]


def test_unaccented_queries_find_the_real_products(client: TestClient, catalog: dict[str, str]) -> None:
    assert "Bánh tráng IMEXTRAVINH" in _names(client.get("/api/v1/products?q=banh trang").json())
    assert "Cơm sấy Nhật Quỳnh" in _names(client.get("/api/v1/products?q=com say").json())


def test_current_province_includes_former(client: TestClient, catalog: dict[str, str]) -> None:
    da_nang = client.get("/api/v1/products?province=da-nang").json()
    assert set(_names(da_nang)) == {"Vải lụa tơ tằm Mã Châu", "Dao rèn Phước Sơn"}
    quang_nam = client.get("/api/v1/products?province=quang-nam").json()
    assert _names(quang_nam) == ["Vải lụa tơ tằm Mã Châu"]
    hit = quang_nam["hits"][0]
    assert hit["province"]["current"]["slug"] == "da-nang"
    assert {p["slug"] for p in hit["province"]["at_certification"]} == {"quang-nam", "da-nang"}
    assert client.get("/api/v1/products?province=Quang Nam").json()["total"] == 1


def test_hit_fields_status_and_facets(client: TestClient, catalog: dict[str, str]) -> None:
    body = client.get("/api/v1/products?status=valid&per_page=50").json()
    assert body["page"] == 1 and body["per_page"] == 50
    assert "Dao rèn Phước Sơn" not in _names(body)
    hit = next(h for h in body["hits"] if h["name"] == "Vải lụa tơ tằm Mã Châu")
    assert hit["level"] == "quoc_gia" and hit["status"] == "valid" and hit["group"] == "thu_cong_my_nghe"
    assert hit["url"].endswith(f"/san-pham/{hit['slug']}")
    assert body["facets"]["status"]["revoked"] == 1  # disjunctive: its own filter ignored
    revoked = client.get("/api/v1/products?status=revoked").json()
    assert _names(revoked) == ["Dao rèn Phước Sơn"] and revoked["hits"][0]["status"] == "revoked"


def test_product_detail_has_producer_and_certificates(client: TestClient, catalog: dict[str, str]) -> None:
    slug = client.get("/api/v1/products?q=lua ma chau").json()["hits"][0]["slug"]
    body = client.get(f"/api/v1/products/{slug}").json()
    assert body["producer"]["name"] and body["province"]["slug"] == "da-nang"
    levels = {c["level"] for c in body["certificates"]}
    assert levels == {"tinh", "quoc_gia"}
    for cert in body["certificates"]:
        assert {"code", "number", "level", "issued_on", "valid_until", "status"} <= cert.keys()
    assert client.get("/api/v1/products/khong-co-san-pham-nay").status_code == 404


def test_certificate_by_code_and_number(client: TestClient, catalog: dict[str, str]) -> None:
    code = catalog["Bánh tráng IMEXTRAVINH"]
    body = client.get(f"/api/v1/certificates/{display_code(code).lower()}").json()
    assert body["code"] == code and body["status"] == "valid" and body["valid_until"] == "2026-12-31"
    on_new_year = client.get(f"/api/v1/certificates/{code}?on=2027-01-01").json()
    assert on_new_year["status"] == "expired"
    assert client.get("/api/v1/certificates/ZZZZZZZZ").status_code == 404
    by_number = client.get("/api/v1/certificates", params={"number": "3116/qđ-bct-07"}).json()
    assert [c["code"] for c in by_number["certificates"]] == [code]
    revoked = client.get(f"/api/v1/certificates/{catalog['Dao rèn Phước Sơn']}").json()
    assert revoked["status"] == "revoked" and revoked["revoked_on"] == "2025-01-10"


@pytest.mark.parametrize(
    "query",
    [
        "province=atlantis", "page=-1", "per_page=1000000", "q=" + "x" * 10_000, "status=maybe",
        "sort=price", "year=abc", "level=9", "group=99",
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, catalog: dict[str, str], query: str) -> None:
    response = client.get(f"/api/v1/products?{query}")
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


@pytest.mark.parametrize("q", ['"', "NEAR(", "a OR b", "*", "-x", "name:x", "(", "'; DROP TABLE product;--"])
def test_search_syntax_is_taken_literally(client: TestClient, catalog: dict[str, str], q: str) -> None:
    response = client.get("/api/v1/products", params={"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["total"], int)


@pytest.mark.parametrize("path", ["/api/v1/certificates/x?on=2027-13-45", "/api/v1/certificates?number="])
def test_bad_dates_and_empty_numbers(client: TestClient, catalog: dict[str, str], path: str) -> None:
    assert client.get(path).status_code == 422


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/products", "/api/v1/products/{slug}", "/api/v1/certificates/{code}",
            "/api/v1/certificates", "/api/v1/certificates/check"} <= paths.keys()


def test_openapi_documents_the_busy_answer_of_the_search_only(client: TestClient) -> None:
    """Clients learn that a search may be refused under load, and to honour Retry-After."""
    paths = client.get("/openapi.json").json()["paths"]
    busy = paths["/api/v1/products"]["get"]["responses"]["503"]
    assert "Retry-After" in busy["headers"]
    assert busy["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")
    assert "503" not in paths["/api/v1/products/{slug}"]["get"]["responses"]  # never limited


@pytest.mark.parametrize(
    "path",
    ["/san-pham/%00", "/api/v1/products/a%00b", "/co-so/%00", "/api/v1/certificates?number=%00",
     "/san-pham?q=a%00b", "/api/v1/products?province=%00"],
)
def test_nul_bytes_are_refused_before_reaching_the_database(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "không hợp lệ" in response.text

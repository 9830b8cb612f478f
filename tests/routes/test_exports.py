"""Exports and open data: CSV/XLSX with the catalog's filters, JSON dump, updated_since, bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.models import Producer
from search.indexer import apply_outbox
from tests.factories import make_producer, make_product


@pytest.fixture
def catalog(session: Session) -> dict[str, str]:
    """Four products across Vĩnh Long (ex Trà Vinh) and Đà Nẵng (ex Quảng Nam); slugs by name."""
    tricky = make_producer(session, name="=HYPERLINK(\"http://x\")", province_slug="da-nang",
                           phone="+84 236 123", address="@Số 1")
    made = [
        make_product(session, name="Bánh tráng phơi sương", province_slug="vinh-long",
                     certified_in="tra-vinh", level="quoc_gia", issued_on=date(2023, 12, 1)),
        make_product(session, name="Cơm sấy Nhật Quỳnh", province_slug="vinh-long",
                     issued_on=date(2017, 10, 1)),
        make_product(session, name="Vải lụa tơ tằm Mã Châu", province_slug="da-nang",
                     certified_in="quang-nam", group="thu_cong_my_nghe", issued_on=date(2024, 5, 1)),
        make_product(session, name="-Dao rèn Phước Sơn", province_slug="da-nang", producer=tricky,
                     issued_on=date(2024, 5, 1), revoked_on=date(2025, 1, 10)),
    ]
    session.commit()
    return {p.name: p.slug for p in made}


def _csv(client: TestClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_has_bom_vietnamese_headers_and_every_product(client: TestClient,
                                                           catalog: dict[str, str]) -> None:
    response = client.get("/san-pham.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "cnnt-san-pham-" in response.headers["content-disposition"]
    rows = _csv(client, "/san-pham.csv")
    assert {r["Tên sản phẩm"] for r in rows} >= {"Bánh tráng phơi sương", "Vải lụa tơ tằm Mã Châu"}
    banh = next(r for r in rows if r["Tên sản phẩm"] == "Bánh tráng phơi sương")
    assert banh["Cấp cao nhất"] == "Cấp quốc gia"
    assert banh["Tỉnh/thành phố hiện nay"] == "Vĩnh Long"
    assert banh["Tỉnh/thành phố khi chứng nhận"] == "Trà Vinh"
    assert banh["Hiệu lực đến"].count("/") == 2
    assert banh["Đường dẫn sản phẩm"].endswith(f"/san-pham/{catalog['Bánh tráng phơi sương']}")


def test_csv_respects_province_filters(client: TestClient, catalog: dict[str, str]) -> None:
    current = {r["Tên sản phẩm"] for r in _csv(client, "/san-pham.csv?province=da-nang")}
    assert current == {"Vải lụa tơ tằm Mã Châu", "'-Dao rèn Phước Sơn"}
    former = {r["Tên sản phẩm"] for r in _csv(client, "/san-pham.csv?province=quang-nam")}
    assert former == {"Vải lụa tơ tằm Mã Châu"}


def test_csv_respects_status_text_and_shortlist(client: TestClient, catalog: dict[str, str]) -> None:
    revoked = _csv(client, "/san-pham.csv?status=revoked")
    assert [r["Tình trạng hôm nay"] for r in revoked] == ["Đã thu hồi"]
    found = _csv(client, "/san-pham.csv?q=banh trang")
    assert [r["Tên sản phẩm"] for r in found] == ["Bánh tráng phơi sương"]
    chosen = ",".join([catalog["Cơm sấy Nhật Quỳnh"], catalog["Vải lụa tơ tằm Mã Châu"]])
    names = {r["Tên sản phẩm"] for r in _csv(client, f"/san-pham.csv?chon={chosen}")}
    assert names == {"Cơm sấy Nhật Quỳnh", "Vải lụa tơ tằm Mã Châu"}


def test_formula_injection_is_neutralised(client: TestClient, catalog: dict[str, str]) -> None:
    row = _csv(client, "/san-pham.csv?status=revoked")[0]
    assert row["Tên sản phẩm"] == "'-Dao rèn Phước Sơn"
    assert row["Cơ sở sản xuất"].startswith("'=")
    assert row["Điện thoại"] == "'+84 236 123"
    assert row["Địa chỉ"] == "'@Số 1"


def test_xlsx_opens_with_rows_and_vietnamese(client: TestClient, catalog: dict[str, str]) -> None:
    response = client.get("/san-pham.xlsx?province=vinh-long")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Tên sản phẩm" and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"Bánh tráng phơi sương", "Cơm sấy Nhật Quỳnh"}
    everything = load_workbook(io.BytesIO(client.get("/san-pham.xlsx").content), read_only=True).active
    assert everything is not None
    names = [r[0] for r in everything.iter_rows(values_only=True)]
    assert "'-Dao rèn Phước Sơn" in names


def test_open_data_page_and_downloads(client: TestClient, catalog: dict[str, str]) -> None:
    page = client.get("/du-lieu-mo")
    assert page.status_code == 200 and "Từ điển dữ liệu" in page.text
    assert "/du-lieu-mo/cnnt-san-pham.json" in page.text
    assert len(_csv(client, "/du-lieu-mo/cnnt-san-pham.csv")) == 4
    products = json.loads(client.get("/du-lieu-mo/cnnt-san-pham.json").content)
    assert len(products) == 4
    lua = next(p for p in products if p["name"] == "Vải lụa tơ tằm Mã Châu")
    assert lua["province"] == "da-nang" and lua["certified_provinces"] == ["quang-nam"]
    assert lua["certificates"][0]["province"] == "quang-nam" and lua["status"] == "valid"


def test_empty_catalog_gives_valid_files(client: TestClient) -> None:
    assert json.loads(client.get("/du-lieu-mo/cnnt-san-pham.json").content) == []
    assert _csv(client, "/san-pham.csv") == []


@pytest.mark.parametrize("url", [
    "/san-pham.csv?province=atlantis", "/san-pham.csv?status=maybe", "/san-pham.xlsx?year=19999",
    "/san-pham.csv?chon=" + ",".join(f"s{i}" for i in range(201)), "/san-pham.csv?chon=../etc/passwd",
    "/san-pham.csv?group=khong-co", "/san-pham.csv?level=%E2%80%AE", "/san-pham.csv?q=" + "a" * 2000,
])
def test_hostile_export_params_are_422(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 422


def test_catalog_page_links_exports_with_its_filters(client: TestClient, session: Session,
                                                     catalog: dict[str, str]) -> None:
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    page = client.get("/san-pham?province=da-nang&status=valid&sort=name")
    links = [a["href"] for a in BeautifulSoup(page.text, "html.parser").select(".export-links a")]
    assert links == ["/san-pham.csv?province=da-nang&status=valid&sort=name",
                     "/san-pham.xlsx?province=da-nang&status=valid&sort=name"]
    assert [r["Tên sản phẩm"] for r in _csv(client, links[0])] == ["Vải lụa tơ tằm Mã Châu"]


def test_unknown_export_format_is_404(client: TestClient) -> None:
    assert client.get("/san-pham.pdf").status_code == 404


def test_updated_since_returns_only_changed_products(client: TestClient, session: Session,
                                                     catalog: dict[str, str]) -> None:
    since = datetime.now(UTC) + timedelta(seconds=1)
    assert client.get("/api/v1/products", params={"updated_since": since.isoformat()}).json()["total"] == 0
    producer = session.get_one(Producer, 1)
    producer.updated_at = since + timedelta(minutes=5)
    session.add(producer)
    session.commit()
    body = client.get("/api/v1/products", params={"updated_since": since.isoformat()}).json()
    assert body["total"] >= 1
    assert all(hit["producer"] == producer.name for hit in body["hits"])
    assert client.get("/api/v1/products?updated_since=2000-01-01").json()["total"] == 4


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-11-21T25:00", "0", "9" * 40])
def test_bad_updated_since_is_422(client: TestClient, value: str) -> None:
    response = client.get("/api/v1/products", params={"updated_since": value})
    assert response.status_code == 422
    assert "updated_since" in response.text

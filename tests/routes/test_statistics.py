"""/thong-ke: numbers from the database in its tables and charts, each CSV equal to its table, English
number format under /en, bad parameters refused with a message; the office's XLSX holds its province only."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.domain.states import ProductState
from app.domain.validity import today_in
from app.services.statistics.page import TABLE_NAMES
from tests.factories import make_product, make_user, sign_in

YEAR = today_in().year  # the page counts on today's Vietnam date: the data set moves with it


def _register(session: Session) -> None:
    """Valid, ending this year, revoked, expired, a former province, and a withdrawn product."""
    make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang", certified_in="quang-nam",
                 issued_on=date(YEAR - 1, 3, 1))
    make_product(session, province_slug="da-nang", issued_on=date(YEAR - 3, 12, 1), level="huyen")
    make_product(session, province_slug="ha-noi", issued_on=date(YEAR - 1, 3, 1), revoked_on=date(YEAR, 1, 1))
    make_product(session, province_slug="bac-ninh", certified_in="bac-giang", issued_on=date(YEAR - 6, 5, 1),
                 group="thu_cong_my_nghe")
    hidden = make_product(session, name="Sản phẩm đã rút", province_slug="ha-noi",
                          issued_on=date(YEAR - 1, 3, 1))
    hidden.state = ProductState.WITHDRAWN
    session.commit()


def _table(soup: BeautifulSoup, section: str) -> list[list[str]]:
    """The section's data table as text cells, header line first."""
    table = soup.select_one(f"#{section} table")
    assert isinstance(table, Tag)
    return [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]


def _csv(client: TestClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_status_counts_and_every_csv_equals_its_table(client: TestClient, session: Session) -> None:
    _register(session)
    page = client.get("/thong-ke")
    assert page.status_code == 200
    assert [s["id"] for s in BeautifulSoup(page.text, "html.parser").select("section.stat-section")] == list(
        TABLE_NAMES)
    soup = BeautifulSoup(page.text, "html.parser")
    status = {row[0]: row[1] for row in _table(soup, "tinh-trang")[1:]}
    assert status == {"Còn hiệu lực": "2", f"Trong đó hết hiệu lực đến 31/12/{YEAR}": "1",
                      "Hết hiệu lực": "1", "Đã thu hồi": "1", "Tổng cộng": "4"}
    for name in TABLE_NAMES:
        link = soup.select_one(f'#{name} a[href^="/thong-ke/{name}.csv"]')
        assert isinstance(link, Tag), name
        shown = [[cell.replace(".", "") if cell.replace(".", "").isdigit() else cell for cell in row]
                 for row in _table(soup, name)]
        assert _csv(client, str(link["href"])) == shown, name
    assert "Sản phẩm đã rút" not in page.text


def test_provinces_now_and_at_certification(client: TestClient, session: Session) -> None:
    _register(session)
    now = {r[0]: r[1:] for r in _table(BeautifulSoup(client.get("/thong-ke").text, "html.parser"), "tinh")}
    assert now["Đà Nẵng"] == ["2", "2", "2"] and now["Bắc Ninh"] == ["1", "1", "0"] and len(now) == 35
    soup = BeautifulSoup(client.get("/thong-ke?tinh=luc-cap").text, "html.parser")
    then = {r[0]: r[1:] for r in _table(soup, "tinh")[1:]}
    assert then == {"Bắc Giang (nay thuộc Bắc Ninh)": ["1", "1", "0"], "Đà Nẵng": ["1", "1", "1"],
                    "Hà Nội": ["1", "1", "0"], "Quảng Nam (nay thuộc Đà Nẵng)": ["1", "1", "1"]}
    current = soup.select_one('#tinh a[aria-current="page"]')
    assert current is not None and current.get_text(strip=True) == "Tỉnh, thành phố lúc chứng nhận"
    assert _csv(client, "/thong-ke/tinh.csv?tinh=luc-cap")[1][0] == "Bắc Giang (nay thuộc Bắc Ninh)"


def test_charts_are_labelled_svg_and_the_page_is_small(client: TestClient, session: Session) -> None:
    _register(session)
    response = client.get("/thong-ke")
    soup = BeautifulSoup(response.text, "html.parser")
    charts = soup.select("svg.stat-svg")
    assert len(charts) == len(TABLE_NAMES)
    for svg in charts:
        assert svg["role"] == "img" and svg.get("aria-label") and svg.find("title") is not None
        assert str(svg["viewbox"]).startswith("0 0 320 ") and not svg.get("width")
    bars = soup.select("#tinh-trang svg text.stat-value")
    assert [t.get_text() for t in bars] == ["2", "1", "1", "1"]
    assert [t.get_text() for t in soup.select("#tinh-trang svg text.stat-label")][3] == "Đã thu hồi"
    assert not soup.select("[style]")
    assert len(gzip.compress(response.content)) < 20_000  # first load budget 150 KB: the HTML is a small part
    assert soup.select_one('footer a[href="/thong-ke"]') is not None
    open_data = BeautifulSoup(client.get("/du-lieu-mo").text, "html.parser")
    assert open_data.select_one('main a[href="/thong-ke"]') is not None


def test_english_page_formats_numbers_the_english_way(client: TestClient, session: Session) -> None:
    _register(session)
    vi = BeautifulSoup(client.get("/thong-ke").text, "html.parser")
    en = BeautifulSoup(client.get("/en/thong-ke").text, "html.parser")
    assert _table(vi, "so-lieu-cong-bo")[1][1] == "2.934"
    assert _table(en, "so-lieu-cong-bo")[1][1] == "2,934"
    assert en.select_one('a[href="/en/thong-ke?tinh=luc-cap#tinh"]') is not None
    # Files have no English twin: the CSV link stays Vietnamese.
    assert en.select_one('#tinh a[href="/thong-ke/tinh.csv?tinh=hien-tai"]') is not None


@pytest.mark.parametrize("url", ["/thong-ke?tinh=xyz", "/thong-ke?tinh=" + "x" * 10_000,
                                 "/thong-ke/tinh.csv?tinh=xyz", "/en/thong-ke?tinh=luc%20cap"])
def test_bad_province_mode_is_refused_with_a_message(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert "hien-tai" in response.text


@pytest.mark.parametrize("url", ["/thong-ke/khong-co.csv", "/thong-ke/" + "a" * 10_000 + ".csv"])
def test_unknown_table_is_not_found(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 404


def _sheets(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_office_workbook_holds_its_province_only(client: TestClient, session: Session) -> None:
    _register(session)
    office = make_user(session, province_slug="da-nang")
    sign_in(client, office)
    for url in ("/quan-ly/thong-ke.xlsx", "/quan-ly/thong-ke.xlsx?tinh=ha-noi"):  # its own, whatever asked
        response = client.get(url)
        assert response.status_code == 200 and "thong-ke-da-nang-" in response.headers["content-disposition"]
        sheets = _sheets(response.content)
        assert sheets["Thông tin"][1][1] == "Đà Nẵng (gồm cả Quảng Nam trước 01/07/2025)"
        status = {row[0]: row[1] for row in sheets["Tình trạng"][2:]}
        assert status["Còn hiệu lực"] == 2 and status["Đã thu hồi"] == 0 and status["Tổng cộng"] == 2
        provinces = [row[0] for row in sheets["Tỉnh lúc chứng nhận"][2:]]
        assert provinces == ["Đà Nẵng", "Quảng Nam (nay thuộc Đà Nẵng)"]
        assert "Tỉnh hiện nay" not in sheets
    dashboard = BeautifulSoup(client.get("/quan-ly").text, "html.parser").select_one("#statistics-workbook")
    assert dashboard is not None and dashboard["href"] == "/quan-ly/thong-ke.xlsx"


def test_admin_workbook_all_or_one_province(client: TestClient, session: Session) -> None:
    _register(session)
    sign_in(client, make_user(session, role="admin"))
    everything = _sheets(client.get("/quan-ly/thong-ke.xlsx").content)
    assert {row[0]: row[1] for row in everything["Tình trạng"][2:]}["Tổng cộng"] == 4
    assert len(everything["Tỉnh hiện nay"]) == 2 + 34
    dashboard = BeautifulSoup(client.get("/quan-ly?tinh=ha-noi").text, "html.parser")
    link = dashboard.select_one("#statistics-workbook")
    assert link is not None and link["href"] == "/quan-ly/thong-ke.xlsx?tinh=ha-noi"
    ha_noi = _sheets(client.get(str(link["href"])).content)
    assert {row[0]: row[1] for row in ha_noi["Tình trạng"][2:]}["Đã thu hồi"] == 1
    assert [row[0] for row in ha_noi["Tỉnh lúc chứng nhận"][2:]] == ["Hà Nội"]
    for bad in ("xyz", "x" * 10_000):
        assert client.get("/quan-ly/thong-ke.xlsx", params={"tinh": bad}).status_code == 422


def test_workbook_needs_a_signed_in_office(client: TestClient) -> None:
    response = client.get("/quan-ly/thong-ke.xlsx", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/quan-ly/dang-nhap")


def test_an_empty_register_still_has_a_page(client: TestClient) -> None:
    """No certificate yet: zeros, no trend line, every CSV its header line (and zero rows where fixed)."""
    soup = BeautifulSoup(client.get("/thong-ke").text, "html.parser")
    assert {row[0]: row[1] for row in _table(soup, "tinh-trang")[1:]}["Tổng cộng"] == "0"
    assert not soup.select("polyline") and len(_table(soup, "nam-cap")) == 1
    assert len(_csv(client, "/thong-ke/xu-huong.csv")) == 1 and len(_csv(client, "/thong-ke/nhom.csv")) == 5

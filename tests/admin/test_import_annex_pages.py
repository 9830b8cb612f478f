"""An annex-style list uploaded into a round: the round fills the columns the file lacks, messages name
the clerk's columns, dates read dd/mm/yyyy in Vietnam time, the preview fits a phone, and after
publishing the page says so and links the products that still need a photo."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Certificate, ImportBatch, Product
from app.web.templating import vn_date, vn_datetime
from tests.admin.test_rounds import _office, _round, _upload
from tests.factories import csrf_of, make_user, sign_in
from tests.services.sheets import write_table_xlsx

ANNEX = [
    ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG"],
    ["DANH SÁCH SẢN PHẨM CÔNG NGHIỆP NÔNG THÔN TIÊU BIỂU CẤP THÀNH PHỐ NĂM 2025"],
    ["STT", "Tên sản phẩm", "Tên cơ sở", "Ngày cấp", "Điện thoại", "Ghi chú"],
    ["I", "Nhóm sản phẩm chế biến nông, lâm, thủy sản và thực phẩm"],
    [1, "Nước mắm Nam Ô", "Cơ sở Nam Ô", datetime(2025, 12, 3), "0236 3841 234", "Đạt 85 điểm"],
    [2, "Bánh tráng Túy Loan", "Cơ sở Túy Loan", None, "0905 123 456", None],
    ["Nơi nhận:"],
    [None, None, None, "KT. GIÁM ĐỐC"],
]


def _page(client: TestClient, path: Path, round_id: int | None) -> BeautifulSoup:
    """Upload `path` into the round and parse its preview page."""
    response = _upload(client, round_id, path)
    assert response.status_code == 303, response.text
    return BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")


def _texts(row: Tag, selector: str) -> list[str]:
    """The text of each element matching `selector` in the row, spaces squashed."""
    return [" ".join(node.get_text(" ", strip=True).split()) for node in row.select(selector)]


def _row(soup: BeautifulSoup, number: int) -> Tag:
    """The preview table's row for spreadsheet row `number`."""
    found = soup.find("tr", id=f"row-{number}")
    assert isinstance(found, Tag)
    return found


def test_annex_without_level_province_or_date_columns_is_filled_by_the_round(
        client: TestClient, session: Session, tmp_path: Path) -> None:
    selection_round = _round(session)  # Đà Nẵng, cấp tỉnh, decided 01/12/2025
    _office(client, session)
    annex = write_table_xlsx(tmp_path / "phu-luc.xlsx", ANNEX, merges=("A1:F1", "A2:F2", "B4:F4"))
    soup = _page(client, annex, selection_round.id)
    assert soup.find(id="publish-form") is not None, soup.get_text(" ")
    cells = [td.get_text(strip=True) for td in _row(soup, 5).find_all("td")]
    assert cells[:4] == ["Nước mắm Nam Ô", "Cơ sở Nam Ô", "Đà Nẵng", "03/12/2025"]  # a date cell, dd/mm/yyyy
    assert _row(soup, 6).find_all("td")[3].get_text(strip=True) == "01/12/2025"  # the round's decision date
    notes = [li.get_text(" ", strip=True) for li in soup.select("#import-notes li")]
    assert notes[0] == "Bỏ qua 2 dòng tiêu đề phía trên bảng (dòng 1–2)."
    assert "Cảnh báo: Cột F – 'Ghi chú' không dùng, bỏ qua." in notes
    assert notes[-1] == "Cảnh báo: Bỏ qua phần ghi chú và chữ ký dưới bảng (dòng 7–8)."
    token = csrf_of(client, f"/quan-ly/dot-binh-chon/{selection_round.id}")
    batch = session.exec(select(ImportBatch)).one()
    published = client.post(f"/quan-ly/nhap/{batch.id}/xuat-ban", data={"csrf_token": token})
    soup = BeautifulSoup(published.text, "html.parser")
    state = soup.find(id="batch-state")
    assert state is not None
    assert state.get_text(" ", strip=True).startswith("Đã xuất bản 2 sản phẩm của tệp này")
    products = {p.name: p.id for p in session.exec(select(Product)).all()}
    links = {a.get_text(strip=True): a["href"] for a in soup.select("#products-without-photo a")}
    assert links == {name: f"/quan-ly/san-pham/{pid}/anh" for name, pid in products.items()}
    session.expire_all()
    issued = {c.issued_on for c in session.exec(select(Certificate)).all()}
    assert issued == {date(2025, 12, 3), date(2025, 12, 1)}


def test_messages_name_the_clerks_column_once_without_doubled_prefixes(client: TestClient, session: Session,
                                                                       tmp_path: Path) -> None:
    selection_round = _round(session)
    _office(client, session)
    rows = [["STT", "Tên sản phẩm", "Chủ cơ sở", "Nhóm", "Ngày cấp", "ĐT"],
            [1, "Nước mắm Nam Ô", None, "2", "15/12/2025", "12345"],
            [2, "Bánh tráng", "Cơ sở B", "Nhóm gì đó", "Năm 2024", "0905 123 456"]]
    soup = _page(client, write_table_xlsx(tmp_path / "loi.xlsx", rows), selection_round.id)
    first = _texts(_row(soup, 2), "li")
    assert "Lỗi – cột C – Chủ cơ sở: Thiếu giá trị bắt buộc." in first
    second = _texts(_row(soup, 3), "li.problem--error")
    assert any(m.startswith("Lỗi – cột D – Nhóm: Không rõ nhóm sản phẩm 'Nhóm gì đó'") for m in second)
    assert any(m.startswith("Lỗi – cột E – Ngày cấp: 'Năm 2024' (năm 2024) không chứa ngày 01/12/2025")
               for m in second)
    text = soup.get_text(" ", strip=True)
    for doubled in ("Lỗi: Lỗi", "Lỗi Lỗi", "Lỗi – Lỗi", "Tệp loi.xlsx: Tệp", "producer_name", "issued_on"):
        assert doubled not in text
    # The preview's table scrolls in its own box, so a 390 px phone never scrolls the page sideways.
    table = soup.find("table", id="preview-rows")
    assert isinstance(table, Tag) and "table-scroll" in (table.parent.get("class") or [])  # type: ignore[union-attr]


def test_a_file_missing_a_column_the_round_cannot_fill_says_how_to_fix(client: TestClient, session: Session,
                                                                       tmp_path: Path) -> None:
    selection_round = _round(session)
    _office(client, session)
    rows = [["Tên sản phẩm", "Tên cơ sở", "Ngày cấp"], ["Nước mắm Nam Ô", "Cơ sở Nam Ô", "15/12/2025"]]
    soup = _page(client, write_table_xlsx(tmp_path / "thieu.xlsx", rows), selection_round.id)
    errors = [p.get_text(" ", strip=True) for p in soup.select("p.notice--error")]
    assert errors == ["Lỗi của tệp: Thiếu cột Nhóm sản phẩm: thêm cột này (xem mẫu danh sách)."]
    assert soup.find(id="publish-form") is None


def test_import_times_show_vietnams_day_not_the_utc_one(client: TestClient, session: Session,
                                                        tmp_path: Path) -> None:
    late = datetime(2025, 12, 14, 18, 30, tzinfo=UTC)  # 01:30 on 15/12/2025 in Hà Nội
    assert vn_date(late) == "15/12/2025" and vn_datetime(late) == "01:30 15/12/2025"
    assert vn_date(late.replace(tzinfo=None)) == "15/12/2025"  # SQLite hands back naive UTC
    selection_round = _round(session)
    user = make_user(session, province_slug="da-nang")
    sign_in(client, user)
    batch = ImportBatch(user_id=user.id, round_id=selection_round.id, province_id=selection_round.province_id,
                        filename="ds.xlsx", stored_path=str(tmp_path / "ds.xlsx"),
                        state="published", created_at=late, published_at=late, summary="{}")
    session.add(batch)
    session.commit()
    round_page = BeautifulSoup(client.get(f"/quan-ly/dot-binh-chon/{selection_round.id}").text, "html.parser")
    cells = [td.get_text(strip=True) for td in round_page.select("#batches tbody td")]
    assert "01:30 15/12/2025" in cells
    preview = BeautifulSoup(client.get(f"/quan-ly/nhap/{batch.id}").text, "html.parser")
    state = preview.find(id="batch-state")
    assert state is not None and "lúc 01:30 15/12/2025" in state.get_text(" ", strip=True)

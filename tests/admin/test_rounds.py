"""Rounds and browser imports: who may open which round, preview with errors and warnings, publish once."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlmodel import Session, select

from app.config import Settings
from app.domain.provinces import all_provinces
from app.files.spreadsheet import read_spreadsheet
from app.models import AuditEntry, Certificate, ImportBatch, OutboxEvent, Product, SelectionRound
from tests.factories import csrf_of, make_producer, make_product, make_user, province, sign_in
from tests.services.sheets import row, write_csv, write_xlsx


def _round(session: Session, *, slug: str = "da-nang", level: str = "tinh",
           year: int = 2025) -> SelectionRound:
    """A local round of `slug`."""
    created = SelectionRound(level=level, year=year, province_id=province(session, slug).id,
                             decision_number="99/QĐ-UBND", decision_date=date(year, 12, 1))
    session.add(created)
    session.commit()
    return created


def _office(client: TestClient, session: Session, slug: str = "da-nang") -> None:
    """Sign `client` in as the office of `slug`."""
    sign_in(client, make_user(session, province_slug=slug))


def _upload(client: TestClient, round_id: int | None, path: Path, *, token: str | None = None) -> Response:
    """Post a spreadsheet to the round's upload form."""
    data = {"csrf_token": token or csrf_of(client, "/quan-ly/dot-binh-chon")}
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    url = f"/quan-ly/dot-binh-chon/{round_id}/nhap"
    return client.post(url, data=data, files=files, follow_redirects=False)


def _danang(**values: object) -> dict[str, object]:
    """A valid row for a provincial round of Đà Nẵng in 2025."""
    base = {"province": "Đà Nẵng", "issued_on": "15/12/2025", "product_name": "Nước mắm Nam Ô",
            "producer_name": "Cơ sở Nam Ô", "certificate_number": "01/GCN-SCT"}
    base.update(values)
    return row(**base)


def _cells(page: str, batch_row: int) -> str:
    """The problems cell text of one spreadsheet row in the preview table."""
    soup = BeautifulSoup(page, "html.parser")
    tr = soup.find("tr", id=f"row-{batch_row}")
    assert tr is not None, page
    return tr.get_text(" ", strip=True)


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    for path in ("/quan-ly/dot-binh-chon", "/quan-ly/dot-binh-chon/moi", "/quan-ly/mau-danh-sach.xlsx",
                 "/quan-ly/dot-binh-chon/1", "/quan-ly/nhap/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 302 and "/quan-ly/dang-nhap" in response.headers["location"]


def test_office_creates_a_round_of_its_own_province(client: TestClient, session: Session) -> None:
    _office(client, session)
    token = csrf_of(client, "/quan-ly/dot-binh-chon/moi")
    data = {"csrf_token": token, "level": "tinh", "year": "2025", "province": "da-nang",
            "organiser": "Sở Công Thương Đà Nẵng", "decision_number": "12/QĐ-UBND",
            "decision_date": "10/12/2025"}
    response = client.post("/quan-ly/dot-binh-chon/moi", data=data, follow_redirects=False)
    assert response.status_code == 303
    created = session.exec(select(SelectionRound)).one()
    assert created.decision_date == date(2025, 12, 10) and created.level == "tinh"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "12/QĐ-UBND ngày 10/12/2025" in BeautifulSoup(page.text, "html.parser").text
    listing = BeautifulSoup(client.get("/quan-ly/dot-binh-chon").text, "html.parser")
    assert listing.select("#rounds tbody tr")
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "round.create")).one()


def test_round_form_errors_are_per_field_in_vietnamese(client: TestClient, session: Session) -> None:
    _office(client, session)
    data = {"csrf_token": csrf_of(client, "/quan-ly/dot-binh-chon/moi"), "level": "tinh", "year": "hai nghìn",
            "province": "da-nang", "decision_date": "31/02/2025"}
    response = client.post("/quan-ly/dot-binh-chon/moi", data=data)
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert "Năm phải là số" in soup.select_one("#year-error").text  # type: ignore[union-attr]
    assert "không tồn tại" in soup.select_one("#decision_date-error").text  # type: ignore[union-attr]
    assert session.exec(select(SelectionRound)).first() is None


def test_office_may_not_open_rounds_elsewhere_or_nationally(client: TestClient, session: Session) -> None:
    _office(client, session)
    token = csrf_of(client, "/quan-ly/dot-binh-chon/moi")
    other = client.post("/quan-ly/dot-binh-chon/moi",
                        data={"csrf_token": token, "level": "tinh", "year": "2025", "province": "ha-noi"})
    national = client.post("/quan-ly/dot-binh-chon/moi", data={"csrf_token": token, "level": "quoc_gia",
                                                                "year": "2025"})
    assert other.status_code == 404 and national.status_code == 403
    assert session.exec(select(SelectionRound)).first() is None


def test_rounds_of_another_province_are_not_found(client: TestClient, session: Session) -> None:
    hanoi = _round(session, slug="ha-noi")
    former = _round(session, slug="quang-nam", year=2024)  # merged into Đà Nẵng
    _office(client, session)
    assert client.get(f"/quan-ly/dot-binh-chon/{hanoi.id}").status_code == 404
    assert client.get(f"/quan-ly/dot-binh-chon/{former.id}").status_code == 200
    listing = client.get("/quan-ly/dot-binh-chon").text
    assert f"/quan-ly/dot-binh-chon/{former.id}" in listing
    assert f"/quan-ly/dot-binh-chon/{hanoi.id}" not in listing


def test_preview_shows_errors_and_warnings_then_publish(client: TestClient, session: Session,
                                                      settings: Settings, tmp_path: Path) -> None:
    selection_round = _round(session)
    producer = make_producer(session, name="Cơ sở Nam Ô", province_slug="da-nang")
    make_product(session, name="Nước mắm Nam Ô", producer=producer, province_slug="da-nang", level="tinh",
                 issued_on=date(2023, 12, 15))
    session.commit()
    _office(client, session)
    bad = write_xlsx(tmp_path / "ds.xlsx", [
        _danang(), _danang(product_name="Bánh tráng", level="huyện", issued_on="2024-03-01"),
        _danang(product_name="Chả cá", province="Hà Nội"),
        _danang(product_name="Mực khô", issued_on="01/01/2026", phone=None, email=None, website=None,
                province=None),
    ])
    response = _upload(client, selection_round.id, bad)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "cột B – level" in _cells(page, 3) and "khác cấp của đợt" in _cells(page, 3)
    assert "Hà Nội khác tỉnh của đợt" in _cells(page, 4)
    assert "ngoài năm của đợt" in _cells(page, 5) and "chưa có địa chỉ" in _cells(page, 5)
    assert "lấy tỉnh của đợt" in _cells(page, 5) and "chưa có ảnh" in _cells(page, 2)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("form", id="publish-form") is None
    batch = session.exec(select(ImportBatch)).one()
    assert batch.state == "preview" and batch.errors == 2 and Path(batch.stored_path).is_file()
    assert Path(batch.stored_path).is_relative_to(settings.data_dir / "private" / "imports")
    token = csrf_of(client, f"/quan-ly/nhap/{batch.id}")
    refused = client.post(f"/quan-ly/nhap/{batch.id}/xuat-ban", data={"csrf_token": token})
    assert refused.status_code == 422 and "còn lỗi" in refused.text

    good = write_csv(tmp_path / "ds.csv",
                     [_danang(), _danang(product_name="Mực khô", producer_name="Cơ sở Mực")])
    response = _upload(client, selection_round.id, good)
    session.expire_all()
    assert session.get(ImportBatch, batch.id).state == "discarded"  # type: ignore[union-attr]
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/quan-ly/nhap/{new_id}").text
    assert "đã có giấy chứng nhận cấp tỉnh" in _cells(page, 2)
    published = client.post(f"/quan-ly/nhap/{new_id}/xuat-ban", data={"csrf_token": token},
                            follow_redirects=False)
    assert published.status_code == 303
    session.expire_all()
    certs = session.exec(select(Certificate).where(Certificate.round_id == selection_round.id)).all()
    assert len(certs) == 2 and {c.issued_on for c in certs} == {date(2025, 12, 15)}
    assert session.exec(select(Product).where(Product.name == "Mực khô")).one()
    assert session.exec(select(OutboxEvent)).first() is None  # applied after commit
    stored = session.get(ImportBatch, new_id)
    assert stored is not None and stored.state == "published" and stored.published_at is not None
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "import.publish")).one()
    assert json.loads(audit.after or "{}")["certificates"]["created"] == 2
    hits = client.get("/api/v1/products", params={"q": "muc kho"}).json()
    assert any(hit["name"] == "Mực khô" for hit in hits["hits"])
    again = client.post(f"/quan-ly/nhap/{new_id}/xuat-ban", data={"csrf_token": token},
                        follow_redirects=False)  # a second click: the published batch again
    assert again.status_code == 303 and again.headers["location"] == f"/quan-ly/nhap/{new_id}"
    assert len(session.exec(select(Certificate)).all()) == 3
    assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "import.publish")).all()) == 1


def test_publish_without_csrf_is_refused(client: TestClient, session: Session, tmp_path: Path) -> None:
    selection_round = _round(session)
    _office(client, session)
    response = _upload(client, selection_round.id, write_csv(tmp_path / "a.csv", [_danang()]))
    batch_id = response.headers["location"].rsplit("/", 1)[1]
    assert client.post(f"/quan-ly/nhap/{batch_id}/xuat-ban", data={}).status_code == 403
    assert _upload(client, selection_round.id, tmp_path / "a.csv", token="sai").status_code == 403
    assert session.exec(select(Certificate)).first() is None


def test_malformed_file_gives_a_clear_message_and_stores_nothing(client: TestClient, session: Session,
                                                                 settings: Settings, tmp_path: Path) -> None:
    selection_round = _round(session)
    _office(client, session)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    headers = write_csv(tmp_path / "cot.csv", [{"ten": "x"}], headers=("ten",))
    for path in (broken, headers, tmp_path / "ghi-chu.txt"):
        if not path.exists():
            path.write_text("ghi chú", encoding="utf-8")
        response = _upload(client, selection_round.id, path)
        assert response.status_code == 422
        message = BeautifulSoup(response.text, "html.parser").select_one("#file-error")
        assert message is not None and message.text.strip()
    assert session.exec(select(ImportBatch)).first() is None
    folder = settings.data_dir / "private" / "imports"
    assert not folder.exists() or not any(folder.iterdir())


def test_batch_of_another_office_is_not_found(client: TestClient, session: Session, tmp_path: Path) -> None:
    selection_round = _round(session)
    _office(client, session)
    response = _upload(client, selection_round.id, write_csv(tmp_path / "a.csv", [_danang()]))
    batch_url = response.headers["location"]
    client.cookies.clear()
    _office(client, session, slug="ha-noi")
    assert client.get(batch_url).status_code == 404
    token = csrf_of(client, "/quan-ly/dot-binh-chon")
    assert client.post(f"{batch_url}/xuat-ban", data={"csrf_token": token}).status_code == 404
    assert _upload(client, selection_round.id, tmp_path / "a.csv").status_code == 404


def test_template_has_headers_lists_and_a_guide(client: TestClient, session: Session, tmp_path: Path) -> None:
    _office(client, session)
    response = client.get("/quan-ly/mau-danh-sach.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Danh sách", "Danh mục", "Hướng dẫn"]
    assert workbook["Danh mục"].sheet_state == "hidden"
    sheet = workbook["Danh sách"]
    assert sheet["H1"].value == "Tên sản phẩm (product_name)"
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"Cấp huyện,Cấp xã,Cấp tỉnh,Cấp khu vực,Cấp quốc gia"' in formulas
    assert any(f.startswith("'Danh mục'!$C$2:$C$") for f in formulas)  # provinces: too long to inline
    assert any(f.startswith("'Danh mục'!$B$2:$B$") for f in formulas)  # groups: labels contain commas
    assert len([c for c in workbook["Danh mục"]["C"] if c.value]) == 1 + len(all_provinces())
    saved = tmp_path / "mau.xlsx"
    saved.write_bytes(response.content)
    assert read_spreadsheet(saved).rows[0].values["product_name"].startswith("Nước mắm Nam Ô")


def _round_rows(client: TestClient, url: str) -> list[tuple[str, str]]:
    """(year, place) of every row of the round list at `url`."""
    soup = BeautifulSoup(client.get(url).text, "html.parser")
    found = []
    for tr in soup.select("#rounds tbody tr"):
        cells = [" ".join(td.get_text().split()) for td in tr.find_all("td")]
        found.append((cells[0], cells[2]))
    return found


def test_admin_filters_rounds_by_province_and_sees_each_place(client: TestClient, session: Session) -> None:
    for slug, year in (("da-nang", 2025), ("quang-nam", 2023), ("ha-noi", 2024)):
        session.add(SelectionRound(level="tinh", year=year, province_id=province(session, slug).id))
    session.add(SelectionRound(level="quoc_gia", year=2025))
    product = make_product(session, province_slug="ha-noi")
    session.commit()
    sign_in(client, make_user(session, role="admin"))
    everything = _round_rows(client, "/quan-ly/dot-binh-chon")
    assert sorted(everything) == [("2023", "Quảng Nam"), ("2024", "Hà Nội"), ("2025", "Toàn quốc"),
                                  ("2025", "Đà Nẵng")]
    soup = BeautifulSoup(client.get("/quan-ly/dot-binh-chon").text, "html.parser")
    form = soup.select_one("form#rounds-filter")
    assert form is not None and form.get("method") == "get"
    options = {str(o["value"]): o.get_text() for o in form.select("select[name=tinh] option")}
    assert options["da-nang"] == "Đà Nẵng" and "quang-nam" not in options  # current provinces only
    da_nang = _round_rows(client, "/quan-ly/dot-binh-chon?tinh=da-nang")
    assert da_nang == [("2025", "Đà Nẵng"), ("2023", "Quảng Nam")]  # with the former province merged in
    assert _round_rows(client, "/quan-ly/dot-binh-chon?tinh=ha-noi") == [("2024", "Hà Nội")]
    assert len(_round_rows(client, "/quan-ly/dot-binh-chon?tinh=khong-co")) == 4  # unknown: not filtered
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    page = BeautifulSoup(client.get(f"/quan-ly/giay-chung-nhan/{cert.id}").text, "html.parser")
    labels = [o.get_text() for o in page.select("select[name=round_id] option") if o.get("value")]
    assert [label.split(":")[0] for label in labels] == ["Đà Nẵng", "Hà Nội", "Quảng Nam"]


def test_office_sees_no_province_filter(client: TestClient, session: Session) -> None:
    _office(client, session)
    soup = BeautifulSoup(client.get("/quan-ly/dot-binh-chon").text, "html.parser")
    assert soup.select_one("form#rounds-filter") is None

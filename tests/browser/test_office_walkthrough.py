"""An office's whole round in a real browser, on a phone-sized screen: upload a winners list laid out
as a decision annex (titles, STT, a group sub-header row, a footnote; no level, province or date
columns: the round fills them), read the preview, publish, add the photos by file name, then read a
misuse report and take it to closed, the reporter told the outcome by e-mail (an .eml file here)."""

from __future__ import annotations

import email
import email.policy
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.config import Settings
from app.models import MisuseReport, SelectionRound
from tests.browser.conftest import PHONE, Seeder, sign_in
from tests.browser.seeds import photo_bytes
from tests.factories import TEST_PASSWORD, make_product, make_user, province
from tests.services.sheets import write_table_xlsx

pytestmark = pytest.mark.browser

ANNEX = [
    ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["SỞ CÔNG THƯƠNG", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH SẢN PHẨM CÔNG NGHIỆP NÔNG THÔN TIÊU BIỂU CẤP TỈNH NĂM 2025"],
    ["STT", "Tên sản phẩm, bộ sản phẩm", "Tên cơ sở/chủ cơ sở", "Địa chỉ", "Tổng điểm", "Ghi chú"],
    ["I", "Nhóm sản phẩm thủ công mỹ nghệ"],
    [1, "Chiếu cói Cẩm Lệ", "Cơ sở chiếu cói Cẩm Lệ", "Phường Hòa Xuân", 81, None],
    [2, "Đá mỹ nghệ Non Nước", "HTX đá mỹ nghệ Non Nước", "Phường Hòa Hải", 86, "Bộ tượng"],
    [],
    ["Danh sách gồm 02 sản phẩm./."],
    [None, None, None, None, "KT. GIÁM ĐỐC"],
]
MERGES = ("A1:D1", "E1:F1", "A4:F4", "B6:F6", "A10:F10")
DECISION_DAY = date(2025, 12, 15)


@dataclass(slots=True)
class Seeded:
    """The Đà Nẵng office, its round for 2025 and a misuse report with an e-mail to answer."""

    email: str = ""
    round_id: int = 0
    report_id: int = 0


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """A provincial round of Đà Nẵng with its decision, an office, a report about a product there."""
    def seed(session: Session, settings: Settings) -> None:
        da_nang = province(session, "da-nang")
        selection_round = SelectionRound(level="tinh", year=2025, province_id=da_nang.id,
                                         decision_number="2345/QĐ-UBND", decision_date=DECISION_DAY)
        product = make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang")
        session.add(selection_round)
        report = MisuseReport(product_id=product.id, province_id=da_nang.id, reported_code="NAMO-2468",
                              where_bought="Chợ Cồn, Đà Nẵng", details="Nhãn in mờ, không có mã QR.",
                              contact="Chị Lan, lan.nguoimua@vi-du.example",
                              created_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
        session.add(report)
        session.commit()
        assert selection_round.id is not None and report.id is not None
        seeded.round_id, seeded.report_id = selection_round.id, report.id
        seeded.email = make_user(session, province_slug="da-nang").email
    return seed


def _fits(page: Page) -> None:
    """Nothing on the page makes it scroll sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width} px"


def _upload_and_publish(page: Page, base: str, seeded: Seeded, annex: Path) -> None:
    """The annex into the round: the preview explains how it was read, then publishing."""
    page.goto(f"{base}/quan-ly/dot-binh-chon/{seeded.round_id}")
    page.get_by_label("Danh sách sản phẩm đạt giải", exact=False).set_input_files(str(annex))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("h1")).to_have_text("Xem trước: phu-luc-quyet-dinh.xlsx")
    expect(page.locator("#batch-state")).to_contain_text("Không có lỗi")
    notes = page.locator("#import-notes")
    expect(notes).to_contain_text("Bỏ qua 4 dòng tiêu đề phía trên bảng (dòng 1–4).")
    expect(notes).to_contain_text("Cột F – 'Ghi chú' không dùng, bỏ qua.")
    rows = page.locator("#preview-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Chiếu cói Cẩm Lệ")
    expect(rows.first).to_contain_text("15/12/2025")  # the round's decision date, as dd/mm/yyyy
    _fits(page)
    page.get_by_role("button", name="Xuất bản").click()
    expect(page.locator("#batch-state")).to_contain_text("Đã xuất bản 2 sản phẩm")
    without_photo = page.locator("#products-without-photo li")
    expect(without_photo).to_have_count(2)
    _fits(page)


def _photos_by_file_name(page: Page, base: str, tmp_path: Path) -> None:
    """Photos named after the products, in a zip, matched and attached; seen on the public page."""
    archive = tmp_path / "anh-dot-2025.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("anh/chieu-coi-cam-le.jpg", photo_bytes(color=(180, 150, 60)))
        bundle.writestr("anh/Đá mỹ nghệ Non Nước.jpg", photo_bytes(color=(120, 120, 130)))
    page.goto(f"{base}/quan-ly/anh-hang-loat")
    page.get_by_label("Chọn ảnh hoặc tệp .zip", exact=False).set_input_files(str(archive))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    rows = page.locator("#bulk-files tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="chieu-coi-cam-le.jpg")).to_contain_text("Chiếu cói Cẩm Lệ")
    expect(rows.filter(has_text="Đá mỹ nghệ Non Nước.jpg")).to_contain_text("Đá mỹ nghệ Non Nước")
    page.get_by_role("button", name="Gắn 2 ảnh vào sản phẩm").click()
    expect(page.locator("#bulk-result")).to_contain_text("Đã thêm 2 ảnh cho 2 sản phẩm")
    page.goto(f"{base}/san-pham?q=chieu+coi+cam+le")
    page.get_by_role("link", name="Chiếu cói Cẩm Lệ").first.click()
    expect(page.locator("main img[alt='Chiếu cói Cẩm Lệ']").first).to_be_visible()


def _handle_report(page: Page, base: str, seeded: Seeded) -> None:
    """From the navigation's open count to a closed report, each move with its note."""
    page.goto(f"{base}/quan-ly")
    page.locator("#nav-reports").click()
    expect(page.locator("h1")).to_contain_text("Báo cáo vi phạm")
    page.get_by_role("link", name="NAMO-2468").first.click()
    expect(page.locator("h1")).to_have_text(f"Báo cáo vi phạm số {seeded.report_id}")
    expect(page.locator("main")).to_contain_text("Nhãn in mờ, không có mã QR.")
    _fits(page)
    page.get_by_role("button", name="Bắt đầu xác minh").click()
    expect(page.locator("#report-state")).to_have_text("Đang xác minh")
    page.get_by_label("Ghi chú khi chuyển sang “Xác nhận vi phạm”", exact=False).fill(
        "Cơ sở xác nhận không sản xuất lô hàng này; đã báo quản lý thị trường.")
    page.get_by_role("button", name="Kết luận: xác nhận vi phạm").click()
    expect(page.locator("#report-state")).to_have_text("Xác nhận vi phạm")
    page.get_by_role("button", name="Đóng báo cáo").click()
    expect(page.locator("#report-state")).to_have_text("Đã đóng")
    expect(page.locator(".report-history li")).to_have_count(3)


def _outcome_mail(mail_dir: Path) -> email.message.EmailMessage:
    """The one .eml the sender writes after the finding's commit (it runs in the background)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not list(mail_dir.glob("*.eml")):
        time.sleep(0.1)
    files = list(mail_dir.glob("*.eml"))
    assert len(files) == 1, files
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_an_office_runs_a_round_and_closes_a_report_on_a_phone(
    browser: Browser, live_server: str, live_settings: Settings, seeded: Seeded, tmp_path: Path
) -> None:
    annex = write_table_xlsx(tmp_path / "phu-luc-quyet-dinh.xlsx", ANNEX, merges=MERGES)
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server, seeded.email, TEST_PASSWORD)
        _upload_and_publish(page, live_server, seeded, annex)
        _photos_by_file_name(page, live_server, tmp_path)
        _handle_report(page, live_server, seeded)
    finally:
        context.close()
    message = _outcome_mail(live_settings.data_dir / "mail")
    assert message["To"] == "lan.nguoimua@vi-du.example"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Xác nhận vi phạm" in body.get_content()

"""axe-core finds no WCAG 2.0/2.1 A or AA violation in the office workspace, signed in as a provincial
office (the audit log as an administrator), including its forms shown with their errors and its
application and claim pages; Tab visits every control of each page in page order with a visible focus
ring; the pages that list and show reports, applications and claims fit a 320 px screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Seeder, sign_in
from tests.browser.focus import tab_through
from tests.browser.seeds import Seeded, seed_producers, seed_variety
from tests.factories import TEST_PASSWORD
from tests.services.sheets import row, write_xlsx

pytestmark = pytest.mark.browser

# (path with {seeded} fields, text of the page's h1)
OFFICE_PAGES = {
    "dashboard": ("/quan-ly", "Tổng quan"),
    "rounds": ("/quan-ly/dot-binh-chon", "Đợt bình chọn"),
    "round-new": ("/quan-ly/dot-binh-chon/moi", "Tạo đợt bình chọn"),
    "round-detail": ("/quan-ly/dot-binh-chon/{round_id}", "2024"),
    "round-call": ("/quan-ly/dot-binh-chon/{round_id}/goi-ho-so", "Sửa thông báo nhận hồ sơ"),
    "records": ("/quan-ly/san-pham", "Sản phẩm"),
    "product-edit": ("/quan-ly/san-pham/{product_id}", "Sửa sản phẩm"),
    "certificate-edit": ("/quan-ly/giay-chung-nhan/{certificate_id}", "Giấy chứng nhận"),
    "photos": ("/quan-ly/san-pham/{product_id}/anh", "Ảnh sản phẩm: Nước mắm Nam Ô"),
    "password": ("/quan-ly/mat-khau", "Đổi mật khẩu"),
    "reports": ("/quan-ly/bao-cao", "Báo cáo vi phạm"),
    "report": ("/quan-ly/bao-cao/{report_id}", "Báo cáo vi phạm số"),
    "corrections": ("/quan-ly/bao-sai", "Báo thông tin sai"),
    "correction": ("/quan-ly/bao-sai/{correction_id}", "Báo thông tin sai số"),
    "bulk-photos": ("/quan-ly/anh-hang-loat", "Tải ảnh hàng loạt"),
    "round-applications": ("/quan-ly/dot-binh-chon/{open_round_id}/ho-so", "Hồ sơ đăng ký bình chọn"),
    "application": ("/quan-ly/ho-so/{application_id}", "Hồ sơ số {application_id}: Chả bò Đà Nẵng"),
    "claims": ("/quan-ly/yeu-cau-nhan-co-so", "Yêu cầu nhận cơ sở"),
    "claim": ("/quan-ly/yeu-cau-nhan-co-so/{claim_id}", "Yêu cầu nhận cơ sở số {claim_id}"),
}
NARROW_PAGES = ("reports", "report", "round-applications", "application", "claims", "claim")


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """A Đà Nẵng round with a winner and a photo, an office and an administrator account, an open round
    with a submitted application, a pending claim."""
    def seed(session: Session, settings: Settings) -> None:
        seed_variety(session, settings, seeded)
        seed_producers(session, seeded)
    return seed


def _session_of(browser: Browser, base: str, email: str) -> dict[str, Any]:
    """Sign in once through the real form; later pages reuse its cookies (20 sign-ins per 15 min)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, base, email, TEST_PASSWORD)
        state: dict[str, Any] = context.storage_state()  # type: ignore[assignment]
    finally:
        context.close()
    return state


@pytest.fixture(scope="module")
def office_state(browser: Browser, live_server: str, seeded: Seeded) -> dict[str, Any]:
    """Cookies of the Đà Nẵng office, signed in."""
    return _session_of(browser, live_server, seeded.office_email)


@pytest.fixture
def office(open_page: Callable[..., Page], office_state: dict[str, Any]) -> Page:
    """A desktop page signed in as the Đà Nẵng office; CSP bypassed to inject axe."""
    return open_page(viewport={"width": 1280, "height": 800}, bypass_csp=True, storage_state=office_state)


def test_login_page_and_its_error_have_no_accessibility_violation(desktop: Page, live_server: str) -> None:
    desktop.goto(f"{live_server}/quan-ly/dang-nhap")
    expect(desktop.locator("h1")).to_have_text("Đăng nhập khu vực quản lý")
    assert_accessible(desktop)
    desktop.get_by_label("Email").fill("khong-co@vi-du.example")
    desktop.get_by_label("Mật khẩu").fill("sai-mat-khau-123")
    desktop.get_by_role("button", name="Đăng nhập").click()
    expect(desktop.locator("#login-error")).to_be_visible()
    assert_accessible(desktop)


@pytest.mark.parametrize("name", list(OFFICE_PAGES))
def test_office_page_has_no_accessibility_violation(office: Page, live_server: str, seeded: Seeded,
                                                    name: str) -> None:
    path, heading = OFFICE_PAGES[name]
    response = office.goto(live_server + path.format(**asdict(seeded)))
    assert response is not None and response.status == 200
    expect(office.locator(".admin-nav")).to_be_visible()
    expect(office.locator("h1")).to_have_count(1)
    expect(office.locator("h1")).to_contain_text(heading.format(**asdict(seeded)))
    assert_accessible(office)


@pytest.mark.parametrize("name", list(OFFICE_PAGES))
def test_every_focus_stop_shows_a_ring_in_page_order(office: Page, live_server: str, seeded: Seeded,
                                                     name: str) -> None:
    path, heading = OFFICE_PAGES[name]
    office.goto(live_server + path.format(**asdict(seeded)))
    expect(office.locator("h1")).to_contain_text(heading.format(**asdict(seeded)))
    assert tab_through(office) >= 10  # skip link, header, the office menu, the page's controls


def test_new_round_form_with_errors_has_no_accessibility_violation(office: Page, live_server: str) -> None:
    office.goto(f"{live_server}/quan-ly/dot-binh-chon/moi")
    office.get_by_label("Năm").fill("19")
    office.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill("31/02/2025")
    office.get_by_role("button", name="Tạo đợt").click()
    expect(office.get_by_role("alert").first).to_contain_text("Vui lòng sửa")
    expect(office.get_by_label("Năm")).to_have_attribute("aria-invalid", "true")
    assert_accessible(office)


def test_upload_preview_with_an_error_row_has_no_accessibility_violation(
    office: Page, live_server: str, seeded: Seeded, tmp_path: Path
) -> None:
    sheet = write_xlsx(tmp_path / "danh-sach.xlsx", [
        row(province="Đà Nẵng", product_name="Bánh tráng Túy Loan", producer_name="Cơ sở Túy Loan"),
        row(province="Hà Nội", product_name="Mực một nắng", producer_name="Cơ sở Mực"),
    ])
    office.goto(f"{live_server}/quan-ly/dot-binh-chon/{seeded.round_id}")
    upload_label = "Danh sách sản phẩm đạt giải (.xlsx, .csv, .xls, .ods hoặc .docx)"
    office.get_by_label(upload_label).set_input_files(str(sheet))
    office.get_by_role("button", name="Tải lên và xem trước").click()
    expect(office).to_have_url(re.compile(r"/quan-ly/nhap/\d+$"))
    expect(office.locator("#row-3 .problem--error")).to_contain_text("Hà Nội")
    assert_accessible(office)


def test_photo_upload_errors_have_no_accessibility_violation(office: Page, live_server: str, seeded: Seeded,
                                                             tmp_path: Path) -> None:
    not_a_photo = tmp_path / "ghi-chu.jpg"
    not_a_photo.write_text("không phải ảnh")
    office.goto(f"{live_server}/quan-ly/san-pham/{seeded.product_id}/anh")
    office.get_by_label("Chọn ảnh (có thể chọn nhiều ảnh cùng lúc)").set_input_files(str(not_a_photo))
    office.get_by_role("button", name="Tải ảnh lên").click()
    expect(office.locator("#upload-errors")).to_contain_text("ghi-chu.jpg")
    assert_accessible(office)


def test_audit_log_has_no_accessibility_violation(browser: Browser, open_page: Callable[..., Page],
                                                  live_server: str, seeded: Seeded) -> None:
    admin = open_page(viewport={"width": 1280, "height": 800}, bypass_csp=True,
                      storage_state=_session_of(browser, live_server, seeded.admin_email))
    admin.goto(f"{live_server}/quan-ly/nhat-ky")
    expect(admin.locator("h1")).to_have_text("Nhật ký thay đổi")
    expect(admin.locator(".audit-entry").first).to_be_visible()
    assert_accessible(admin)


@pytest.mark.parametrize("name", NARROW_PAGES)
def test_report_application_and_claim_pages_fit_a_320_px_screen(
        open_page: Callable[..., Page], office_state: dict[str, Any], live_server: str, seeded: Seeded,
        name: str) -> None:
    path, heading = OFFICE_PAGES[name]
    phone = open_page(viewport={"width": 320, "height": 640}, storage_state=office_state)
    response = phone.goto(live_server + path.format(**asdict(seeded)))
    assert response is not None and response.status == 200
    expect(phone.locator("h1")).to_contain_text(heading.format(**asdict(seeded)))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll


@pytest.mark.parametrize("width", [320, 390])
def test_upload_preview_fits_a_phone(open_page: Callable[..., Page], office_state: dict[str, Any],
                                     live_server: str, seeded: Seeded, tmp_path: Path, width: int) -> None:
    """The preview of an uploaded list shows one block per row on a phone (row, product, producer, province,
    date, problems, each labelled): neither the page nor the table's own box scrolls sideways (the table
    was 640 px wide in a scrolling box, its caption cut off)."""
    sheet = write_xlsx(tmp_path / "danh-sach.xlsx", [
        row(province="Đà Nẵng", product_name="Bánh tráng Túy Loan", producer_name="Cơ sở Túy Loan",
            certificate_number="1234/QĐ-UBND-SCT-2024-TUYLOAN",
            email="lien-he-ban-hang-xuat-khau@hop-tac-xa-banh-trang-tuy-loan.example",
            website="https://hop-tac-xa-banh-trang-tuy-loan.example/san-pham/banh-trang-phoi-suong-dac-biet"),
        row(province="Hà Nội", product_name="Mực một nắng", producer_name="Cơ sở Mực"),
    ])
    phone = open_page(viewport={"width": width, "height": 800}, storage_state=office_state)
    phone.goto(f"{live_server}/quan-ly/dot-binh-chon/{seeded.round_id}")
    upload_label = "Danh sách sản phẩm đạt giải (.xlsx, .csv, .xls, .ods hoặc .docx)"
    phone.get_by_label(upload_label).set_input_files(str(sheet))
    phone.get_by_role("button", name="Tải lên và xem trước").click()
    expect(phone).to_have_url(re.compile(r"/quan-ly/nhap/\d+$"))
    expect(phone.locator("#row-3 .problem--error")).to_contain_text("Hà Nội")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    box = phone.locator(".table-scroll").filter(has=phone.locator("#preview-rows"))
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth")
    expect(phone.get_by_role("cell", name="Sản phẩm: Bánh tráng Túy Loan")).to_be_visible()  # labelled

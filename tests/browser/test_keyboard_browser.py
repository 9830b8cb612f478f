"""Keyboard only (Tab, Shift+Tab, Enter, Space): the skip link, the search box, facets, paging, the lookup
and report forms, the office sign-in and upload. Every stop shows a focus ring and focus moves in page order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, select

from app.config import Settings
from app.db import make_engine
from app.models import MisuseReport
from tests.browser.conftest import Seeder
from tests.browser.focus import assert_focus_shown, assert_focus_was_wired, tab_to, watch_htmx_wiring
from tests.browser.seeds import Seeded, seed_variety
from tests.factories import TEST_PASSWORD
from tests.services.sheets import row, write_xlsx

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """A product with a photo, a round, ended certificates, an office account."""
    def seed(session: Session, settings: Settings) -> None:
        seed_variety(session, settings, seeded)
    return seed


def test_skip_link_search_box_facet_and_pager(page: Page, live_server: str) -> None:
    watch_htmx_wiring(page)
    page.goto(f"{live_server}/san-pham?sort=name&per_page=2")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    assert_focus_shown(page)  # moved on screen when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    box = page.locator("#catalog-q")
    expect(box).to_be_focused()
    assert_focus_shown(page)
    page.keyboard.type("non la")  # results follow the typing (one request after a pause), no Enter needed
    expect(page.locator("#results .card__title")).to_have_text(["Nón lá bài thơ"])
    expect(box).to_be_focused()  # the results changed, the typing position did not
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    expect(page.locator("#results .card__title")).to_have_count(2)
    expect(page).not_to_have_url(re.compile(r"q=non"))

    craft = page.locator("details.facet a", has_text="Thủ công mỹ nghệ")
    tab_to(page, craft)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe"))
    expect(page.locator("#results .card__title")).to_have_text(["Chiếu cói Kim Sơn", "Nón lá bài thơ"])
    chosen = page.locator("details.facet a[aria-current=true]", has_text="Thủ công mỹ nghệ")
    expect(chosen).to_be_focused()  # focus stays on the filter just toggled
    assert_focus_shown(page)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"group="))
    expect(page.locator(".pager")).to_contain_text("Trang 1/")

    tab_to(page, page.get_by_role("link", name="Trang sau →"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(".pager")).to_contain_text("Trang 2/")
    expect(page.locator("#hits-heading")).to_be_focused()  # the pager went away: focus starts the new page
    expect(page.locator("#hits-heading")).to_be_in_viewport()
    assert_focus_shown(page)
    tab_to(page, page.get_by_role("link", name="← Trang trước"))
    tab_to(page, page.locator("#catalog-q"), backwards=True)
    assert_focus_was_wired(page, at_least=10)  # every control focused since the first load, none reloaded


def test_facet_group_opens_and_closes_with_the_keyboard(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham")
    province = page.locator("details.facet", has=page.locator("summary", has_text="Tỉnh, thành phố"))
    expect(province).not_to_have_attribute("open", "")
    tab_to(page, province.locator("summary"))
    page.keyboard.press("Space")
    expect(province).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(province.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(province).not_to_have_attribute("open", "")


def test_verification_form(page: Page, live_server: str, seeded: Seeded) -> None:
    page.goto(f"{live_server}/tra-cuu")
    tab_to(page, page.get_by_label("Mã tra cứu hoặc số giấy chứng nhận"))
    page.keyboard.type(seeded.valid_code.lower())
    tab_to(page, page.get_by_role("button", name="Tra cứu"))
    page.keyboard.press("Space")
    expect(page.locator(".verdict__title")).to_have_text("Còn hiệu lực")
    expect(page.locator(".verified__product")).to_have_text("Nước mắm Nam Ô")


def test_misuse_report_form_with_errors_then_sent(page: Page, live_server: str, live_settings: Settings,
                                                  seeded: Seeded, no_min_fill_time: None) -> None:
    before = report_count(live_settings)
    page.goto(f"{live_server}/bao-cao")
    tab_to(page, page.get_by_role("button", name="Gửi báo cáo"))
    page.keyboard.press("Enter")
    summary = page.locator(".report-errors")
    expect(summary).to_contain_text("Vui lòng sửa 2 lỗi")

    tab_to(page, summary.get_by_role("link").first)
    page.keyboard.press("Enter")
    expect(page.locator("#field-ma")).to_be_focused()  # the error link leads into its field
    page.keyboard.type(seeded.valid_code)
    tab_to(page, page.locator("#field-noi_mua"))
    page.keyboard.type("Chợ Ví Dụ, Đà Nẵng")
    page.keyboard.press("Tab")
    expect(page.locator("#field-mo_ta")).to_be_focused()
    page.keyboard.type("Nhãn in mờ, khác ảnh trên trang.")
    tab_to(page, page.locator("#field-lien_he"))  # past the optional photo
    page.keyboard.type("0900 000 999")
    tab_to(page, page.get_by_role("button", name="Gửi báo cáo"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/bao-cao/da-gui"))
    assert report_count(live_settings) == before + 1


def report_count(settings: Settings) -> int:
    """How many misuse reports the live server has stored."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(MisuseReport)).one())
    finally:
        engine.dispose()


def test_office_sign_in_and_upload_by_keyboard(page: Page, live_server: str, seeded: Seeded,
                                               tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "danh-sach.xlsx", [row(province="Đà Nẵng", product_name="Mực một nắng")])
    # The file dialog that Space opens is answered by this handler, set up well before the key press.
    page.on("filechooser", lambda chooser: chooser.set_files(str(sheet)))
    page.goto(f"{live_server}/quan-ly/dang-nhap")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(seeded.office_email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Tổng quan: Đà Nẵng")

    tab_to(page, page.locator(".admin-nav").get_by_role("link", name="Đợt bình chọn"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Đợt bình chọn")
    tab_to(page, page.locator("#rounds").get_by_role("link", name="2024"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/quan-ly/dot-binh-chon/{seeded.round_id}$"))

    file_input = page.get_by_label("Danh sách sản phẩm đạt giải (.xlsx, .csv, .xls, .ods hoặc .docx)")
    tab_to(page, file_input)
    page.keyboard.press("Space")
    expect(file_input).to_have_value(re.compile(r"danh-sach\.xlsx$"))
    tab_to(page, page.get_by_role("button", name="Tải lên và xem trước"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/quan-ly/nhap/\d+$"))
    expect(page.locator("#preview-rows")).to_contain_text("Mực một nắng")

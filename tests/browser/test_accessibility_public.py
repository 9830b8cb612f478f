"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any public page, on a desktop and on a phone;
every page reflows on the phone, and Tab visits every control in page order with a visible focus ring.

Each page is opened as a visitor would (its expected status and its heading checked first, so an
error page can never pass for the real one), then audited with the pinned axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.axe import assert_accessible, axe_violations
from tests.browser.conftest import Seeder
from tests.browser.focus import tab_through
from tests.browser.seeds import Seeded, seed_variety

pytestmark = pytest.mark.browser

# (path with {seeded} fields, expected status, text of the page's h1)
PUBLIC_PAGES = {
    "home": ("/", 200, "Sản phẩm công nghiệp nông thôn tiêu biểu"),
    "catalog": ("/san-pham", 200, "Danh mục sản phẩm"),
    "catalog-filtered": ("/san-pham?q=nuoc+mam&group=che_bien&province=da-nang&status=all", 200,
                         "Danh mục sản phẩm"),
    "catalog-empty": ("/san-pham?q=khongcosanphamnay", 200, "Danh mục sản phẩm"),
    "catalog-paged": ("/san-pham?sort=name&per_page=2&page=2", 200, "Danh mục sản phẩm"),
    "product": ("/san-pham/{product}", 200, "Nước mắm Nam Ô"),
    "producer": ("/co-so/{producer}", 200, "HTX Nước mắm Nam Ô (ví dụ)"),
    "province": ("/tinh/da-nang", 200, "Đà Nẵng"),
    "round": ("/dot-binh-chon/{round_id}", 200, "2024"),
    "calls": ("/nop-ho-so", 200, "Nộp hồ sơ bình chọn"),
    "call": ("/nop-ho-so/{round_id}", 200, "Bình chọn cấp tỉnh năm 2024"),
    "verify-form": ("/tra-cuu", 200, "Tra cứu"),
    "verify-valid": ("/tra-cuu?q={valid_code}", 200, "Còn hiệu lực"),
    "verify-by-number": ("/tra-cuu?q=09/GCN-SCT", 200, "Còn hiệu lực"),
    "verify-expired": ("/v/{expired_code}", 200, "Hết hiệu lực"),
    "verify-revoked": ("/v/{revoked_code}", 200, "Đã thu hồi"),
    "verify-not-found": ("/v/ZZZZ-ZZZZ", 404, "Không tìm thấy"),
    "report-form": ("/bao-cao?ma={valid_code}", 200, "Báo cáo sản phẩm nghi giả mạo"),
    "report-thanks": ("/bao-cao/da-gui", 200, "Cảm ơn bạn đã gửi báo cáo"),
    "correction-form": ("/bao-thong-tin-sai?san-pham={product}", 200, "Báo thông tin sai"),
    "correction-thanks": ("/bao-thong-tin-sai/da-gui?so=da-nang", 200, "Cảm ơn bạn đã báo thông tin sai"),
    "shortlist": ("/danh-sach-chon?sp={product}", 200, "Danh sách chọn"),
    "watch-form": ("/theo-doi?ma={valid_code}", 200, "Theo dõi giấy chứng nhận bằng e-mail"),
    "watch-sent": ("/theo-doi/da-gui?n=2&bo=KHONGCO2", 200, "Hãy kiểm tra hộp thư của bạn"),
    "watch-bad-link": ("/theo-doi/quan-ly?t=rac", 400, "Không dùng được đường dẫn này"),
    "map": ("/ban-do", 200, "Bản đồ"),
    "open-data": ("/du-lieu-mo", 200, "Dữ liệu mở"),
    "statistics": ("/thong-ke", 200, "Thống kê"),
    "statistics-at-certification": ("/thong-ke?tinh=luc-cap", 200, "Thống kê"),
    "en-home": ("/en/", 200, "Typical rural industrial products"),
    "en-catalog": ("/en/san-pham?q=nuoc+mam&status=all", 200, "Product catalog"),
    "en-product": ("/en/san-pham/{product}", 200, "Nước mắm Nam Ô"),
    "not-found": ("/trang-khong-co", 404, "Không tìm thấy trang"),
}


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """A product with a photo, a round, ended certificates, accounts, a report, an audit entry."""
    def seed(session: Session, settings: Settings) -> None:
        seed_variety(session, settings, seeded)
    return seed


@pytest.fixture(params=["desktop", "phone"])
def visitor(request: pytest.FixtureRequest) -> Page:
    """The same audit on a desktop window and on a phone (390×844)."""
    page: Page = request.getfixturevalue(request.param)
    return page


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_has_no_accessibility_violation(visitor: Page, live_server: str, seeded: Seeded,
                                                    name: str) -> None:
    path, status, heading = PUBLIC_PAGES[name]
    response = visitor.goto(live_server + path.format(**asdict(seeded)))
    assert response is not None and response.status == status
    expect(visitor.locator("h1")).to_have_count(1)
    expect(visitor.locator("h1")).to_contain_text(heading)
    assert_accessible(visitor)
    assert visitor.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scroll


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_every_focus_stop_shows_a_ring_in_page_order(desktop: Page, live_server: str, seeded: Seeded,
                                                     name: str) -> None:
    path, _, heading = PUBLIC_PAGES[name]
    desktop.goto(live_server + path.format(**asdict(seeded)))
    expect(desktop.locator("h1")).to_contain_text(heading)
    assert tab_through(desktop) >= 10  # skip link, header, main content, footer


@pytest.mark.parametrize(("path", "heading"), [("/nop-ho-so", "Nộp hồ sơ bình chọn"),
                                               ("/nop-ho-so/{round_id}", "Bình chọn cấp tỉnh năm 2024"),
                                               ("/thong-ke", "Thống kê")])
def test_calls_fit_320px_without_javascript(open_page: Callable[..., Page], live_server: str, seeded: Seeded,
                                            path: str, heading: str) -> None:
    narrow = open_page(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    response = narrow.goto(live_server + path.format(**asdict(seeded)))
    assert response is not None and response.status == 200
    expect(narrow.locator("h1")).to_contain_text(heading)
    assert narrow.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scroll


def test_report_form_with_errors_has_no_accessibility_violation(
    visitor: Page, live_server: str, no_min_fill_time: None
) -> None:
    visitor.goto(f"{live_server}/bao-cao")
    visitor.get_by_role("button", name="Gửi báo cáo").click()
    expect(visitor.locator(".report-errors")).to_contain_text("Vui lòng sửa")
    expect(visitor.locator("#field-noi_mua")).to_have_attribute("aria-invalid", "true")
    assert_accessible(visitor)


def test_correction_form_with_errors_has_no_accessibility_violation(
    visitor: Page, live_server: str, seeded: Seeded, no_min_fill_time: None
) -> None:
    visitor.goto(f"{live_server}/bao-thong-tin-sai?san-pham={seeded.product}")
    visitor.get_by_role("button", name="Gửi báo cáo").click()
    expect(visitor.locator(".report-errors")).to_contain_text("Vui lòng sửa")
    expect(visitor.locator("#field-truong")).to_have_attribute("aria-invalid", "true")
    assert_accessible(visitor)


def test_verification_form_with_error_has_no_accessibility_violation(visitor: Page, live_server: str) -> None:
    visitor.goto(f"{live_server}/tra-cuu?q={'7' * 500}")
    expect(visitor.locator(".verify-form__error")).to_contain_text("quá dài")
    assert_accessible(visitor)


def test_catalog_after_htmx_swaps_has_no_accessibility_violation(visitor: Page, live_server: str) -> None:
    visitor.goto(f"{live_server}/san-pham")
    visitor.locator("#catalog-q").fill("nuoc mam")
    expect(visitor).to_have_url(re.compile(r"q=nuoc(\+|%20)mam"))
    expect(visitor.locator("#results .card__title")).to_have_text(["Nước mắm Nam Ô"])
    assert_accessible(visitor)


def test_the_audit_catches_violations(desktop: Page, live_server: str) -> None:
    """The harness itself: the same rules flag an unlabelled field, an image without alt and low contrast."""
    desktop.goto(f"{live_server}/tra-cuu")
    desktop.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type="text"><img src="/static/none.png"><p style="color:#bbb">Chữ nhạt</p>')""")
    found = {violation["id"] for violation in axe_violations(desktop)}
    assert {"label", "image-alt", "color-contrast"} <= found, found

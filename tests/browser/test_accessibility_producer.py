"""axe-core finds no WCAG 2.0/2.1 A or AA violation in the producer area (/tai-khoan), on a desktop and on a
phone, signed in as the account each page is for, its forms shown with their errors too; every page fits a
320 px screen without sideways scrolling.

Each page is opened as its user would (status and heading checked first, so an error page or the sign-in
page can never pass for the real one). Accounts sign in through the real forms and links, once per module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Seeder
from tests.browser.seeds import PRODUCER_PASSWORD, Seeded, seed_links, seed_producers, seed_variety

pytestmark = pytest.mark.browser

# name → (who: "visitor", "producer" linked with a draft, "claimant" not linked, "link_only" without a
# password; path with {seeded} fields; expected status; text of the page's h1)
PRODUCER_PAGES = {
    "register": ("visitor", "/tai-khoan/dang-ky", 200, "Đăng ký tài khoản cơ sở sản xuất"),
    "login": ("visitor", "/tai-khoan/dang-nhap", 200, "Đăng nhập khu vực cơ sở sản xuất"),
    "link-request": ("visitor", "/tai-khoan/lien-ket", 200, "Nhận đường dẫn đăng nhập"),
    "sent": ("visitor", "/tai-khoan/da-gui", 200, "Hãy kiểm tra hộp thư"),
    "confirm-link": ("visitor", "/tai-khoan/xac-nhan/{confirm_token}", 200, "Xác nhận địa chỉ e-mail"),
    "sign-in-link": ("visitor", "/tai-khoan/dang-nhap/{page_token}", 200, "Đăng nhập bằng đường dẫn"),
    "password-link": ("visitor", "/tai-khoan/dat-mat-khau/{password_token}", 200, "Đặt mật khẩu"),
    "bad-link": ("visitor", "/tai-khoan/xac-nhan/khong-hop-le", 400, "Xác nhận địa chỉ e-mail"),
    "dashboard": ("producer", "/tai-khoan", 200, "Khu vực cơ sở sản xuất"),
    "password": ("producer", "/tai-khoan/mat-khau", 200, "Mật khẩu"),
    "application-start": ("producer", "/tai-khoan/ho-so/moi?dot={open_round_id}", 200, "Nộp hồ sơ bình chọn"),
    "application": ("producer", "/tai-khoan/ho-so/{draft_id}", 200, "Hồ sơ bình chọn"),
    "claimant-dashboard": ("claimant", "/tai-khoan", 200, "Khu vực cơ sở sản xuất"),
    "claim-search": ("claimant", "/tai-khoan/nhan-co-so?ten=nuoc+mam", 200,
                     "Nhận cơ sở đã có trong danh mục"),
    "new-producer": ("claimant", "/tai-khoan/co-so-moi", 200, "Đăng ký cơ sở mới"),
    "en-dashboard": ("claimant", "/en/tai-khoan", 200, "Producer area"),
    "password-by-link": ("link_only", "/tai-khoan/mat-khau", 200, "Mật khẩu"),
}


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """The office rows, producer accounts with applications and a claim, and live one-time links."""
    def seed(session: Session, settings: Settings) -> None:
        seed_variety(session, settings, seeded)
        seed_producers(session, seeded)
        seed_links(session, settings, seeded)
    return seed


def _state_after(browser: Browser, sign_in: Callable[[Page], None]) -> dict[str, Any]:
    """The cookies of a fresh browser context once `sign_in` led it to the producer's home."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page)
        expect(page.locator("h1")).to_have_text("Khu vực cơ sở sản xuất")
        state: dict[str, Any] = context.storage_state()  # type: ignore[assignment]
    finally:
        context.close()
    return state


def _password_state(browser: Browser, base: str, email: str) -> dict[str, Any]:
    """Signed in once through the producer sign-in form; later pages reuse its cookies."""
    def sign_in(page: Page) -> None:
        page.goto(f"{base}/tai-khoan/dang-nhap")
        page.get_by_label("Địa chỉ e-mail").fill(email)
        page.get_by_label("Mật khẩu").fill(PRODUCER_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
    return _state_after(browser, sign_in)


def _link_state(browser: Browser, base: str, token: str) -> dict[str, Any]:
    """The link-only account, signed in by pressing its one-time link's button."""
    def sign_in(page: Page) -> None:
        page.goto(f"{base}/tai-khoan/dang-nhap/{token}")
        page.get_by_role("button", name="Đăng nhập").click()
    return _state_after(browser, sign_in)


@pytest.fixture(scope="module")
def states(browser: Browser, live_server: str, seeded: Seeded) -> dict[str, dict[str, Any]]:
    """Each kind of user's cookies: none for a visitor, each account signed in once."""
    return {"visitor": {"cookies": [], "origins": []},
            "producer": _password_state(browser, live_server, seeded.producer_email),
            "claimant": _password_state(browser, live_server, seeded.claimant_email),
            "link_only": _link_state(browser, live_server, seeded.sign_in_token)}


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844},
             "narrow": {"width": 320, "height": 640}}


def _open(open_page: Callable[..., Page], states: dict[str, dict[str, Any]], live_server: str,
          seeded: Seeded, name: str, viewport: str) -> Page:
    """The page as its user sees it, its status and heading checked."""
    who, path, status, heading = PRODUCER_PAGES[name]
    page = open_page(viewport=VIEWPORTS[viewport], bypass_csp=True, storage_state=states[who])
    response = page.goto(live_server + path.format(**asdict(seeded)))
    assert response is not None and response.status == status, (name, response and response.status)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(heading)
    return page


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(PRODUCER_PAGES))
def test_producer_page_has_no_accessibility_violation(open_page: Callable[..., Page],
                                                      states: dict[str, dict[str, Any]], live_server: str,
                                                      seeded: Seeded, name: str, viewport: str) -> None:
    page = _open(open_page, states, live_server, seeded, name, viewport)
    assert_accessible(page)


@pytest.mark.parametrize("name", list(PRODUCER_PAGES))
def test_producer_page_fits_a_320_px_screen(open_page: Callable[..., Page], states: dict[str, dict[str, Any]],
                                            live_server: str, seeded: Seeded, name: str) -> None:
    page = _open(open_page, states, live_server, seeded, name, "narrow")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scroll


def test_password_form_with_errors_has_no_accessibility_violation(open_page: Callable[..., Page],
                                                                  states: dict[str, dict[str, Any]],
                                                                  live_server: str, seeded: Seeded) -> None:
    page = _open(open_page, states, live_server, seeded, "password", "narrow")
    page.get_by_label("Mật khẩu hiện tại").fill("khong-phai-mat-khau")
    page.get_by_label("Mật khẩu mới", exact=True).fill("ngan")
    page.get_by_label("Nhập lại mật khẩu mới").fill("khac")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_role("alert")).to_contain_text("Hai lần nhập mật khẩu mới không khớp.")
    expect(page.get_by_label("Nhập lại mật khẩu mới")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_refused_password_on_a_link_page_has_no_accessibility_violation(
        open_page: Callable[..., Page], states: dict[str, dict[str, Any]], live_server: str,
        seeded: Seeded) -> None:
    page = _open(open_page, states, live_server, seeded, "confirm-link", "narrow")
    page.get_by_label("Mật khẩu (không bắt buộc)").fill("ngan")
    page.get_by_role("button", name="Xác nhận và đăng nhập").click()
    expect(page.locator("#password-error")).to_contain_text("ít nhất 10 ký tự")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

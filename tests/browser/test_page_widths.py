"""No public page is wider than the screen: at 320 px (the smallest phones), 390 px (a common phone) and
1366 px (a common laptop), with JavaScript off as with it on, the document never scrolls sideways. Wide
content (tables, long numbers, addresses) reflows or scrolls inside its own box.

Also what a phone shows of a verification: expired and revoked are told apart by colour and icon as well
as words (expiry is not a sign of fraud), and a printed number shared by many certificates is a short
chooser, not a page of full answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.config import Settings
from app.domain.validity import today_in
from app.web.rate_limit import SiteLimits
from tests.browser.conftest import Seeder
from tests.browser.seeds import Seeded, seed_variety
from tests.browser.test_accessibility_public import PUBLIC_PAGES
from tests.factories import make_producer, make_product

pytestmark = pytest.mark.browser

SHARED_NUMBER = "77/QĐ-UBND-CHUNG"
SHARING = 6  # more than the three full answers a shared number gets before the chooser

# Pages the accessibility module does not open, with the same (path, status, heading) shape.
MORE_PAGES = {
    "rounds": ("/dot-binh-chon", 200, "Các đợt bình chọn"),
    "verify-shared-number": (f"/tra-cuu?q={SHARED_NUMBER}", 200, f"{SHARING} giấy chứng nhận"),
    "bulk-check": ("/kiem-tra-danh-sach", 200, "Kiểm tra"),
    "en-verify-expired": ("/en/v/{expired_code}", 200, "Expired"),
    "en-producer": ("/en/co-so/{producer}", 200, "HTX Nước mắm Nam Ô (ví dụ)"),
    "en-rounds": ("/en/dot-binh-chon", 200, "Selection rounds"),
}
PAGES = {**PUBLIC_PAGES, **MORE_PAGES}


@pytest.fixture(scope="module")
def many_lookups() -> Iterator[None]:
    """This module is one client opening some 60 verification pages a minute: more than a person's 30 (the
    limit itself is tested in tests/test_rate_limit.py), so its server allows more."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SiteLimits, "LOOKUPS_PER_MINUTE", 1_000)
        yield


@pytest.fixture(scope="module")
def live_server(many_lookups: None, live_server: str) -> str:
    """The browser conftest's server, started with `many_lookups` in force."""
    return live_server


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """The public pages' variety, and several products of producers with long names under one number."""
    def seed(session: Session, settings: Settings) -> None:
        seed_variety(session, settings, seeded)
        for n in range(SHARING):
            maker = make_producer(session, name=f"Hợp tác xã Sản xuất Kinh doanh Dịch vụ Nông nghiệp số {n}",
                                  province_slug="hue")
            make_product(session, name=f"Bánh tráng mè đen nướng than hoa loại đặc biệt {n}", producer=maker,
                         province_slug="hue", number=SHARED_NUMBER, issued_on=date(today_in().year, 1, 2))
        session.commit()
    return seed


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [320, 390, 1366])
def test_no_page_is_wider_than_the_screen(open_page: Callable[..., Page], live_server: str, seeded: Seeded,
                                          width: int, javascript: bool) -> None:
    tab = open_page(viewport={"width": width, "height": 800}, java_script_enabled=javascript,
                    is_mobile=width < 1000, locale="vi-VN")
    wider: dict[str, int] = {}
    for name, (path, status, heading) in PAGES.items():
        response = tab.goto(live_server + path.format(**asdict(seeded)))
        assert response is not None and response.status == status, name
        expect(tab.locator("h1")).to_contain_text(heading)  # the real page, not an error page
        scroll_width = int(tab.evaluate("document.documentElement.scrollWidth"))
        if scroll_width > width:
            wider[name] = scroll_width
    assert wider == {}, f"pages wider than {width} px: {wider}"


def test_expired_and_revoked_look_different_on_a_phone(phone: Page, live_server: str, seeded: Seeded) -> None:
    """Words, icon and colour all differ: expired is a neutral slate, revoked the alarm red."""
    looks = {}
    for status, code in (("expired", seeded.expired_code), ("revoked", seeded.revoked_code)):
        phone.goto(f"{live_server}/v/{code}")
        verdict = phone.locator(f".verdict--{status}")
        expect(verdict).to_be_visible()
        looks[status] = (verdict.locator(".verdict__title").inner_text(),
                         verdict.evaluate("v => getComputedStyle(v).color"),
                         verdict.evaluate("v => getComputedStyle(v).backgroundColor"),
                         verdict.locator(".verdict__icon").inner_html())
    assert looks["expired"][0] == "Hết hiệu lực" and looks["revoked"][0] == "Đã thu hồi"
    for part in range(1, 4):
        assert looks["expired"][part] != looks["revoked"][part], part


def test_a_shared_number_is_a_short_chooser_on_a_phone(phone: Page, live_server: str) -> None:
    """Six certificates under one number fit in about two phone screens, each row a link to its answer."""
    phone.goto(f"{live_server}/tra-cuu?q={SHARED_NUMBER}")
    expect(phone.locator(".chooser__item")).to_have_count(SHARING)
    assert phone.evaluate("document.documentElement.scrollHeight") < 3 * 844
    phone.locator(".chooser__name a").first.click()
    expect(phone.locator("h1.verdict__title")).to_have_text("Còn hiệu lực")

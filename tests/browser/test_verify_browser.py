"""The lookup on a phone: by the code typed in the form and by the QR's address, every answer in words
above the fold; axe-core finds no WCAG 2.1 A/AA issue; the form works without JavaScript."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, Seeder
from tests.factories import make_product

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def extra_seed() -> Seeder:
    """An expired, a revoked and a fresh certificate (issued this year: valid, not ending soon, any day)."""
    def seed(session: Session, settings: Settings) -> None:
        make_product(session, name="Mứt gừng Lục Ngạn", province_slug="bac-ninh", certified_in="bac-giang",
                     issued_on=date(date.today().year, 1, 2))
        make_product(session, name="Chiếu cói Kim Sơn", province_slug="ninh-binh", issued_on=date(2019, 6, 1))
        make_product(session, name="Chè búp Tân Cương", province_slug="thai-nguyen",
                     issued_on=date(2023, 3, 1), revoked_on=date(2025, 2, 10))
    return seed


def assert_above_the_fold(element: Locator) -> None:
    """The element is fully inside the first phone screen, without scrolling or sideways scroll."""
    box = element.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert element.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def codes(live_server: str) -> dict[str, str]:
    """Verification codes of the seeded products, read through the public API."""
    found = {}
    with httpx.Client(base_url=live_server) as http:
        for hit in http.get("/api/v1/products", params={"per_page": 50}).json()["hits"]:
            detail = http.get(f"/api/v1/products/{hit['slug']}").json()
            found[hit["name"]] = detail["certificates"][0]["code"]
    return found


def test_qr_target_answers_on_a_phone_without_accessibility_violations(
    phone: Page, live_server: str, codes: dict[str, str]
) -> None:
    phone.goto(f"{live_server}/v/{codes['Bánh tráng phơi sương']}")
    title = phone.locator(".verdict__title")
    expect(title).to_have_text("Còn hiệu lực")
    assert_above_the_fold(title)
    assert float(title.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 32
    expect(phone.locator(".verdict .cnnt-badge")).to_be_visible()
    expect(phone.get_by_role("link", name="Báo cáo nghi vấn giả mạo")).to_be_visible()
    assert_accessible(phone)


def test_not_found_answer_has_no_accessibility_violations(phone: Page, live_server: str) -> None:
    response = phone.goto(f"{live_server}/v/ZZZZ-ZZZZ")
    assert response is not None and response.status == 404
    expect(phone.locator(".verdict__title")).to_have_text("Không tìm thấy")
    assert_accessible(phone)


def test_lookup_form_and_its_errors_have_no_accessibility_violations(phone: Page, live_server: str) -> None:
    phone.goto(f"{live_server}/tra-cuu")
    expect(phone.get_by_label("Mã tra cứu hoặc số giấy chứng nhận")).to_be_visible()
    assert_accessible(phone)
    phone.goto(f"{live_server}/tra-cuu?q={'7' * 500}")
    expect(phone.locator(".verify-form__error")).to_contain_text("quá dài")
    assert_accessible(phone)


def test_lookup_form_works_without_javascript(page_without_js: Page, live_server: str,
                                             codes: dict[str, str]) -> None:
    code = codes["Nón lá bài thơ"]
    page_without_js.goto(f"{live_server}/tra-cuu")
    field = page_without_js.get_by_label("Mã tra cứu hoặc số giấy chứng nhận")
    field.fill(f" {code[:4].lower()} - {code[4:]} ")
    page_without_js.get_by_role("button", name="Tra cứu").click()
    expect(page_without_js.locator(".verdict__title")).to_have_text("Còn hiệu lực")
    expect(page_without_js.locator(".verified__product")).to_have_text("Nón lá bài thơ")


@pytest.mark.parametrize(("product", "words", "detail"), [
    ("Chiếu cói Kim Sơn", "Hết hiệu lực", "đã hết hiệu lực sau ngày 31/12/2022"),
    ("Chè búp Tân Cương", "Đã thu hồi", "Thu hồi ngày 10/02/2025. Lý do: Vi phạm quy định"),
])
def test_qr_target_of_an_ended_certificate_says_so_in_words_above_the_fold(
    phone: Page, live_server: str, codes: dict[str, str], product: str, words: str, detail: str
) -> None:
    phone.goto(f"{live_server}/v/{codes[product]}")
    expect(phone.locator(".verdict__title")).to_have_text(words)
    assert_above_the_fold(phone.locator(".verdict__title"))
    expect(phone.locator(".verdict__detail")).to_contain_text(detail)
    expect(phone.locator(".verdict .cnnt-badge")).to_have_count(0)  # no logo for an ended certificate
    assert_accessible(phone)


def test_code_typed_in_the_form_on_a_phone(phone: Page, live_server: str, codes: dict[str, str]) -> None:
    code = codes["Mứt gừng Lục Ngạn"]
    phone.goto(f"{live_server}/tra-cuu")
    field = phone.get_by_label("Mã tra cứu hoặc số giấy chứng nhận")
    field.tap()
    field.press_sequentially(f"{code[:4].lower()}-{code[4:]}")
    field.press("Enter")
    expect(phone).to_have_url(re.compile(rf"/tra-cuu\?q={code[:4].lower()}-{code[4:]}"))
    title = phone.locator(".verdict__title")
    expect(title).to_have_text("Còn hiệu lực")
    assert_above_the_fold(title)
    expect(phone.locator(".verified__product")).to_have_text("Mứt gừng Lục Ngạn")
    expect(phone.locator(".facts")).to_contain_text("Bắc Giang")  # the province at certification


def test_unknown_code_typed_in_the_form_offers_a_report(phone: Page, live_server: str) -> None:
    phone.goto(f"{live_server}/tra-cuu")
    phone.get_by_label("Mã tra cứu hoặc số giấy chứng nhận").fill("ZZZZ-ZZZZ")
    phone.get_by_role("button", name="Tra cứu").tap()
    title = phone.locator(".verdict__title")
    expect(title).to_have_text("Không tìm thấy")
    assert_above_the_fold(title)
    phone.get_by_role("link", name=re.compile("Báo cáo")).first.click()
    expect(phone).to_have_url(re.compile(r"/bao-cao\?ma=ZZZZ"))
    expect(phone.get_by_label(re.compile("Mã tra cứu, số giấy chứng nhận"))).to_have_value(re.compile("ZZZZ"))

"""The lookup on a phone: the QR target's answer reads at once; axe-core finds no WCAG 2.1 A/AA issue."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


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
    box = title.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844  # read without scrolling
    assert float(title.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 32
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
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

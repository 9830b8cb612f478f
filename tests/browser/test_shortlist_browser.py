"""The shortlist in a real browser: add from the catalog, open the list, share it to a fresh browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from tests.browser.focus import assert_focus_was_wired, watch_htmx_wiring

pytestmark = pytest.mark.browser


@pytest.fixture
def share_base(live_server: str, live_settings: Settings) -> str:
    """Point BASE_URL at the live server, so the page's absolute share link opens there."""
    live_settings.base_url = live_server
    return live_server


def test_add_two_then_share_to_a_fresh_browser(page: Page, browser: Browser, share_base: str) -> None:
    page.goto(f"{share_base}/san-pham")
    cards = page.locator("#results .card")
    expect(cards).to_have_count(3)
    chosen = cards.locator(".card__title").all_inner_texts()[:2]
    for index in range(2):
        cards.nth(index).get_by_role("button", name="Thêm vào danh sách chọn").click()
        expect(cards.nth(index).get_by_role("button", name="Bỏ khỏi danh sách")).to_be_visible()
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (2)")

    page.locator("#shortlist-link").click()
    expect(page.locator("table.compare td.compare__name")).to_have_text(chosen)
    share_url = page.locator("#share-url").input_value()
    assert share_url.startswith(f"{share_base}/danh-sach-chon?sp=")

    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(share_url)
        expect(other.locator("table.compare td.compare__name")).to_have_text(chosen)
        expect(other.get_by_role("button", name="Lưu vào danh sách của tôi")).to_be_visible()
        expect(other.locator("#shortlist-link")).to_have_text("Danh sách chọn (0)")
    finally:
        fresh.close()


def test_add_and_remove_without_javascript(page_without_js: Page, share_base: str) -> None:
    page = page_without_js
    page.goto(f"{share_base}/san-pham")
    first = page.locator("#results .card").first
    name = first.locator(".card__title").inner_text()
    first.get_by_role("button", name="Thêm vào danh sách chọn").click()
    expect(page).to_have_url(f"{share_base}/san-pham")
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (1)")
    page.locator("#shortlist-link").click()
    expect(page.locator("table.compare td.compare__name")).to_have_text([name])
    page.get_by_role("button", name="Bỏ khỏi danh sách").click()
    expect(page.locator(".shortlist__empty")).to_be_visible()


def test_add_and_remove_with_javascript_keeps_keyboard_focus(page: Page, share_base: str) -> None:
    watch_htmx_wiring(page)
    page.goto(f"{share_base}/san-pham")
    card = page.locator("#results .card").first
    name = card.locator(".card__title").inner_text()
    add = card.get_by_role("button", name="Thêm vào danh sách chọn")
    add.focus()
    page.keyboard.press("Enter")
    remove = card.get_by_role("button", name="Bỏ khỏi danh sách")
    expect(remove).to_have_attribute("aria-pressed", "true")
    expect(remove).to_be_focused()  # swapped in place: the keyboard user stays on the same control
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (1)")
    expect(page).to_have_url(f"{share_base}/san-pham")  # no page load, no history entry

    page.keyboard.press("Space")
    expect(add).to_have_attribute("aria-pressed", "false")
    expect(add).to_be_focused()
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (0)")

    page.keyboard.press("Enter")
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (1)")
    expect(card.get_by_role("button", name="Bỏ khỏi danh sách")).to_be_focused()
    assert_focus_was_wired(page, at_least=4)  # the first focus() and three swaps, all on this one page load
    page.locator("#shortlist-link").click()
    expect(page.locator("table.compare td.compare__name")).to_have_text([name])
    page.get_by_role("button", name="Bỏ khỏi danh sách").click()
    expect(page.locator(".shortlist__empty")).to_be_visible()
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (0)")

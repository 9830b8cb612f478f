"""A product without a photo, in Chromium: its illustration loads and is drawn on the card, the
product page and the verification answer, says it is an illustration, and axe finds nothing."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


def _drawn(page: Page, selector: str) -> None:
    """Every image matching `selector` has loaded and has a size on screen."""
    images = page.locator(selector)
    expect(images.first).to_be_visible()
    for image in images.all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0") is True
        box = image.bounding_box()
        assert box is not None and box["width"] >= 40 and box["height"] >= 40, box


def test_illustrations_are_drawn_and_marked(phone: Page, live_server: str) -> None:
    phone.goto(f"{live_server}/san-pham?q=banh+trang")
    _drawn(phone, "#results .illus img")
    expect(phone.locator("#results .illus img").first).to_have_attribute("alt", "Hình minh họa: Bánh tráng")
    phone.locator("#results a.card__link").first.click()
    _drawn(phone, "main .gallery .illus img")
    expect(phone.locator("main .illus__note")).to_have_text("Hình minh họa")
    card = phone.locator('meta[property="og:image"]').get_attribute("content") or ""
    assert card.endswith("/minh-hoa/v1/rice-paper.vi.png")
    png = httpx.get(f"{live_server}{card[card.index('/minh-hoa'):]}")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert_accessible(phone)
    phone.goto(f"{live_server}/en/san-pham?q=non+la")
    _drawn(phone, "#results .illus img")
    assert_accessible(phone)

"""The numbered pager in a real browser: fits 320 px, htmx swaps keep aria-current right, works without JS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.conftest import Seeder
from tests.factories import make_producer, make_product

pytestmark = pytest.mark.browser
MIDDLE = "/san-pham?province=hue&per_page=1&page=12"  # 31 products in Huế (the seeded one too), one a page


@pytest.fixture(scope="module")
def extra_seed() -> Seeder:
    """Thirty more products in Huế."""
    def seed(session: Session, settings: Settings) -> None:
        producer = make_producer(session, province_slug="hue")
        for n in range(30):
            make_product(session, name=f"Nón lá số {n}", province_slug="hue", producer=producer)
    return seed


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def narrow(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 320 px wide window, with and without JavaScript."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def test_pager_fits_320px_and_moves(narrow: Page, live_server: str) -> None:
    narrow.goto(live_server + MIDDLE)
    pager = narrow.locator("nav.pager")
    expect(pager.locator('[aria-current="page"]')).to_have_text("Trang 12")
    assert narrow.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scroll
    box = pager.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    pager.get_by_role("link", name="Trang 14").click()
    expect(pager.locator('[aria-current="page"]')).to_have_text("Trang 14")
    expect(narrow).to_have_url(live_server + "/san-pham?province=hue&per_page=1&page=14")
    expect(narrow.locator("#results .card__title")).to_have_count(1)


def test_page_past_the_end_links_to_the_last(narrow: Page, live_server: str) -> None:
    response = narrow.goto(live_server + "/san-pham?province=hue&per_page=1&page=999")
    assert response is not None and response.status == 404
    narrow.locator("a.past-end__last").click()
    expect(narrow.locator('nav.pager [aria-current="page"]')).to_have_text("Trang 31")
    assert narrow.evaluate("document.documentElement.scrollWidth <= innerWidth")

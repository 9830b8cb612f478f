"""The catalog in a real browser: search as you type, facet clicks, back button, and the same without JS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def titles(page: Page) -> list[str]:
    """Result titles currently shown."""
    return page.locator("#results .card__title").all_inner_texts()


def test_search_as_you_type_facets_and_back(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham")
    expect(page.locator("#results .card")).to_have_count(3)
    page.evaluate("window.__sameDocument = true")

    page.locator("#catalog-q").press_sequentially("banh trang", delay=20)
    expect(page.locator("#results .card__title")).to_have_text(["Bánh tráng phơi sương"])
    expect(page).to_have_url(re.compile(r"q=banh(\+|%20)trang"))

    page.locator("#catalog-q").fill("")
    page.locator("#catalog-q").press("Enter")
    expect(page.locator("#results .card")).to_have_count(3)

    page.locator("details.facet a", has_text="Thủ công mỹ nghệ").click()
    expect(page.locator("#results .card__title")).to_have_text(["Nón lá bài thơ"])
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe"))
    assert page.evaluate("window.__sameDocument") is True  # swapped by htmx, not a full load
    expect(page.locator("#form-filters input[name=group]")).to_have_count(1)

    page.go_back()
    expect(page.locator("#results .card")).to_have_count(3)
    expect(page).not_to_have_url(re.compile(r"group="))


def test_search_without_javascript(page_without_js: Page, live_server: str) -> None:
    page = page_without_js
    page.goto(f"{live_server}/san-pham")
    page.locator("#catalog-q").fill("banh trang")
    page.locator("#search-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/san-pham\?q=banh\+trang"))
    expect(page.locator("#results .card__title")).to_have_text(["Bánh tráng phơi sương"])

    page.goto(f"{live_server}/san-pham")
    page.locator("details.facet a", has_text="Thủ công mỹ nghệ").click()
    expect(page.locator("#results .card__title")).to_have_text(["Nón lá bài thơ"])
    page.go_back()
    expect(page.locator("#results .card")).to_have_count(3)

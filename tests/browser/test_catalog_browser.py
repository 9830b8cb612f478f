"""The catalog in a real browser: search as you type, facet clicks with counts, back and forward, paging,
and the same journeys with JavaScript disabled (plain GET form and links)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.conftest import Seeder
from tests.factories import make_product

pytestmark = pytest.mark.browser

EVERYTHING = ["Bánh tráng phơi sương", "Vải thiều sấy khô", "Nón lá bài thơ", "Chiếu cói Kim Sơn",
              "Chè búp Tân Cương", "Gốm men lam Bát Tràng"]


@pytest.fixture(scope="module")
def extra_seed() -> Seeder:
    """Three more products beside the seeded three: an expired, a revoked and a national certificate."""
    def seed(session: Session, settings: Settings) -> None:
        make_product(session, name="Chiếu cói Kim Sơn", province_slug="ninh-binh", group="thu_cong_my_nghe",
                     issued_on=date(2019, 6, 1))
        make_product(session, name="Chè búp Tân Cương", province_slug="thai-nguyen",
                     issued_on=date(2023, 3, 1), revoked_on=date(2025, 2, 10))
        make_product(session, name="Gốm men lam Bát Tràng", province_slug="ha-noi", group="thu_cong_my_nghe",
                     level="quoc_gia", issued_on=date(2023, 10, 20))
    return seed


def titles(page: Page) -> Locator:
    """The result titles currently shown."""
    return page.locator("#results .card__title")


def facet(page: Page, title: str) -> Locator:
    """One facet box by its title (Hiệu lực, Tỉnh, thành phố, Nhóm sản phẩm, Cấp chứng nhận, Năm)."""
    return page.locator("details.facet", has=page.locator("summary", has_text=title))


def facet_item(page: Page, title: str, label: str) -> Locator:
    """The list item of one facet value: its link (or plain text when empty) and its count."""
    return facet(page, title).locator("li", has_text=label)


def mark_document(page: Page) -> None:
    """Tag the loaded document; the tag survives htmx swaps and vanishes with a full page load."""
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> bool:
    """Whether no full page load happened since `mark_document`."""
    return bool(page.evaluate("window.__sameDocument === true"))


def test_search_as_you_type_updates_results_and_address(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham")
    expect(titles(page)).to_have_count(len(EVERYTHING))
    mark_document(page)

    page.locator("#catalog-q").press_sequentially("banh trang", delay=20)
    expect(titles(page)).to_have_text(["Bánh tráng phơi sương"])
    expect(page.get_by_role("heading", level=2, name="1 sản phẩm cho “banh trang”")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 sản phẩm cho “banh trang”")  # read out as it changes
    expect(page).to_have_url(re.compile(r"/san-pham\?q=banh(\+|%20)trang"))

    page.locator("#catalog-q").fill("gốm")
    expect(titles(page)).to_have_text(["Gốm men lam Bát Tràng"])
    expect(page).to_have_url(re.compile(r"q=g%E1%BB%91m"))

    page.locator("#catalog-q").fill("khongcosanphamnay")
    expect(page.locator("#hits-heading")).to_contain_text("Không có sản phẩm nào")
    expect(page.get_by_role("status")).to_have_text("Không có sản phẩm nào cho “khongcosanphamnay”")
    expect(titles(page)).to_have_count(0)
    assert still_same_document(page)  # every update was an htmx swap, not a page load


def test_facet_clicks_narrow_results_and_show_counts(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham")
    mark_document(page)
    expect(facet_item(page, "Nhóm sản phẩm", "Thủ công mỹ nghệ").locator(".count")).to_have_text("3")
    expect(facet_item(page, "Hiệu lực", "Hết hiệu lực").locator(".count")).to_have_text("1")

    facet_item(page, "Nhóm sản phẩm", "Thủ công mỹ nghệ").get_by_role("link").click()
    expect(titles(page)).to_have_count(3)
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe"))
    expect(facet_item(page, "Nhóm sản phẩm", "Thủ công mỹ nghệ").get_by_role("link")).to_have_attribute(
        "aria-current", "true")
    expect(facet_item(page, "Cấp chứng nhận", "Quốc gia").locator(".count")).to_have_text("1")

    facet_item(page, "Cấp chứng nhận", "Quốc gia").get_by_role("link").click()
    expect(titles(page)).to_have_text(["Gốm men lam Bát Tràng"])
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe&level=quoc_gia"))

    page.get_by_role("link", name=re.compile("Bỏ tất cả bộ lọc")).click()
    expect(titles(page)).to_have_count(len(EVERYTHING))

    facet_item(page, "Hiệu lực", "Đã thu hồi").get_by_role("link").click()
    expect(titles(page)).to_have_text(["Chè búp Tân Cương"])
    expect(page.locator("#results .status")).to_have_text(["Đã thu hồi"])

    facet_item(page, "Hiệu lực", "Đã thu hồi").get_by_role("link").click()  # a selected value toggles off
    province_facet = facet(page, "Tỉnh, thành phố")
    province_facet.locator("summary").click()  # closed until a province is chosen
    facet_item(page, "Tỉnh, thành phố", "Bắc Ninh").get_by_role("link").click()
    expect(titles(page)).to_have_text(["Vải thiều sấy khô"])  # certified in Bắc Giang, now Bắc Ninh
    expect(page.locator("#form-filters input[name=province]")).to_have_value("bac-ninh")
    assert still_same_document(page)


def test_back_and_forward_restore_query_and_results(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham")
    page.locator("#catalog-q").fill("non la")
    expect(titles(page)).to_have_text(["Nón lá bài thơ"])
    expect(page).to_have_url(re.compile(r"q=non(\+|%20)la"))
    page.locator("#catalog-q").fill("")
    expect(titles(page)).to_have_count(len(EVERYTHING))
    facet_item(page, "Hiệu lực", "Hết hiệu lực").get_by_role("link").click()
    expect(titles(page)).to_have_text(["Chiếu cói Kim Sơn"])

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(titles(page)).to_have_count(len(EVERYTHING))
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=non(\+|%20)la"))
    expect(titles(page)).to_have_text(["Nón lá bài thơ"])
    expect(page.locator("#catalog-q")).to_have_value("non la")

    page.go_forward()
    expect(titles(page)).to_have_count(len(EVERYTHING))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"status=expired"))
    expect(titles(page)).to_have_text(["Chiếu cói Kim Sơn"])


def test_pagination_link_and_back(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/san-pham?sort=name&per_page=4")
    expect(titles(page)).to_have_count(4)
    first_page = titles(page).all_inner_texts()
    page.get_by_role("link", name="Trang sau →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(titles(page)).to_have_count(2)
    expect(page.locator(".pager")).to_contain_text("Trang 2/2")
    page.go_back()
    expect(titles(page)).to_have_text(first_page)


def test_search_facets_and_back_without_javascript(page_without_js: Page, live_server: str) -> None:
    page = page_without_js
    page.goto(f"{live_server}/san-pham")
    page.locator("#catalog-q").fill("banh trang")
    page.locator("#search-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/san-pham\?q=banh\+trang"))
    expect(titles(page)).to_have_text(["Bánh tráng phơi sương"])

    page.locator("#catalog-q").fill("")
    page.locator("#search-form button[type=submit]").click()
    facet_item(page, "Nhóm sản phẩm", "Thủ công mỹ nghệ").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe"))
    expect(titles(page)).to_have_count(3)
    facet_item(page, "Hiệu lực", "Hết hiệu lực").get_by_role("link").click()
    expect(titles(page)).to_have_text(["Chiếu cói Kim Sơn"])

    page.locator("#catalog-q").fill("chieu")  # the form carries the chosen filters along
    page.locator("#search-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=chieu&(sort=relevance&)?group=thu_cong_my_nghe&status=expired"))
    expect(titles(page)).to_have_text(["Chiếu cói Kim Sơn"])

    page.go_back()
    expect(page).to_have_url(re.compile(r"group=thu_cong_my_nghe&status=expired$"))
    page.go_back()
    expect(titles(page)).to_have_count(3)
    page.go_back()
    expect(titles(page)).to_have_count(len(EVERYTHING))
    page.go_forward()
    expect(titles(page)).to_have_count(3)


def test_pagination_without_javascript(page_without_js: Page, live_server: str) -> None:
    page = page_without_js
    page.goto(f"{live_server}/san-pham?sort=name&per_page=4")
    page.get_by_role("link", name="Trang sau →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(titles(page)).to_have_count(2)
    page.get_by_role("link", name="← Trang trước").click()
    expect(titles(page)).to_have_count(4)

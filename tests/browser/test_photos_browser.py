"""An office adds photos in a real browser: several files through one file input, a refused file named
(and nothing saved), alt text required, the variants served, a new cover chosen, seen on the public page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.conftest import Seeder, sign_in
from tests.browser.seeds import photo_bytes
from tests.factories import TEST_PASSWORD, make_product, make_user

pytestmark = pytest.mark.browser

FILE_LABEL = "Chọn ảnh (có thể chọn nhiều ảnh cùng lúc)"
ALT_LABEL = "Văn bản thay thế cho các ảnh tải lên lần này"


@dataclass(slots=True)
class Lantern:
    """The Đà Nẵng product without photos and the office that manages it."""

    product_id: int = 0
    slug: str = ""
    email: str = ""
    other_id: int = 0


@pytest.fixture(scope="module")
def lantern() -> Lantern:
    """Filled by `extra_seed` when the module's server starts."""
    return Lantern()


@pytest.fixture(scope="module")
def extra_seed(lantern: Lantern) -> Seeder:
    """Two Đà Nẵng products without photos and a Đà Nẵng office account."""
    def seed(session: Session, settings: Settings) -> None:
        product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang",
                               group="thu_cong_my_nghe", issued_on=date(date.today().year, 1, 2))
        other = make_product(session, name="Chiếu hoa Cẩm Nê", province_slug="da-nang")
        session.commit()
        assert product.id is not None and other.id is not None
        lantern.product_id, lantern.slug, lantern.other_id = product.id, product.slug, other.id
        lantern.email = make_user(session, province_slug="da-nang").email
    return seed


@pytest.fixture
def files(tmp_path: Path) -> Callable[..., list[str]]:
    """Write photo files (red, green, a PNG blue; `broken` is a text file named .jpg); return their paths."""
    contents = {"den-do.jpg": photo_bytes(color=(200, 30, 30)),
                "den-xanh.jpg": photo_bytes(color=(30, 160, 60)),
                "den-lam.png": photo_bytes((800, 600), (30, 60, 200), kind="PNG"),
                "ghi-chu.jpg": b"khong phai anh"}

    def write(*names: str) -> list[str]:
        for name in names:
            (tmp_path / name).write_bytes(contents[name])
        return [str(tmp_path / name) for name in names]
    return write


def test_upload_several_photos_refusal_alt_text_and_cover(
    page: Page, live_server: str, lantern: Lantern, files: Callable[..., list[str]]
) -> None:
    photos_page = f"/quan-ly/san-pham/{lantern.product_id}/anh"
    sign_in(page, live_server, lantern.email, TEST_PASSWORD, next_path=photos_page)
    expect(page.locator("h1")).to_have_text("Ảnh sản phẩm: Đèn lồng Hội An")
    expect(page.locator("#list-title")).to_have_text("Ảnh hiện có (0)")

    # One unreadable file among three: it is named, and nothing at all is saved.
    page.get_by_label(FILE_LABEL).set_input_files(files("den-do.jpg", "ghi-chu.jpg", "den-xanh.jpg"))
    expect(page.locator("[data-photo-files]")).to_have_text(
        "Đã chọn 3 tệp: den-do.jpg, ghi-chu.jpg, den-xanh.jpg")  # photos.js lists the chosen files
    page.get_by_role("button", name="Tải ảnh lên").click()
    errors = page.locator("#upload-errors")
    expect(errors).to_contain_text("Chưa lưu ảnh nào")
    expect(errors.locator("li")).to_have_count(1)
    expect(errors.locator("li")).to_contain_text("ghi-chu.jpg")
    expect(page.locator("#list-title")).to_have_text("Ảnh hiện có (0)")

    # Alt text is required: the browser holds an empty field, the server refuses blanks.
    page.get_by_label(FILE_LABEL).set_input_files(files("den-do.jpg", "den-xanh.jpg", "den-lam.png"))
    alt = page.get_by_label(ALT_LABEL)
    alt.fill("")
    page.get_by_role("button", name="Tải ảnh lên").click()
    assert alt.evaluate("el => el.validity.valueMissing") is True
    alt.fill("   ")
    page.get_by_role("button", name="Tải ảnh lên").click()
    expect(page.locator("#upload-errors")).to_contain_text("Cần nhập văn bản thay thế")
    expect(page.locator("#list-title")).to_have_text("Ảnh hiện có (0)")

    page.get_by_label(FILE_LABEL).set_input_files(files("den-do.jpg", "den-xanh.jpg", "den-lam.png"))
    page.get_by_label(ALT_LABEL).fill("Đèn lồng lụa treo hiên nhà")
    page.get_by_role("button", name="Tải ảnh lên").click()
    expect(page).to_have_url(re.compile(r"/anh\?tb=them$"))
    expect(page.locator("#photo-notice")).to_contain_text("Đã thêm ảnh")
    expect(page.locator("#list-title")).to_have_text("Ảnh hiện có (3)")
    items = page.locator(".photo-item")
    expect(items).to_have_count(3)
    expect(items.first.locator(".photo-badge")).to_have_text("Ảnh bìa")
    for index in range(3):
        expect(page.get_by_label(f"Văn bản thay thế của ảnh {index + 1}")).to_have_value(
            "Đèn lồng lụa treo hiên nhà")
    check_variants(page, live_server, items.nth(2))

    # Make the third photo the cover: it moves first and the public page shows it.
    third = items.nth(2).locator("img").get_attribute("src")
    page.get_by_role("button", name="Đặt làm ảnh bìa (ảnh 3)").click()
    expect(page.locator("#photo-notice")).to_have_text("Đã đặt ảnh bìa.")
    expect(items.first.locator("img")).to_have_attribute("src", third or "")
    expect(items.first.locator(".photo-badge")).to_have_text("Ảnh bìa")

    # Each photo's own alt text is required too.
    page.get_by_label("Văn bản thay thế của ảnh 1").fill(" ")
    page.get_by_label("Văn bản thay thế của ảnh 2").fill("Đèn lồng xanh lá")
    page.get_by_role("button", name="Lưu văn bản thay thế").click()
    expect(page.locator("#alt-errors")).to_contain_text("Ảnh 1: Cần nhập văn bản thay thế")
    page.locator("#alt-errors a").click()
    expect(page.get_by_label("Văn bản thay thế của ảnh 1")).to_be_focused()
    page.get_by_label("Văn bản thay thế của ảnh 1").fill("Đèn lồng lam treo trước cửa")
    page.get_by_role("button", name="Lưu văn bản thay thế").click()
    expect(page.locator("#photo-notice")).to_have_text("Đã lưu văn bản thay thế.")

    page.goto(f"{live_server}/san-pham/{lantern.slug}")
    cover = page.locator("main img").first
    expect(cover).to_have_attribute("alt", "Đèn lồng lam treo trước cửa")
    expect(cover).to_have_attribute("src", third or "")


def check_variants(page: Page, base: str, item: Locator) -> None:
    """The photo offers AVIF and WebP sources and a JPEG fallback at several widths, and each is served."""
    avif = item.locator("source[type='image/avif']").get_attribute("srcset") or ""
    webp = item.locator("source[type='image/webp']").get_attribute("srcset") or ""
    jpeg = item.locator("img").get_attribute("srcset") or ""
    assert re.search(r"\b320w\b", avif) and re.search(r"\b640w\b", avif), avif
    assert re.search(r"\b640w\b", webp) and re.search(r"\b640w\b", jpeg), (webp, jpeg)
    for srcset, kind in ((avif, "image/avif"), (webp, "image/webp"), (jpeg, "image/jpeg")):
        for url in (part.split()[0] for part in srcset.split(",")):
            response = page.request.get(base + url if url.startswith("/") else url)
            assert response.ok and response.headers["content-type"] == kind, (url, response.status)
    assert item.locator("img").evaluate("img => img.complete && img.naturalWidth > 0") is True


def test_upload_several_photos_without_javascript(page_without_js: Page, live_server: str, lantern: Lantern,
                                                  files: Callable[..., list[str]]) -> None:
    page = page_without_js
    photos_page = f"/quan-ly/san-pham/{lantern.other_id}/anh"
    sign_in(page, live_server, lantern.email, TEST_PASSWORD, next_path=photos_page)
    expect(page.locator("[data-photo-drop] .photo-drop__hint")).to_have_count(1)  # no drag-and-drop tip
    page.get_by_label(FILE_LABEL).set_input_files(files("den-do.jpg", "den-lam.png"))
    page.get_by_label(ALT_LABEL).fill("Chiếu hoa trải trên sân")
    page.get_by_role("button", name="Tải ảnh lên").click()
    expect(page.locator("#photo-notice")).to_contain_text("Đã thêm ảnh")
    expect(page.locator(".photo-item")).to_have_count(2)
    page.get_by_role("button", name="Đặt làm ảnh bìa (ảnh 2)").click()
    expect(page.locator("#photo-notice")).to_have_text("Đã đặt ảnh bìa.")


def test_files_chosen_before_the_script_runs_are_listed(page: Page, live_server: str, lantern: Lantern,
                                                       files: Callable[..., list[str]]) -> None:
    """A choice made before the deferred photos.js has run (a slow phone, a quick hand) is listed
    once it runs: the script reads the input's files when it starts, not only on `change`."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        """Keep the script's request waiting until the files are chosen."""
        held.append(route)

    page.route(re.compile(r"/static/photos(\.[0-9a-f]+)?\.js$"), hold)
    photos_page = f"/quan-ly/san-pham/{lantern.other_id}/anh"
    sign_in(page, live_server, lantern.email, TEST_PASSWORD, next_path=photos_page)
    page.get_by_label(FILE_LABEL).set_input_files(files("den-do.jpg", "den-lam.png"))
    expect(page.locator("[data-photo-files]")).to_have_text("")  # nothing has listed them yet
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("[data-photo-files]")).to_have_text("Đã chọn 2 tệp: den-do.jpg, den-lam.png")

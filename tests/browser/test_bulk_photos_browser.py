"""An office attaches photos of several products at once in a real browser, without JavaScript:
a zip and a loose photo through one file input, the preview table, the confirmation, the public page."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from app.config import Settings
from tests.browser.conftest import Seeder, sign_in
from tests.browser.seeds import photo_bytes
from tests.factories import TEST_PASSWORD, make_product, make_user

pytestmark = pytest.mark.browser


@dataclass(slots=True)
class Seeded:
    """Two Đà Nẵng products without photos, one of Hà Nội, and a Đà Nẵng office."""

    slug: str = ""
    email: str = ""


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """The products the photos are named after, and the office."""
    def seed(session: Session, settings: Settings) -> None:
        lantern = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang", number="58/GCN-SCT")
        make_product(session, name="Chiếu hoa Cẩm Nê", province_slug="da-nang")
        make_product(session, name="Lụa Vạn Phúc", province_slug="ha-noi")
        session.commit()
        seeded.slug = lantern.slug
        seeded.email = make_user(session, province_slug="da-nang").email
    return seed


def test_bulk_upload_preview_confirm_without_javascript(browser: Browser, live_server: str, seeded: Seeded,
                                                        tmp_path: Path) -> None:
    archive = tmp_path / "anh-san-pham.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("thang-5/58-GCN-SCT.jpg", photo_bytes(color=(200, 30, 30)))
        bundle.writestr("den-long-hoi-an (2).jpg", photo_bytes(color=(30, 160, 60)))
        bundle.writestr("lua-van-phuc.jpg", photo_bytes(color=(30, 60, 200)))
    loose = tmp_path / "Chiếu hoa cẩm nê.png"
    loose.write_bytes(photo_bytes(color=(90, 90, 20), kind="PNG"))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, seeded.email, TEST_PASSWORD, next_path="/quan-ly")
        page.get_by_role("link", name="tải ảnh hàng loạt").click()
        expect(page.locator("h1")).to_have_text("Tải ảnh hàng loạt")
        page.get_by_label("Chọn ảnh hoặc tệp .zip (có thể chọn nhiều tệp)").set_input_files(
            [str(archive), str(loose)])
        page.get_by_role("button", name="Tải lên và xem trước").click()
        expect(page.locator("h1")).to_have_text("Xem trước ảnh hàng loạt")
        rows = page.locator("#bulk-files tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.filter(has_text="58-GCN-SCT.jpg")).to_contain_text("theo số giấy chứng nhận: 58/GCN-SCT")
        expect(rows.filter(has_text="den-long-hoi-an (2).jpg")).to_contain_text("Đèn lồng Hội An")
        expect(rows.filter(has_text="Chiếu hoa cẩm nê.png")).to_contain_text("Chiếu hoa Cẩm Nê")
        expect(rows.filter(has_text="lua-van-phuc.jpg")).to_contain_text("Không khớp")

        page.get_by_role("button", name="Gắn 3 ảnh vào sản phẩm").click()
        expect(page.locator("#bulk-result")).to_contain_text("Đã thêm 3 ảnh cho 2 sản phẩm")
        page.goto(f"{live_server}/san-pham/{seeded.slug}")
        expect(page.locator("main img[alt='Đèn lồng Hội An']").first).to_be_visible()
    finally:
        context.close()


def test_bulk_page_fits_a_narrow_phone(browser: Browser, live_server: str, seeded: Seeded) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, live_server, seeded.email, TEST_PASSWORD, next_path="/quan-ly/anh-hang-loat")
        page.goto(f"{live_server}/quan-ly/anh-hang-loat")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the page scrolls sideways at 320 px: {width}"
    finally:
        context.close()

"""An office imports its winners in a real browser: bad row seen, file fixed, published, searchable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.models import SelectionRound
from tests.browser.conftest import ARTIFACTS, browser, extra_seed, live_server, live_settings, page  # noqa: F401
from tests.factories import TEST_PASSWORD, make_user, province
from tests.services.sheets import row, write_xlsx

pytestmark = pytest.mark.browser


@contextmanager
def screenshot_on_failure(tab: Page, name: str) -> Iterator[None]:
    """A full-page screenshot in test-artifacts/ when the block fails (the browser hook is per folder)."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        raise


def _seed_office_and_round(settings: Settings) -> tuple[str, int]:
    """An office account of Đà Nẵng and a provincial round of 2025: (email, round id)."""
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, province_slug="da-nang")
        selection_round = SelectionRound(level="tinh", year=2025, province_id=province(session, "da-nang").id,
                                         decision_number="77/QĐ-UBND", decision_date=date(2025, 12, 1))
        session.add(selection_round)
        session.commit()
    engine.dispose()
    assert selection_round.id is not None
    return user.email, selection_round.id


def _rows(*, bad: bool) -> list[dict[str, object]]:
    """Two rows for the round; with `bad`, the second names a province outside the office's."""
    common = {"issued_on": "15/12/2025", "certificate_number": "05/GCN-SCT"}
    return [
        row(**common, province="Đà Nẵng", product_name="Nước mắm cốt Hội An",
            producer_name="Cơ sở nước mắm Hội An"),
        row(**common, province="Hà Nội" if bad else "Đà Nẵng", product_name="Bánh khô mè Cẩm Lệ",
            producer_name="Cơ sở bánh Cẩm Lệ"),
    ]


def test_office_imports_fixes_and_publishes(page: Page, live_server: str, live_settings: Settings,  # noqa: F811
                                             tmp_path: Path) -> None:
    email, round_id = _seed_office_and_round(live_settings)
    bad = write_xlsx(tmp_path / "danh-sach.xlsx", _rows(bad=True))
    fixed = write_xlsx(tmp_path / "danh-sach-da-sua.xlsx", _rows(bad=False))
    with screenshot_on_failure(page, "test_office_imports_fixes_and_publishes"):
        page.goto(f"{live_server}/quan-ly/dot-binh-chon/{round_id}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(re.compile(rf"/quan-ly/dot-binh-chon/{round_id}$"))

        page.locator("#file").set_input_files(str(bad))
        page.get_by_role("button", name="Tải lên và xem trước").click()
        expect(page).to_have_url(re.compile(r"/quan-ly/nhap/\d+$"))
        expect(page.locator("#row-3 .problem--error")).to_contain_text("Hà Nội khác tỉnh của đợt")
        expect(page.locator("#publish-form")).to_have_count(0)

        page.locator("#file").set_input_files(str(fixed))
        page.get_by_role("button", name="Tải lên và xem trước").click()
        expect(page.locator("#preview-rows .problem--error")).to_have_count(0)
        page.get_by_role("button", name="Xuất bản").click()
        expect(page.locator("#batch-state")).to_contain_text("Đã xuất bản 2 sản phẩm")

        page.goto(f"{live_server}/san-pham?q=banh+kho+me+cam+le")
        expect(page.locator("#results .card__title")).to_have_text(["Bánh khô mè Cẩm Lệ"])

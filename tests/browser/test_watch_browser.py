"""A watch list in a real browser: shortlist → watch by e-mail → the confirmation link from the mail the
SMTP server on loopback received → manage → an alert → unsubscribe with the mail client's one click."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.routes import watch
from app.services.mail import Sender, deliver_due
from app.services.watch.alerts import run_alerts
from app.web.form_tokens import check_token
from tests.smtp import KeepingHandler

pytestmark = pytest.mark.browser
ADDRESS = "nguoi.mua@example.vn"


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory,
                  mail_server: tuple[KeepingHandler, int]) -> Settings:
    """The live server sends its mail to the loopback SMTP server."""
    return Settings(data_dir=tmp_path_factory.mktemp("browser-watch"),
                    smtp_url=f"smtp://127.0.0.1:{mail_server[1]}")


@pytest.fixture
def base(live_server: str, live_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """Links in the mails point at the live server; the form may be sent at machine speed."""
    live_settings.base_url = live_server
    monkeypatch.setattr(watch, "check_token", lambda token, **kw: check_token(token, **kw, min_age_s=0))
    return live_server


def test_shortlist_to_watch_list_to_one_click_unsubscribe(page: Page, base: str, live_settings: Settings,
                                                          mail_server: tuple[KeepingHandler, int]) -> None:
    handler, _ = mail_server
    page.goto(f"{base}/san-pham")
    card = page.locator("#results .card", has_text="Vải thiều sấy khô")  # valid until 31/12/2026
    card.get_by_role("button", name="Thêm vào danh sách chọn").click()
    expect(page.locator("#shortlist-link")).to_have_text("Danh sách chọn (1)")
    page.locator("#shortlist-link").click()
    page.get_by_label("Theo dõi bằng e-mail").fill(ADDRESS)
    page.get_by_role("button", name="Gửi thư xác nhận").click()
    expect(page.get_by_role("heading", name="Hãy kiểm tra hộp thư của bạn")).to_be_visible()

    confirmation = handler.nth(1)
    assert confirmation.rcpt_tos == [ADDRESS]
    link = re.search(rf"{re.escape(base)}/theo-doi/xac-nhan\?t=\S+", confirmation.text)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Danh sách theo dõi của bạn")).to_be_visible()
    expect(page.get_by_text("n••••••••@example.vn")).to_be_visible()
    expect(page.locator("table.watch-table tbody tr")).to_have_count(1)
    manage_url = page.url

    engine = make_engine(live_settings.sqlalchemy_url)
    try:
        with Session(engine) as session:  # what `cnnt alerts run --today 2026-12-01` does
            report = run_alerts(session=session, today=date(2026, 12, 1), base_url=base,
                                secret=live_settings.secret_key)
            session.commit()
        assert report.messages == 1
        deliver_due(engine=engine, sender=Sender.from_settings(live_settings))  # as `cnnt mail send` would
    finally:
        engine.dispose()
    alert = handler.nth(2)
    assert "Vải thiều sấy khô" in alert.text and "còn 30 ngày" in alert.text
    assert alert.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(\S+)>", alert.message["List-Unsubscribe"])
    assert unsubscribe is not None and unsubscribe.group(1).startswith(f"{base}/theo-doi/huy?t=")
    one_click = page.request.post(unsubscribe.group(1), form={"List-Unsubscribe": "One-Click"})
    assert one_click.status == 200
    page.goto(manage_url)
    expect(page.get_by_role("heading", name="Không dùng được đường dẫn này")).to_be_visible()

"""Issue 17 end to end in a real browser: a buyer pastes ten codes of mixed statuses and two unknown
lines, reads a table and an XLSX that agree with the verification page row by row, turns the list
into a watch list, confirms it from the mail a real SMTP server on loopback received, then reads
exactly the alerts due as the days pass the 90-, 30- and 0-day marks and one certificate is
revoked, and leaves with the mail client's one click.

Dates are relative to the day the test runs (the catalog's statuses are "today in Vietnam"): the
certificates watched end on 31/12 two years on, and the alerts job is run on days of that year.
"""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import make_engine
from app.domain.validity import today_in
from app.models import Certificate, Product
from app.routes import bulk_check, watch
from app.services.mail import Sender, deliver_due
from app.services.watch.alerts import run_alerts
from app.web.form_tokens import check_token
from tests.browser.conftest import Seeder
from tests.factories import make_product
from tests.smtp import KeepingHandler, Received

pytestmark = pytest.mark.browser
ADDRESS = "thu.mua@example.vn"
YEAR = today_in().year
END = YEAR + 2  # the year the watched certificates that are valid today end (issued last year)
# name → (issued on, revoked on): valid until 31/12 of the issue year + 3
WATCHED = {
    "Mật ong bạc hà Đồng Văn": (date(YEAR - 1, 3, 1), None),
    "Gốm men lam Bát Tràng": (date(YEAR - 1, 4, 1), None),
    "Bánh đa Kế Bắc Giang": (date(YEAR - 1, 5, 1), None),
    "Lụa tơ tằm Vạn Phúc": (date(YEAR - 1, 6, 1), None),  # revoked by the test, in the alerts' year
    "Nước mắm cá cơm Phú Quốc": (date(YEAR, 1, 2), None),  # ends a year later: no alert
    "Tương nếp Bần Yên Nhân": (date(YEAR, 1, 3), None),
    "Chiếu cói Kim Sơn": (date(YEAR - 6, 6, 1), None),  # ended before it was watched: no "ended"
    "Mây tre đan Phú Vinh": (date(YEAR - 5, 6, 1), None),
    "Chè búp Tân Cương": (date(YEAR - 1, 3, 1), date(YEAR - 1, 9, 1)),  # revoked before: no news
    "Rượu làng Vân": (date(YEAR, 1, 4), date(YEAR, 1, 10)),
}
UNKNOWN = ["ZZZZ-9999", "Sản phẩm không có trong danh mục"]
ENDING = ["Mật ong bạc hà Đồng Văn", "Gốm men lam Bát Tràng", "Bánh đa Kế Bắc Giang"]
IN_90 = "Còn 90 ngày (hoặc ít hơn) là hết hiệu lực"
IN_30 = "Còn 30 ngày (hoặc ít hơn) là hết hiệu lực"
ENDED, REVOKED = "Đã hết hiệu lực", "Đã bị thu hồi"


def _seed_watched(session: Session, settings: Settings) -> None:
    for name, (issued, revoked) in WATCHED.items():
        make_product(session, name=name, issued_on=issued, revoked_on=revoked)


@pytest.fixture(scope="module")
def extra_seed() -> Seeder:
    return _seed_watched


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory,
                  mail_server: tuple[KeepingHandler, int]) -> Settings:
    """The live server sends its mail to the loopback SMTP server."""
    return Settings(data_dir=tmp_path_factory.mktemp("browser-bulk-watch"),
                    smtp_url=f"smtp://127.0.0.1:{mail_server[1]}")


@pytest.fixture
def base(live_server: str, live_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """Links in the mails point at the live server; forms may be sent at machine speed."""
    live_settings.base_url = live_server
    for module in (watch, bulk_check):
        monkeypatch.setattr(module, "check_token", lambda token, **kw: check_token(token, **kw, min_age_s=0))
    return live_server


def _codes(settings: Settings) -> dict[str, str]:
    """Verification code of each watched product's certificate."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Product.name, Certificate.code)
                                .join(Certificate, col(Certificate.product_id) == col(Product.id))
                                .where(col(Product.name).in_(list(WATCHED)))).all()
    finally:
        engine.dispose()
    return dict(rows)


def _alerts(received: Received) -> set[tuple[str, str]]:
    """(product, what happened) of each alert of a message (its list of changes, not the whole table)."""
    changes = received.text.split("Toàn bộ danh sách theo dõi:")[0]
    return {(m["name"], m["words"]) for m in
            re.finditer(r"^- (?P<name>.+?) \(mã [^)]*\): (?P<words>[^,.]+)", changes, re.M)}


def _run_alerts(settings: Settings, base: str, day: date) -> int:
    """What `cnnt alerts run --today DAY` then `cnnt mail send` do; returns the messages queued."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            report = run_alerts(session=session, today=day, base_url=base, secret=settings.secret_key)
            session.commit()
        deliver_due(engine=engine, sender=Sender.from_settings(settings))
    finally:
        engine.dispose()
    return report.messages


def _revoke(settings: Settings, name: str, day: date) -> None:
    """The office revokes a watched certificate (the job compares statuses, however it was revoked)."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            joined = select(Certificate).join(Product, col(Certificate.product_id) == col(Product.id))
            cert = session.exec(joined.where(col(Product.name) == name)).one()
            cert.revoked_on, cert.revoked_reason = day, "Dùng nhãn sai quy định"
            session.add(cert)
            session.commit()
    finally:
        engine.dispose()


def test_check_a_list_watch_it_and_read_exactly_the_alerts_due(
        page: Page, base: str, live_settings: Settings, mail_server: tuple[KeepingHandler, int]) -> None:
    handler, _ = mail_server
    codes = _codes(live_settings)
    pasted = [codes[name] for name in WATCHED] + UNKNOWN
    page.goto(f"{base}/kiem-tra-danh-sach")
    page.get_by_label("Dán danh sách").fill("\n".join(pasted))
    page.get_by_role("button", name="Kiểm tra").click()
    rows = page.locator("#bulk-results tbody tr")
    expect(rows).to_have_count(12)

    table = [(rows.nth(i).get_attribute("data-status"), rows.nth(i).locator("td").nth(2).inner_text().strip())
             for i in range(12)]
    assert [status for status, _ in table[10:]] == ["not_found", "not_found"]
    statuses = {status for status, _ in table[:10]}
    assert {"expired", "revoked"} <= statuses and statuses & {"valid", "expiring"}
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Tải về Excel (.xlsx)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(downloading.value.path().read_bytes()), read_only=True).active
    assert sheet is not None
    downloaded = [tuple("" if c is None else str(c) for c in row)
                  for row in sheet.iter_rows(values_only=True)]
    assert [row[0] for row in downloaded[1:]] == pasted  # their column kept, in their order
    assert [row[1] for row in downloaded[1:]] == [words for _, words in table]  # our status, as on the page

    lookup = page.context.new_page()  # another tab: the answer to the POST stays where it is
    for code, (status, _) in zip(pasted[:10], table[:10], strict=True):  # each row as the lookup answers it
        lookup.goto(f"{base}/tra-cuu?q={code}")
        expect(lookup.locator(f".verdict.verdict--{status}")).to_be_visible()
    lookup.close()

    page.get_by_label("Địa chỉ thư điện tử").fill(ADDRESS)
    page.locator("#bulk-watch").get_by_role("button", name="Theo dõi danh sách này").click()
    expect(page.get_by_role("heading", name="Hãy kiểm tra hộp thư của bạn")).to_be_visible()
    confirmation = handler.nth(1)
    assert confirmation.rcpt_tos == [ADDRESS]
    link = re.search(rf"{re.escape(base)}/theo-doi/xac-nhan\?t=\S+", confirmation.text)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("table.watch-table tbody tr")).to_have_count(10)  # found codes only
    manage_url = page.url

    assert _run_alerts(live_settings, base, date(END, 10, 1)) == 0  # 91 days left: nothing yet
    assert _run_alerts(live_settings, base, date(END, 10, 2)) == 1
    assert _alerts(handler.nth(2)) == {(name, IN_90) for name in [*ENDING, "Lụa tơ tằm Vạn Phúc"]}
    _revoke(live_settings, "Lụa tơ tằm Vạn Phúc", date(END, 10, 15))
    assert _run_alerts(live_settings, base, date(END, 10, 20)) == 1
    assert _alerts(handler.nth(3)) == {("Lụa tơ tằm Vạn Phúc", REVOKED)}
    assert _run_alerts(live_settings, base, date(END, 12, 1)) == 1
    assert _alerts(handler.nth(4)) == {(name, IN_30) for name in ENDING}  # not the revoked one
    assert _run_alerts(live_settings, base, date(END, 12, 1)) == 0  # the same day again: nothing twice
    assert _run_alerts(live_settings, base, date(END, 12, 31)) == 1
    ended = handler.nth(5)
    assert _alerts(ended) == {(name, ENDED) for name in ENDING}
    assert _run_alerts(live_settings, base, date(END + 1, 1, 1)) == 0
    assert len(handler.received) == 5

    assert ended.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(\S+)>", ended.message["List-Unsubscribe"])
    assert unsubscribe is not None
    one_click = page.request.post(unsubscribe.group(1), form={"List-Unsubscribe": "One-Click"})
    assert one_click.status == 200
    page.goto(manage_url)
    expect(page.get_by_role("heading", name="Không dùng được đường dẫn này")).to_be_visible()
    assert _run_alerts(live_settings, base, date(END + 1, 1, 2)) == 0

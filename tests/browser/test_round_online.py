"""A whole provincial round online, in a real browser: a producer registers (the link from its mail) and
applies with attachments; the office returns the application once and the producer sends it again; the
office accepts it; two jurors are appointed, one scores and one declares a conflict; the office records
the council's decision and publishes the results; the winner's certificate answers "valid" at /v/{code};
the office nominates it to the ministry's regional round, and the ministry sees the carried-over dossier
with the provincial certificate attached.

Mail is written as .eml files by the site's own sender (no SMTP configured), read back here.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.domain.calls import criteria_json, default_criteria, default_documents, documents_json
from app.domain.levels import Level
from app.domain.validity import today_in
from app.forms.jury import decision_field
from app.models import Certificate, RoundCall, SelectionRound
from tests.browser.conftest import Seeder, sign_in
from tests.browser.seeds import photo_bytes
from tests.factories import TEST_PASSWORD, make_user, province

pytestmark = pytest.mark.browser

PRODUCER_EMAIL = "co-so-my-son@vi-du.example"
PRODUCER_PASSWORD = "mat-khau-co-so-456"  # noqa: S105 - a browser test account only
PRODUCT = "Rượu cần Mỹ Sơn"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SCORES = {"thi_truong": "34", "kinh_te_ky_thuat": "33,5", "van_hoa_tham_my": "8", "khac": "7"}


@dataclass(slots=True)
class Seeded:
    """The Quảng Nam office, the ministry's administrator, two jurors, a provincial round open for entries
    and a regional round of the ministry open for entries."""

    office: str = ""
    admin: str = ""
    jurors: tuple[str, str] = ("", "")
    provincial: int = 0
    regional: int = 0


@pytest.fixture(scope="module")
def seeded() -> Seeded:
    """Filled by `extra_seed` when the module's server starts."""
    return Seeded()


def _round(session: Session, level: Level, province_slug: str | None) -> int:
    today = today_in()
    place = province(session, province_slug).id if province_slug else None
    selection_round = SelectionRound(level=level.value, year=today.year, province_id=place,
                                     region=None if province_slug else "trung_tay_nguyen")
    session.add(selection_round)
    session.flush()
    session.add(RoundCall(round_id=selection_round.id or 0, opens_on=today - timedelta(days=3),
                          closes_on=today + timedelta(days=30), criteria=criteria_json(default_criteria()),
                          documents=documents_json(default_documents(level)), pass_mark=70))
    session.flush()
    return selection_round.id or 0


@pytest.fixture(scope="module")
def extra_seed(seeded: Seeded) -> Seeder:
    """The accounts and the two rounds with their calls."""
    def seed(session: Session, settings: Settings) -> None:
        seeded.provincial = _round(session, Level.tinh, "da-nang")
        seeded.regional = _round(session, Level.khu_vuc, None)
        seeded.office = make_user(session, province_slug="da-nang").email
        seeded.admin = make_user(session, role="admin", province_slug=None).email
        first, second = (make_user(session, role="juror", province_slug=None,
                                   email=f"giam-khao-{n}@vi-du.example").email for n in (1, 2))
        seeded.jurors = (first, second)
    return seed


def _mail(mail_dir: Path, to: str, subject_part: str) -> str:
    """The plain text of the newest message to `to` whose subject holds `subject_part` (the sender writes
    them in the background after the commit: waited for)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == to and subject_part in str(message["Subject"]):
                body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
                assert body is not None
                return str(body.get_content())
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject_part!r}")


def _path_of(link_text: str, pattern: str) -> str:
    found = re.search(pattern, link_text)
    assert found is not None, link_text
    return found.group(0)


def _register(page: Page, base: str, mail_dir: Path) -> None:
    """Register, confirm by the mailed link choosing a password, enter the new producer."""
    page.goto(f"{base}/tai-khoan/dang-ky")
    page.get_by_label("Họ tên").fill("Nguyễn Văn Sơn")
    page.get_by_label("Địa chỉ e-mail").fill(PRODUCER_EMAIL)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("h1")).to_have_text("Hãy kiểm tra hộp thư")
    link = _path_of(_mail(mail_dir, PRODUCER_EMAIL, "Xác nhận"), r"/tai-khoan/xac-nhan/\S+")
    page.goto(f"{base}{link}")
    page.get_by_label("Mật khẩu (không bắt buộc)").fill(PRODUCER_PASSWORD)
    page.get_by_role("button", name="Xác nhận và đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Khu vực cơ sở sản xuất")
    page.goto(f"{base}/tai-khoan/co-so-moi")
    page.get_by_label("Tên cơ sở").fill("Cơ sở rượu cần Mỹ Sơn")
    page.locator("#field-province").select_option(index=1)
    page.get_by_role("button", name="Đăng ký cơ sở").click()
    expect(page.locator("h1")).to_have_text("Khu vực cơ sở sản xuất")


def _apply(page: Page, base: str, seeded: Seeded, files: Path) -> str:
    """Start from the public call, fill the form and the self-assessment, attach every required file,
    submit; returns the application's path."""
    page.goto(f"{base}/nop-ho-so/{seeded.provincial}")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("button", name="Bắt đầu hồ sơ (lưu nháp, nộp sau)").click()
    expect(page.locator("#application-state")).to_contain_text("Bản nháp")
    path = page.url.split("?")[0].removeprefix(base)
    page.get_by_label("Tên sản phẩm").fill(PRODUCT)
    page.locator("#field-group").select_option("che_bien")
    page.get_by_label("Mô tả sản phẩm").fill("Rượu cần ủ men lá rừng.")
    for key, points in SCORES.items():
        page.locator(f"#field-diem-{key}").fill(points)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("[role=status]").first).to_contain_text("Đã lưu bản nháp")
    (files / "don.pdf").write_bytes(PDF)
    (files / "anh.jpg").write_bytes(photo_bytes(color=(150, 90, 40)))
    for key, name in (("phieu_dang_ky", "don.pdf"), ("mo_ta_san_pham", "don.pdf"),
                      ("dang_ky_kinh_doanh", "don.pdf"), ("hinh_anh", "anh.jpg")):
        page.locator("#field-document").select_option(key)
        page.locator("#field-file").set_input_files(str(files / name))
        page.get_by_role("button", name="Tải tệp lên").click()
        expect(page.locator("[role=status]").first).to_contain_text("Đã thêm tệp")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.locator("#application-state")).to_contain_text("Đã nộp")
    return path


def _office_checks(page: Page, base: str, application_id: str, *, accept: bool) -> None:
    page.goto(f"{base}/quan-ly/ho-so/{application_id}")
    page.locator("#decision-accept" if accept else "#decision-return").check()
    if not accept:
        page.get_by_label("Ghi chú (cơ sở đọc được)").fill("Bổ sung ảnh nhãn sản phẩm.")
    page.get_by_role("button", name="Lưu kết quả kiểm tra").click()
    expect(page.locator("#application-state")).to_contain_text("Đã tiếp nhận" if accept else "Trả lại")


def test_a_whole_provincial_round_online(browser: Browser, live_server: str, live_settings: Settings,
                                        seeded: Seeded, tmp_path: Path) -> None:
    base, mail_dir = live_server, live_settings.data_dir / "mail"
    producer = browser.new_context(locale="vi-VN")
    office = browser.new_context(locale="vi-VN")
    try:
        page = producer.new_page()
        _register(page, base, mail_dir)
        path = _apply(page, base, seeded, tmp_path)
        application_id = path.rsplit("/", 1)[-1]

        desk = office.new_page()
        sign_in(desk, base, seeded.office, TEST_PASSWORD)
        _office_checks(desk, base, application_id, accept=False)
        assert "Bổ sung ảnh nhãn" in _mail(mail_dir, PRODUCER_EMAIL, "trả lại")

        page.goto(f"{base}{path}")
        page.get_by_label("Mô tả sản phẩm").fill("Rượu cần ủ men lá rừng, nhãn in mã QR.")
        page.get_by_role("button", name="Lưu bản nháp").click()
        page.get_by_role("button", name="Nộp hồ sơ").click()
        expect(page.locator("#application-state")).to_contain_text("Đã nộp")
        _office_checks(desk, base, application_id, accept=True)

        for juror in seeded.jurors:
            desk.goto(f"{base}/quan-ly/dot-binh-chon/{seeded.provincial}/giam-khao")
            desk.get_by_label("Email").fill(juror)
            desk.get_by_role("button", name="Cử giám khảo").click()
            expect(desk.locator("main")).to_contain_text(juror)
        _jurors(browser, base, seeded, application_id)

        desk.goto(f"{base}/quan-ly/dot-binh-chon/{seeded.provincial}/cham-diem")
        expect(desk.locator("main")).to_contain_text("xung đột")
        desk.locator(f"#{decision_field(int(application_id))}-selected").check()
        desk.get_by_label("Số quyết định").fill("1234/QĐ-UBND")
        desk.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill(today_in().strftime("%d/%m/%Y"))
        desk.get_by_role("button", name="Ghi quyết định").click()
        desk.get_by_role("button", name="Công bố kết quả").click()
        expect(desk.locator("h1")).to_have_text("Xác nhận công bố kết quả")
        desk.get_by_role("button", name="Công bố kết quả").click()

        code = _certificate_code(live_settings, application_id)
        visitor = producer.new_page()
        visitor.goto(f"{base}/v/{code}")
        expect(visitor.locator("main")).to_contain_text(PRODUCT)
        expect(visitor.locator("main")).to_contain_text("Còn hiệu lực")

        desk.goto(f"{base}/quan-ly/dot-binh-chon/{seeded.provincial}/de-cu")
        desk.locator("#winners tbody tr", has_text=PRODUCT).get_by_role("button", name="Đề cử").click()
        expect(desk.locator("[role=status]")).to_contain_text("Đã đề cử")
        assert "đề cử" in _mail(mail_dir, PRODUCER_EMAIL, "đề cử")
    finally:
        producer.close()
        office.close()
    _ministry_sees_the_dossier(browser, base, seeded, code)


def _jurors(browser: Browser, base: str, seeded: Seeded, application_id: str) -> None:
    """The first juror scores every criterion with a comment; the second declares a conflict."""
    for juror, conflicted in zip(seeded.jurors, (False, True), strict=True):
        context = browser.new_context(locale="vi-VN")
        try:
            page = context.new_page()
            sign_in(page, base, juror, TEST_PASSWORD, next_path="/giam-khao")
            page.goto(f"{base}/giam-khao/ho-so/{application_id}")
            expect(page.locator("h1")).to_have_text(PRODUCT)
            if conflicted:
                page.get_by_label("Lý do").fill("Người thân của chủ cơ sở.")
                page.get_by_role("button", name="Báo xung đột lợi ích").click()
            else:
                for key, points in SCORES.items():
                    page.locator(f"[name='diem-{key}']").fill(points)
                page.get_by_role("button", name="Lưu điểm").click()
            expect(page.locator("[role=status]").first).to_be_visible()
        finally:
            context.close()


def _certificate_code(settings: Settings, application_id: str) -> str:
    """The verification code of the certificate the application became."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            from app.models import Application
            application = session.get_one(Application, int(application_id))
            assert application.certificate_id is not None
            return session.get_one(Certificate, application.certificate_id).code
    finally:
        engine.dispose()


def _ministry_sees_the_dossier(browser: Browser, base: str, seeded: Seeded, code: str) -> None:
    """The administrator opens the regional round's applications: the nominated dossier, its files and the
    provincial certificate attached."""
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        sign_in(page, base, seeded.admin, TEST_PASSWORD)
        page.goto(f"{base}/quan-ly/dot-binh-chon/{seeded.regional}/ho-so")
        row = page.locator("#applications tbody tr", has_text=PRODUCT)
        expect(row).to_contain_text("Bản nháp")  # nominated: the producer's to update and submit
        row.get_by_role("link").first.click()
        files = page.locator("#files")
        expect(files).to_contain_text("don.pdf")
        expect(files).to_contain_text("anh.jpg")
        expect(files).to_contain_text("gắn tự động khi đề cử")
        expect(files).to_contain_text(code)
    finally:
        context.close()

"""Offices handle reports of wrong information: scoped list, the page, moves with notes, the outcome mail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.domain.states import ReportState
from app.errors import InvalidInput, NotFound
from app.main import create_app
from app.models import AuditEntry, CorrectionReport, CorrectionReportEvent, MailMessage, Product, User
from app.services.office.account import Account
from app.services.office.correction_handling import change_correction_state
from tests.factories import csrf_of, make_product, make_user, province, sign_in
from tests.smtp import smtp_server

SECRET = "BIMATHANOI"  # only in Hà Nội's and the ministry's reports: never on the Đà Nẵng office's pages


@dataclass
class World:
    """Accounts and correction reports of Đà Nẵng, Hà Nội and the ministry."""

    office: User
    admin: User
    product: Product
    own: int  # Đà Nẵng, with an e-mail
    other: int  # Hà Nội
    ministry: int  # no province


def _report(session: Session, *, slug: str | None, details: str, product: Product | None = None,
            email: str | None = None, state: ReportState = ReportState.NEW) -> int:
    report = CorrectionReport(province_id=province(session, slug).id if slug else None, field="co_so",
                              details=details, product_id=product.id if product else None,
                              producer_id=product.producer_id if product else None, email=email, state=state,
                              created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    session.add(report)
    session.flush()
    assert report.id is not None
    return report.id


@pytest.fixture
def world(session: Session) -> World:
    """Three correction reports an office may or may not see."""
    product = make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang", certified_in="quang-nam")
    other_product = make_product(session, name=f"Lụa {SECRET}", province_slug="ha-noi")
    own = _report(session, slug="da-nang", details="Số điện thoại đã đổi thành 0900 111 222.",
                  product=product, email="nguoi.bao@vi-du.example")
    other = _report(session, slug="ha-noi", details=f"Sai tên {SECRET}", product=other_product)
    ministry = _report(session, slug=None, details=f"Không rõ tỉnh {SECRET}")
    office = make_user(session, province_slug="da-nang")
    admin = make_user(session, role="admin")
    session.commit()
    return World(office=office, admin=admin, product=product, own=own, other=other, ministry=ministry)


def _soup(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def _listed(soup: BeautifulSoup) -> list[int]:
    """Report ids in the list, in order."""
    links = soup.select("table.correction-table tbody tr td:nth-of-type(2) a")
    return [int(str(a["href"]).rsplit("/", 1)[-1]) for a in links]


def _move(client: TestClient, report_id: int, state: str, note: str = "") -> tuple[int, str]:
    token = csrf_of(client, "/quan-ly/bao-sai")
    response = client.post(f"/quan-ly/bao-sai/{report_id}/trang-thai",
                           data={"csrf_token": token, "state": state, "note": note}, follow_redirects=False)
    return response.status_code, (response.headers.get("location", "") if response.status_code == 303
                                  else response.text)


def test_office_sees_only_its_provinces_reports(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    response = client.get("/quan-ly/bao-sai")
    assert response.status_code == 200 and SECRET not in response.text
    assert _listed(BeautifulSoup(response.text, "html.parser")) == [world.own]
    for report_id in (world.other, world.ministry):
        assert client.get(f"/quan-ly/bao-sai/{report_id}").status_code == 404
        assert _move(client, report_id, "checking")[0] == 404


def test_admin_sees_every_report(client: TestClient, world: World) -> None:
    sign_in(client, world.admin)
    listed = _listed(_soup(client, "/quan-ly/bao-sai"))
    assert sorted(listed) == sorted([world.own, world.other, world.ministry])
    assert "Bộ Công Thương" in _soup(client, f"/quan-ly/bao-sai/{world.ministry}").get_text()


def test_the_page_and_every_move_are_recorded(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.office)
    page = _soup(client, f"/quan-ly/bao-sai/{world.own}")
    assert "0900 111 222" in page.get_text() and "Nước mắm Nam Ô" in page.get_text()
    assert page.select_one("#correction-state").get_text() == "Mới"  # type: ignore[union-attr]
    steps = [("checking", "", "Đang xác minh"), ("confirmed", "Đã sửa số điện thoại.", "Đã sửa thông tin"),
             ("closed", "", "Đã đóng"), ("checking", "Mở lại", "Đang xác minh"),
             ("unfounded", "Số cũ vẫn dùng được.", "Thông tin vốn đúng")]
    for state, note, words in steps:
        status, location = _move(client, world.own, state, note)
        assert status == 303 and location == f"/quan-ly/bao-sai/{world.own}?da-chuyen={state}"
        soup = _soup(client, location)
        assert soup.select_one("#correction-state").get_text() == words  # type: ignore[union-attr]
        assert f"“{words}”" in soup.select_one("p.notice").get_text()  # type: ignore[union-attr]
    session.rollback()
    events = session.exec(select(CorrectionReportEvent).where(CorrectionReportEvent.report_id == world.own)
                          .order_by(CorrectionReportEvent.id)).all()  # type: ignore[arg-type]
    assert [(e.from_state, e.to_state, e.note) for e in events] == [
        ("new", "checking", ""), ("checking", "confirmed", "Đã sửa số điện thoại."),
        ("confirmed", "closed", ""), ("closed", "checking", "Mở lại"),
        ("checking", "unfounded", "Số cũ vẫn dùng được.")]
    audits = session.exec(select(AuditEntry).where(AuditEntry.action == "correction.state")).all()
    assert len(audits) == 5 and all(a.entity_id == world.own for a in audits)
    mails = session.exec(select(MailMessage).order_by(MailMessage.id)).all()  # type: ignore[arg-type]
    assert [m.recipient for m in mails] == ["nguoi.bao@vi-du.example"] * 2  # one per finding
    assert "Đã sửa thông tin" in mails[0].text_body and "Thông tin vốn đúng" in mails[1].text_body


def test_refused_moves_change_nothing(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.office)
    status, body = _move(client, world.own, "confirmed", "Đã sửa.")  # new → confirmed skips the check
    assert status == 422 and "Không thể chuyển báo cáo từ “Mới” sang “Đã sửa thông tin”" in body
    assert _move(client, world.own, "checking")[0] == 303
    status, body = _move(client, world.own, "confirmed", "")
    assert status == 422 and "Vui lòng ghi rõ căn cứ kết luận “Đã sửa thông tin”" in body
    status, body = _move(client, world.own, "confirmed", "x" * 10_000)
    assert status == 422 and "tối đa 2000 ký tự" in body
    assert _move(client, world.own, "khong-co")[0] == 422
    session.rollback()
    assert session.get_one(CorrectionReport, world.own).state == "checking"
    assert session.exec(select(MailMessage)).all() == []


def test_the_service_is_the_one_way_to_move_a_report(session: Session, world: World) -> None:
    office = Account(user=world.office, role=world.office.role, province_slug="da-nang")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        change_correction_state(session=session, account=office, report_id=world.other, to_state="checking",
                                note="")
    with pytest.raises(InvalidInput):
        change_correction_state(session=session, account=office, report_id=world.own, to_state="closed",
                                note="")


def test_the_dashboard_and_navigation_count_waiting_reports(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    soup = _soup(client, "/quan-ly")
    link = soup.select_one("#open-corrections")
    assert link is not None and link.get_text().strip().endswith(": 1") and "state=mo" in str(link["href"])
    assert "(1 chưa xử lý xong)" in soup.select_one("#nav-corrections").get_text()  # type: ignore[union-attr]
    client.cookies.clear()
    sign_in(client, world.admin)
    assert _soup(client, "/quan-ly").select_one("#open-corrections").get_text().strip().endswith(": 3")  # type: ignore[union-attr]


def test_the_outcome_reaches_the_reporter_by_email_once(world: World, settings: Settings) -> None:
    """A finding e-mails the address the visitor left, through a real SMTP server; other moves, nothing."""
    with smtp_server() as (handler, port):
        live = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        with TestClient(create_app(live)) as client:
            sign_in(client, world.office)
            assert _move(client, world.own, "checking")[0] == 303
            assert _move(client, world.own, "confirmed", "Đã cập nhật số điện thoại mới.")[0] == 303
            assert _move(client, world.own, "closed")[0] == 303
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and (not handler.received or _queued(client) > 0):
                time.sleep(0.05)
    assert len(handler.received) == 1
    mail = handler.received[0]
    assert mail.rcpt_tos == ["nguoi.bao@vi-du.example"]
    assert mail.message["Subject"] == "Kết quả xử lý báo thông tin sai về Nước mắm Nam Ô"
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Đã sửa thông tin" in text and "Đã cập nhật số điện thoại mới." in text
    assert "Sở Công Thương Đà Nẵng" in text
    assert "02/03/2026" in text  # 17:30 UTC on 1 March is 2 March in Vietnam
    assert "0900 111 222" not in text  # what the visitor wrote is not sent back


def _queued(client: TestClient) -> int:
    """Messages not yet sent or failed, seen from the app's own database."""
    with Session(client.app.state.engine) as fresh:  # type: ignore[attr-defined]
        states = fresh.exec(select(MailMessage.state)).all()
    return sum(state in ("queued", "sending") for state in states)


def test_no_address_no_mail(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.admin)
    assert _move(client, world.ministry, "checking")[0] == 303
    assert _move(client, world.ministry, "unfounded", "Không đủ thông tin.")[0] == 303
    session.rollback()
    assert session.exec(select(MailMessage)).all() == []


def test_the_same_outcome_twice_mails_once(client: TestClient, world: World, session: Session) -> None:
    """Reopened and found the same way again: the visitor already knows, so no second message."""
    sign_in(client, world.office)
    for state, note in (("checking", ""), ("confirmed", "Đã sửa."), ("closed", ""), ("checking", "Xem lại"),
                        ("confirmed", "Vẫn đúng là đã sửa.")):
        assert _move(client, world.own, state, note)[0] == 303
    session.rollback()
    keys = [m.dedupe_key for m in session.exec(select(MailMessage)).all()]
    assert len(keys) == 1 and keys[0].startswith(f"correction-outcome:{world.own}:")

"""A reporter who left an e-mail address is told the outcome of their misuse report, once per outcome."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.domain.codes import display_code
from app.models import Certificate, MailMessage, MisuseReport
from app.services.mail import configure_mail
from app.services.verification.report_outcome_mail import email_in_contact, queue_report_outcome
from tests.factories import make_product, province

NOTE = "Cơ sở bán hàng đã được nhắc nhở; sản phẩm <thật> vẫn còn hiệu lực."


@pytest.mark.parametrize(("contact", "address"), [
    ("nguoi.mua@example.vn", "nguoi.mua@example.vn"),
    ("0912 345 678 - Lan, email: lan.nguyen+cnnt@mail.example.com.", "lan.nguyen+cnnt@mail.example.com"),
    ("Chị Hoa (hoa_tran@example.vn) hoặc gọi 0987654321", "hoa_tran@example.vn"),
    ("0912345678", None),
    ("gọi em sau 5h @ cửa hàng", None),
    ("", None),
    (None, None),
])
def test_an_address_is_found_in_free_text(contact: str | None, address: str | None) -> None:
    assert email_in_contact(contact) == address


def _report(session: Session, contact: str | None) -> tuple[MisuseReport, Certificate]:
    product = make_product(session, province_slug="da-nang")
    certificate = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    report = MisuseReport(product_id=product.id, certificate_id=certificate.id,
                          province_id=province(session, "da-nang").id, reported_code=certificate.code,
                          where_bought="Chợ Hàn", details="Bao bì in logo nhưng mã không khớp.",
                          contact=contact, created_at=datetime(2026, 12, 4, 18, 30, tzinfo=UTC))
    session.add(report)
    session.flush()
    return report, certificate


def test_the_outcome_is_queued_for_the_reporter(session: Session) -> None:
    configure_mail(base_url="https://cnnt.example.vn")
    report, certificate = _report(session, "Lan - 0912345678 - lan@example.vn")
    mail = queue_report_outcome(session=session, report=report, outcome="Xác nhận có vi phạm", note=NOTE)
    session.commit()
    assert mail is not None and mail.recipient == "lan@example.vn"
    code = display_code(certificate.code)
    assert mail.subject == f"Kết quả xử lý phản ánh của bạn về mã {code}"
    assert "Xác nhận có vi phạm" in mail.text_body and NOTE in mail.text_body
    assert "Sở Công Thương Đà Nẵng" in mail.text_body
    assert "05/12/2026" in mail.text_body  # 18:30 UTC on the 4th is the 5th in Vietnam
    assert f"https://cnnt.example.vn/v/{certificate.code}" in mail.text_body
    for internal in ("Chợ Hàn", "mã không khớp", "0912345678", "in_progress", "resolved"):
        assert internal not in mail.text_body and internal not in mail.html_body  # nothing internal
    html = BeautifulSoup(mail.html_body, "html.parser")
    assert html.find("strong").get_text() == code
    assert NOTE in html.get_text() and html.find("thật") is None


def test_no_address_no_mail(session: Session) -> None:
    report, _ = _report(session, "0912 345 678")
    assert queue_report_outcome(session=session, report=report, outcome="Không có cơ sở", note="") is None
    report_without, _ = _report(session, None)
    assert queue_report_outcome(session=session, report=report_without, outcome="Không có cơ sở",
                                note="") is None
    session.commit()
    assert session.exec(select(MailMessage)).all() == []


def test_one_mail_per_report_and_outcome(session: Session) -> None:
    report, _ = _report(session, "lan@example.vn")
    assert queue_report_outcome(session=session, report=report, outcome="Xác nhận có vi phạm", note="a")
    again = queue_report_outcome(session=session, report=report, outcome="Xác nhận có vi phạm", note="b")
    assert again is None
    assert queue_report_outcome(session=session, report=report, outcome="Đã đóng", note="")  # a new outcome
    session.commit()
    assert len(session.exec(select(MailMessage)).all()) == 2


def test_a_report_on_an_unknown_product_names_the_code_typed(session: Session) -> None:
    report = MisuseReport(reported_code="XYZ-123", where_bought="Online", contact="an@example.vn")
    session.add(report)
    session.flush()
    mail = queue_report_outcome(session=session, report=report, outcome="Không có cơ sở", note="")
    assert mail is not None and "XYZ-123" in mail.subject and "Bộ Công Thương" in mail.text_body
    assert "Ghi chú" not in mail.text_body  # no note, no empty heading

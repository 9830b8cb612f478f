"""Claiming a producer record and entering a new one; the office approves or refuses the claim.

The office of the producer's province (former provinces included) decides, the ministry's admins
too; another province's office gets 404. Approval shows the producer's certificates on the dashboard
with their status today in words; every decision is audited and mailed to the producer.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.states import ClaimState
from app.domain.validity import today_in
from app.models import AuditEntry, MailMessage, Producer, ProducerAccount, ProducerClaim
from tests.factories import add_certificate, csrf_of, make_producer, make_product, make_user, sign_in
from tests.producers.helpers import signed_up

EMAIL = "co.so.mam@example.vn"


def _claim(client: TestClient, producer: Producer, *, message: str = "Mã số thuế 0101234567") -> int:
    token = csrf_of(client, "/tai-khoan")
    data = {"producer": str(producer.id), "message": message, "csrf_token": token}
    return client.post("/tai-khoan/nhan-co-so", data=data, follow_redirects=False).status_code


def _decide(client: TestClient, claim_id: int, decision: str, note: str = "") -> int:
    token = csrf_of(client, "/quan-ly")
    data = {"decision": decision, "note": note, "csrf_token": token}
    answer = client.post(f"/quan-ly/yeu-cau-nhan-co-so/{claim_id}", data=data, follow_redirects=False)
    return answer.status_code


def _as_office(client: TestClient, session: Session, province_slug: str | None, role: str = "office") -> None:
    client.cookies.clear()
    sign_in(client, make_user(session, province_slug=province_slug, role=role))


def _as_producer(client: TestClient) -> None:
    """Sign the producer back in by a link out of its mail."""
    from tests.producers.helpers import last_link, use_link

    client.cookies.clear()
    token = csrf_of(client, "/tai-khoan/lien-ket")
    client.post("/tai-khoan/lien-ket", data={"email": EMAIL, "csrf_token": token})
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert use_link(client, last_link(session, EMAIL)) == 303


def test_claim_found_without_diacritics_approved_by_the_office_shows_certificates(
        client: TestClient, session: Session) -> None:
    today = today_in()
    producer = make_producer(session, name="Cơ sở nước mắm Đại Đồng", province_slug="da-nang")
    product = make_product(session, name="Nước mắm Nam Ô", producer=producer, province_slug="da-nang",
                           certified_in="quang-nam", issued_on=date(today.year - 1, 3, 1), number="12/QĐ")
    add_certificate(session, product, level="xa", issued_on=date(today.year - 5, 3, 1),
                    certified_in="da-nang")
    add_certificate(session, product, level="huyen", issued_on=today - timedelta(days=30),
                    revoked_on=today - timedelta(days=1), certified_in="quang-nam")
    make_producer(session, name="Cơ sở nước mắm khác tỉnh", province_slug="ha-noi")
    session.commit()
    signed_up(client, session, email=EMAIL)

    searched = client.get("/tai-khoan/nhan-co-so", params={"ten": "nuoc mam dai dong"})
    found = BeautifulSoup(searched.text, "html.parser")
    assert [label.get_text(" ", strip=True) for label in found.select("#field-producer label")] == [
        "Cơ sở nước mắm Đại Đồng · Đà Nẵng"]
    searched = client.get("/tai-khoan/nhan-co-so", params={"ten": "nuoc mam", "tinh": "ha-noi"})
    in_hanoi = BeautifulSoup(searched.text, "html.parser")
    assert [label.get_text(" ", strip=True) for label in in_hanoi.select("#field-producer label")] == [
        "Cơ sở nước mắm khác tỉnh · Hà Nội"]
    assert _claim(client, producer) == 303
    claim = session.exec(select(ProducerClaim)).one()
    assert claim.state == ClaimState.PENDING and claim.province_id == producer.province_id
    made = session.exec(select(AuditEntry).where(AuditEntry.action == "producer_claim.create")).one()
    assert made.entity_id == claim.id and json.loads(made.after or "{}")["account_id"] == claim.account_id
    again = client.post("/tai-khoan/nhan-co-so", data={"producer": str(producer.id), "message": "Lần nữa",
                                                   "csrf_token": csrf_of(client, "/tai-khoan")})
    assert again.status_code == 422 and "mỗi lần chỉ gửi một yêu cầu" in again.text
    assert "Chờ Sở Công Thương duyệt" in client.get("/tai-khoan").text

    _as_office(client, session, "ha-noi")
    assert client.get(f"/quan-ly/yeu-cau-nhan-co-so/{claim.id}").status_code == 404
    assert _decide(client, claim.id or 0, "approve") == 404
    assert "Nước mắm" not in client.get("/quan-ly/yeu-cau-nhan-co-so").text

    _as_office(client, session, "da-nang")
    nav = BeautifulSoup(client.get("/quan-ly").text, "html.parser").select_one("#nav-claims")
    assert nav is not None and "1 chờ duyệt" in nav.get_text()
    listing = client.get("/quan-ly/yeu-cau-nhan-co-so", params={"state": "pending"})
    assert "Cơ sở nước mắm Đại Đồng" in listing.text
    assert "Mã số thuế 0101234567" in client.get(f"/quan-ly/yeu-cau-nhan-co-so/{claim.id}").text
    assert _decide(client, claim.id or 0, "approve") == 303
    session.expire_all()
    assert session.exec(select(ProducerAccount)).one().producer_id == producer.id
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "producer_claim.decide")).one()
    assert json.loads(audit.after or "{}")["state"] == "approved" and audit.user_id is not None
    mail = session.exec(select(MailMessage)
                        .where(MailMessage.dedupe_key == f"producer-claim:{claim.id}")).one()
    assert mail.recipient == EMAIL and "đã được duyệt" in mail.subject
    assert _decide(client, claim.id or 0, "refuse", "Muộn") == 422  # decided already

    _as_producer(client)
    page = BeautifulSoup(client.get("/tai-khoan").text, "html.parser")
    assert page.select_one("#producer-title a")["href"] == f"/co-so/{producer.slug}"  # type: ignore[index]
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("table tbody tr")]
    cert_rows = {row[0]: row for row in rows}
    assert cert_rows["Cấp tỉnh"][1] == "12/QĐ"
    assert cert_rows["Cấp tỉnh"][3] == f"31/12/{today.year + 2}"
    assert cert_rows["Cấp tỉnh"][4] == "Còn hiệu lực"
    assert cert_rows["Cấp xã"][4] == "Hết hiệu lực"
    assert [r[4] for r in rows if r[0] not in {"Cấp tỉnh", "Cấp xã"}] == ["Đã thu hồi"]
    assert page.select_one(f'a[href="/san-pham/{product.slug}"]') is not None
    assert "Đã duyệt" in page.select_one("#claims").get_text()  # type: ignore[union-attr]


def test_a_producer_of_a_former_province_is_found_and_decided_by_its_successors_office(
        client: TestClient, session: Session) -> None:
    producer = make_producer(session, name="Cơ sở dệt thổ cẩm", province_slug="quang-nam")
    session.commit()
    signed_up(client, session, email=EMAIL)
    searched = client.get("/tai-khoan/nhan-co-so", params={"ten": "tho cam", "tinh": "Đà Nẵng"})
    found = BeautifulSoup(searched.text, "html.parser").select("#field-producer label")
    assert [label.get_text(" ", strip=True) for label in found] == ["Cơ sở dệt thổ cẩm · Quảng Nam"]
    assert _claim(client, producer) == 303
    claim = session.exec(select(ProducerClaim)).one()
    _as_office(client, session, "hue")
    assert _decide(client, claim.id or 0, "approve") == 404
    _as_office(client, session, "da-nang")
    assert "Cơ sở dệt thổ cẩm" in client.get("/quan-ly/yeu-cau-nhan-co-so").text
    assert _decide(client, claim.id or 0, "approve") == 303


def test_refusal_needs_a_note_which_the_producer_reads(client: TestClient, session: Session) -> None:
    producer = make_producer(session, name="Hợp tác xã mây tre Phú Vinh", province_slug="ha-noi")
    session.commit()
    signed_up(client, session, email=EMAIL)
    assert _claim(client, producer) == 303
    claim = session.exec(select(ProducerClaim)).one()
    _as_office(client, session, None, role="admin")
    refused = client.post(f"/quan-ly/yeu-cau-nhan-co-so/{claim.id}",
                          data={"decision": "refuse", "note": "", "csrf_token": csrf_of(client, "/quan-ly")})
    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one("#note-error")
    assert error is not None and "lý do" in error.get_text()
    assert _decide(client, claim.id or 0, "refuse", "Số điện thoại không khớp hồ sơ của Sở.") == 303
    session.expire_all()
    assert session.get_one(ProducerClaim, claim.id).state == ClaimState.REFUSED
    assert session.exec(select(ProducerAccount)).one().producer_id is None
    mail = session.exec(select(MailMessage)
                        .where(MailMessage.dedupe_key == f"producer-claim:{claim.id}")).one()
    assert "Số điện thoại không khớp" in mail.text_body
    _as_producer(client)
    claims = BeautifulSoup(client.get("/tai-khoan").text, "html.parser").select_one("#claims")
    assert claims is not None and "Không được duyệt" in claims.get_text()
    assert "Số điện thoại không khớp hồ sơ của Sở." in claims.get_text()


def test_a_producer_held_by_an_account_cannot_be_claimed_or_approved_twice(client: TestClient,
                                                                           session: Session) -> None:
    producer = make_producer(session, name="Làng gốm Bát Tràng", province_slug="ha-noi")
    session.commit()
    signed_up(client, session, email="nguoi.mot@example.vn", name="Người một")
    assert _claim(client, producer) == 303
    client.cookies.clear()
    signed_up(client, session, email="nguoi.hai@example.vn", name="Người hai")
    assert _claim(client, producer) == 303
    first, second = session.exec(select(ProducerClaim).order_by(ProducerClaim.id)).all()  # type: ignore[arg-type]
    _as_office(client, session, "ha-noi")
    assert _decide(client, first.id or 0, "approve") == 303
    late = client.post(f"/quan-ly/yeu-cau-nhan-co-so/{second.id}",
                       data={"decision": "approve", "csrf_token": csrf_of(client, "/quan-ly")})
    assert late.status_code == 422 and "Không duyệt được" in late.text
    client.cookies.clear()
    signed_up(client, session, email="nguoi.ba@example.vn", name="Người ba")
    search = client.get("/tai-khoan/nhan-co-so", params={"ten": "bat trang"})
    found = BeautifulSoup(search.text, "html.parser")
    assert "đã có tài khoản quản lý" in found.get_text()
    held = client.post("/tai-khoan/nhan-co-so", data={"producer": str(producer.id), "message": "Của tôi",
                                                  "csrf_token": csrf_of(client, "/tai-khoan")})
    assert held.status_code == 422 and "đã có tài khoản quản lý" in held.text


def test_a_new_producer_is_created_for_the_account_and_audited(client: TestClient, session: Session) -> None:
    make_producer(session, name="Cơ sở đã có", province_slug="hue")
    session.commit()
    account = signed_up(client, session, email=EMAIL)
    token = csrf_of(client, "/tai-khoan/co-so-moi")
    values = {"name": "Cơ sở đã có", "legal_form": "htx", "province": "hue", "address": "Phú Vang",
              "phone": "0234 3 123 456", "csrf_token": token}
    taken = client.post("/tai-khoan/co-so-moi", data=values)
    assert taken.status_code == 422 and "gửi yêu cầu nhận cơ sở đó" in taken.text
    bad = client.post("/tai-khoan/co-so-moi", data={**values, "name": "Đ" * 10_000, "province": "khong-co",
                                                "phone": "abc"})
    errors = BeautifulSoup(bad.text, "html.parser")
    assert bad.status_code == 422
    assert {e["id"] for e in errors.select(".field-error")} == {"name-error", "province-error", "phone-error"}
    created = client.post("/tai-khoan/co-so-moi", data={**values, "name": "Hợp tác xã Nón lá Dạ Lê"},
                          follow_redirects=False)
    assert created.status_code == 303
    session.expire_all()
    producer = session.exec(select(Producer).where(Producer.name == "Hợp tác xã Nón lá Dạ Lê")).one()
    assert producer.slug == "hop-tac-xa-non-la-da-le" and producer.legal_form == "htx"
    assert session.get_one(ProducerAccount, account.id).producer_id == producer.id
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "producer.create")).one()
    assert json.loads(audit.after or "{}")["account_id"] == account.id
    home = BeautifulSoup(client.get("/tai-khoan").text, "html.parser")
    assert home.select_one("#producer-title") is not None and home.select_one("#next-title") is None
    again = client.post("/tai-khoan/co-so-moi", data={**values, "name": "Cơ sở thứ hai"})
    assert again.status_code == 422

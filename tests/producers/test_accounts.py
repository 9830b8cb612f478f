"""Producer accounts through the site: register, confirm by link, sign in by password or one-time link.

Links are read out of the real mail outbox. The password is chosen on the confirmation link's page,
never when registering: registering someone else's address gives no way into it (issue 18). Forged,
expired and replayed links get a plain page (never a 500); an unconfirmed account and a wrong
password are refused alike; producer and office sessions never open each other's pages; a form
without its CSRF token changes nothing.
"""

from __future__ import annotations

import json
import time

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session, select

from app.config import Settings
from app.models import AuditEntry, MailMessage, ProducerAccount
from app.services.office.passwords import hash_password
from app.services.producers.tokens import LinkPurpose, fingerprint
from tests.factories import csrf_of, make_user, sign_in
from tests.producers.helpers import (
    PASSWORD,
    confirm,
    last_link,
    password_sign_in,
    register,
    signed_up,
    use_link,
)

EMAIL = "co.so.mam@example.vn"


def _account(session: Session, email: str = EMAIL) -> ProducerAccount:
    session.expire_all()
    return session.exec(select(ProducerAccount).where(ProducerAccount.email == email)).one()


def test_register_then_confirm_by_link_signs_in_once(client: TestClient, session: Session) -> None:
    assert register(client, email=EMAIL) == 303
    account = _account(session)
    assert account.confirmed_at is None and account.password_hash == ""  # no password before confirmation
    assert password_sign_in(client, email=EMAIL) == 401  # not before the address is confirmed
    link = last_link(session, EMAIL)
    page = client.get(link)  # a GET only shows the button, and the password field
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    field = BeautifulSoup(page.text, "html.parser").select_one("form input[name=password]")
    assert field is not None and field["autocomplete"] == "new-password" and field["type"] == "password"
    assert field["aria-describedby"] == "hint-password" and not field.has_attr("required")
    assert _account(session).confirmed_at is None
    assert use_link(client, link, password=PASSWORD) == 303
    assert _account(session).confirmed_at is not None
    home = BeautifulSoup(client.get("/tai-khoan").text, "html.parser")
    assert home.select_one("#next-title") is not None  # no producer yet: the two ways forward
    ways = {a["href"] for a in home.select("#next-title ~ ul a")}
    assert ways == {"/tai-khoan/nhan-co-so", "/tai-khoan/co-so-moi"}
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "producer.confirmed")).one()
    assert json.loads(audit.after or "{}")["account_id"] == account.id and audit.user_id is None

    client.cookies.clear()
    token = csrf_of(client, "/tai-khoan/dang-nhap")
    replayed = client.post(link, data={"csrf_token": token}, follow_redirects=False)
    assert replayed.status_code == 400 and "đã được dùng" in replayed.text
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302  # the replay signed nobody in
    assert password_sign_in(client, email=EMAIL) == 303
    assert client.get("/tai-khoan").status_code == 200


@pytest.mark.parametrize("token", ["khong-phai-duong-dan", "eyJhIjoxfQ.aaaa.bbbb", "x" * 400])
def test_forged_links_get_a_plain_page(client: TestClient, token: str) -> None:
    for path in (f"/tai-khoan/xac-nhan/{token}", f"/tai-khoan/dang-nhap/{token}"):
        page = client.get(path)
        assert page.status_code == 400 and "Đường dẫn không hợp lệ" in page.text
        token = csrf_of(client, "/tai-khoan/dang-nhap")
        posted = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert posted.status_code == 400
    assert client.get("/tai-khoan/dang-nhap/" + "y" * 600).status_code == 404  # longer than any token


def test_expired_and_other_purpose_links_are_refused(client: TestClient, session: Session, settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert register(client, email=EMAIL) == 303
    account = _account(session)
    payload = {"a": account.id, "n": "cu", "f": fingerprint(account)}
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: 1_000_000_000.0)  # signed long ago
        old = URLSafeTimedSerializer(settings.secret_key, salt=LinkPurpose.confirm.value).dumps(payload)
    page = client.get(f"/tai-khoan/xac-nhan/{old}")
    assert page.status_code == 400 and "hết hạn" in page.text
    confirm_token = last_link(session, EMAIL).rsplit("/", 1)[1]
    # A confirmation link is no sign-in link.
    assert client.get(f"/tai-khoan/dang-nhap/{confirm_token}").status_code == 400


def test_wrong_password_and_unknown_address_are_refused_alike(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    client.cookies.clear()
    wrong = client.post("/tai-khoan/dang-nhap", data={"email": EMAIL, "password": "sai-mat-khau-123",
                                                  "csrf_token": csrf_of(client, "/tai-khoan/dang-nhap")})
    unknown = client.post("/tai-khoan/dang-nhap", data={"email": "khong.co@example.vn", "password": PASSWORD,
                                                    "csrf_token": csrf_of(client, "/tai-khoan/dang-nhap")})
    assert wrong.status_code == unknown.status_code == 401
    message = BeautifulSoup(wrong.text, "html.parser").select_one("#login-error")
    other = BeautifulSoup(unknown.text, "html.parser").select_one("#login-error")
    assert message is not None and other is not None and message.get_text() == other.get_text()
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302


def test_registering_a_taken_address_mails_its_holder_a_sign_in_link(client: TestClient,
                                                                      session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    hash_before = _account(session).password_hash
    client.cookies.clear()
    first = client.get("/tai-khoan/da-gui").text
    assert register(client, email=EMAIL, name="Kẻ khác") == 303
    assert register(client, email="moi.tinh@example.vn") == 303  # a new address: the same answer
    assert client.get("/tai-khoan/da-gui").text == first
    account = _account(session)
    assert account.name == "Nguyễn Văn Mắm" and account.password_hash == hash_before  # nothing changed
    link = last_link(session, EMAIL)
    assert link.startswith("/tai-khoan/dang-nhap/")
    assert use_link(client, link) == 303
    assert client.get("/tai-khoan").status_code == 200
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "producer.sign_in_link")).one()


def test_one_time_sign_in_link_without_a_password(client: TestClient, session: Session) -> None:
    assert register(client, email=EMAIL) == 303
    assert use_link(client, last_link(session, EMAIL)) == 303  # confirmed without choosing a password
    assert _account(session).password_hash == ""
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "producer.password_set")).all() == []
    client.cookies.clear()
    assert password_sign_in(client, email=EMAIL, password="") == 401  # no password: links only
    assert password_sign_in(client, email=EMAIL) == 401
    token = csrf_of(client, "/tai-khoan/lien-ket")
    asked = client.post("/tai-khoan/lien-ket", data={"email": EMAIL, "csrf_token": token},
                        follow_redirects=False)
    unknown = client.post("/tai-khoan/lien-ket", data={"email": "ai.do@example.vn",
                                                   "csrf_token": csrf_of(client, "/tai-khoan/lien-ket")},
                          follow_redirects=False)
    assert asked.status_code == unknown.status_code == 303
    assert asked.headers["location"] == unknown.headers["location"]
    assert session.exec(select(MailMessage).where(MailMessage.recipient == "ai.do@example.vn")).all() == []
    link = last_link(session, EMAIL)
    assert link.startswith("/tai-khoan/dang-nhap/") and use_link(client, link) == 303
    assert client.get("/tai-khoan").status_code == 200


def test_sign_out_ends_the_session_everywhere(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    kept = dict(client.cookies)
    token = csrf_of(client, "/tai-khoan")
    out = client.post("/tai-khoan/dang-xuat", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.update(kept)  # a copy of the old cookie
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302


def test_office_and_producer_sessions_never_open_each_others_pages(client: TestClient,
                                                                   session: Session) -> None:
    sign_in(client, make_user(session, province_slug="da-nang"))
    assert client.get("/quan-ly").status_code == 200
    office = client.get("/tai-khoan", follow_redirects=False)
    assert office.status_code == 302 and office.headers["location"] == "/tai-khoan/dang-nhap"
    signed_up(client, session, email=EMAIL)  # signing in as a producer starts a fresh session
    assert client.get("/tai-khoan").status_code == 200
    producer = client.get("/quan-ly", follow_redirects=False)
    assert producer.status_code == 302 and producer.headers["location"].startswith("/quan-ly/dang-nhap")


def test_forms_without_csrf_token_change_nothing(client: TestClient, session: Session) -> None:
    assert register(client, email=EMAIL, csrf=False) == 403
    assert session.exec(select(ProducerAccount)).all() == []
    assert session.exec(select(MailMessage)).all() == []
    signed_up(client, session, email=EMAIL)
    for path in ("/tai-khoan/nhan-co-so", "/tai-khoan/co-so-moi", "/tai-khoan/dang-xuat"):
        refused = client.post(path, data={"name": "Cơ sở", "province": "hue"}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert client.get("/tai-khoan").status_code == 200


def test_a_10000_character_name_gets_a_message_naming_the_field(client: TestClient, session: Session) -> None:
    token = csrf_of(client, "/tai-khoan/dang-ky")
    answer = client.post("/tai-khoan/dang-ky", data={"name": "Â" * 10_000, "email": EMAIL,
                                                    "csrf_token": token})
    assert answer.status_code == 422
    error = BeautifulSoup(answer.text, "html.parser").select_one("#name-error")
    assert error is not None and "Họ tên dài tối đa 200 ký tự" in error.get_text()
    bad_address = client.post("/tai-khoan/dang-ky", data={"name": "A\x00B", "email": "khong-phai-email",
                                                      "csrf_token": token})
    assert bad_address.status_code == 422
    error = BeautifulSoup(bad_address.text, "html.parser").select_one("#email-error")
    assert error is not None and "Địa chỉ e-mail không hợp lệ" in error.get_text()
    assert session.exec(select(ProducerAccount)).all() == []


def test_registrations_per_address_are_rate_limited(client: TestClient, session: Session) -> None:
    statuses = [register(client, email=EMAIL) for _ in range(7)]
    assert statuses[:5] == [303] * 5 and 429 in statuses[5:]


def test_registering_again_before_confirming_ends_the_earlier_link(client: TestClient,
                                                                   session: Session) -> None:
    assert register(client, email=EMAIL, name="Tên cũ") == 303
    earlier = last_link(session, EMAIL)
    assert register(client, email=EMAIL, name="Tên mới") == 303
    later = last_link(session, EMAIL)
    assert earlier != later and client.get(earlier).status_code == 400
    assert use_link(client, earlier) == 400
    assert use_link(client, later) == 303
    account = _account(session)
    assert account.name == "Tên mới" and account.password_hash == "" and account.confirmed_at is not None


VICTIM = "chu.that@example.vn"
ATTACKER_PASSWORD = "mat-khau-ke-gian-789"  # noqa: S105 - test accounts only


def test_registering_someone_elses_address_gives_no_way_into_it(client: TestClient, session: Session) -> None:
    """The pre-hijack of issue 18: a password typed when registering another's address never signs in."""
    token = csrf_of(client, "/tai-khoan/dang-ky")
    planted = client.post("/tai-khoan/dang-ky", follow_redirects=False, data={
        "name": "Kẻ gian", "email": VICTIM, "password": ATTACKER_PASSWORD, "csrf_token": token})
    assert planted.status_code == 303
    client.cookies.clear()  # the victim, in their own browser, opens the link mailed to them
    assert use_link(client, last_link(session, VICTIM)) == 303
    assert client.get("/tai-khoan").status_code == 200
    assert _account(session, VICTIM).confirmed_at is not None
    client.cookies.clear()  # the attacker again
    assert password_sign_in(client, email=VICTIM, password=ATTACKER_PASSWORD) == 401
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302


def test_a_password_stored_before_confirmation_does_not_survive_it(client: TestClient,
                                                                   session: Session) -> None:
    """An unconfirmed account that holds a hash (as registrations made before the fix left them) loses it."""
    assert register(client, email=VICTIM) == 303
    account = _account(session, VICTIM)
    account.password_hash = hash_password(ATTACKER_PASSWORD)
    session.add(account)
    session.commit()
    token = csrf_of(client, "/tai-khoan/lien-ket")
    asked = client.post("/tai-khoan/lien-ket", data={"email": VICTIM, "csrf_token": token},
                        follow_redirects=False)
    assert asked.status_code == 303
    link = last_link(session, VICTIM)
    assert link.startswith("/tai-khoan/xac-nhan/") and use_link(client, link) == 303
    assert _account(session, VICTIM).password_hash == ""
    client.cookies.clear()
    assert password_sign_in(client, email=VICTIM, password=ATTACKER_PASSWORD) == 401


def test_a_password_chosen_at_confirmation_signs_in(client: TestClient, session: Session) -> None:
    assert register(client, email=EMAIL) == 303
    assert use_link(client, last_link(session, EMAIL), password=PASSWORD) == 303
    account = _account(session)
    assert account.password_hash not in ("", PASSWORD)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "producer.password_set")).one()
    assert json.loads(entry.after or "{}")["account_id"] == account.id and PASSWORD not in (entry.after or "")
    client.cookies.clear()
    assert password_sign_in(client, email=EMAIL, password="sai-mat-khau-123") == 401
    assert password_sign_in(client, email=EMAIL) == 303
    assert client.get("/tai-khoan").status_code == 200


@pytest.mark.parametrize(("password", "message"), [("ngan", "Mật khẩu cần ít nhất 10 ký tự"),
                                                   ("x" * 201, "Mật khẩu dài tối đa 200 ký tự")])
def test_a_refused_password_at_confirmation_leaves_the_link_usable(client: TestClient, session: Session,
                                                                   password: str, message: str) -> None:
    assert register(client, email=EMAIL) == 303
    link = last_link(session, EMAIL)
    refused = confirm(client, link, password=password)
    assert refused.status_code == 422 and refused.headers["referrer-policy"] == "no-referrer"
    page = BeautifulSoup(refused.text, "html.parser")
    error = page.select_one("#password-error")
    assert error is not None and message in error.get_text()
    field = page.select_one("#field-password")
    assert field is not None and field["aria-invalid"] == "true" and not field.get("value")
    assert _account(session).confirmed_at is None
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302  # nobody signed in
    assert client.get(link).status_code == 200  # the link was not spent
    assert use_link(client, link, password=PASSWORD) == 303
    assert _account(session).confirmed_at is not None
    client.cookies.clear()
    assert password_sign_in(client, email=EMAIL) == 303


def test_the_sign_in_link_page_asks_for_no_password(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    client.cookies.clear()
    token = csrf_of(client, "/tai-khoan/lien-ket")
    client.post("/tai-khoan/lien-ket", data={"email": EMAIL, "csrf_token": token}, follow_redirects=False)
    link = last_link(session, EMAIL)
    page = client.get(link)
    assert page.status_code == 200
    assert BeautifulSoup(page.text, "html.parser").select_one("input[name=password]") is None
    hash_before = _account(session).password_hash
    assert use_link(client, link, password="mat-khau-moi-456") == 303  # a posted password is ignored
    assert _account(session).password_hash == hash_before

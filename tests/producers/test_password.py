"""The signed-in producer's password (/tai-khoan/mat-khau): changed with the current one, or a first one set
on a one-time link mailed to a link-only account.

Changing it ends the account's other sessions and keeps this one signed in; a wrong current password
is refused and throttled as sign-ins are; a password link is spent once; forms without the session's
CSRF token change nothing.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.models import AuditEntry, MailMessage, ProducerAccount
from app.web.login_throttle import ATTEMPTS_PER_ACCOUNT_AND_CLIENT
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

EMAIL = "co.so.nuoc.mam@example.vn"
NEW_PASSWORD = "mat-khau-moi-456"  # noqa: S105 - test accounts only


def _account(session: Session) -> ProducerAccount:
    session.expire_all()
    return session.exec(select(ProducerAccount).where(ProducerAccount.email == EMAIL)).one()


def _change(client: TestClient, *, current: str, new: str = NEW_PASSWORD, repeat: str | None = None,
            prefix: str = "") -> Response:
    """Post the change form with the session's CSRF token; the response, not followed."""
    data = {"current": current, "new": new, "repeat": new if repeat is None else repeat,
            "csrf_token": csrf_of(client, f"{prefix}/tai-khoan/mat-khau")}
    return client.post(f"{prefix}/tai-khoan/mat-khau", data=data, follow_redirects=False)


def _errors(page: str) -> dict[str, str]:
    """The form's per-field messages, by field name."""
    soup = BeautifulSoup(page, "html.parser")
    return {str(a["href"]).removeprefix("#field-"): a.get_text() for a in soup.select("[role=alert] li a")}


def _ask_for_link(client: TestClient) -> Response:
    """Press the link-only account's button that mails a password link; the response, not followed."""
    return client.post("/tai-khoan/mat-khau/gui-lien-ket", data={"csrf_token": csrf_of(client, "/tai-khoan")},
                       follow_redirects=False)


def _link_only(client: TestClient, session: Session) -> None:
    """A confirmed account that chose no password, signed in."""
    assert register(client, email=EMAIL) == 303
    assert use_link(client, last_link(session, EMAIL)) == 303
    assert _account(session).password_hash == ""


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(client: TestClient,
                                                                      session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    other_browser = dict(client.cookies)
    answer = _change(client, current=PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/tai-khoan/mat-khau?da_doi=1"
    page = client.get("/tai-khoan/mat-khau?da_doi=1")
    assert page.status_code == 200
    assert BeautifulSoup(page.text, "html.parser").select_one("#password-changed") is not None
    mine = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update(other_browser)
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302
    client.cookies.update(mine)
    assert client.get("/tai-khoan").status_code == 200
    client.cookies.clear()
    assert password_sign_in(client, email=EMAIL) == 401
    assert password_sign_in(client, email=EMAIL, password=NEW_PASSWORD) == 303
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "producer.password_set")).all()


def test_a_wrong_current_password_is_refused_and_throttled(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    before = _account(session).password_hash
    wrong = _change(client, current="khong-phai-mat-khau")
    assert wrong.status_code == 422
    assert _errors(wrong.text) == {"current": "Mật khẩu hiện tại không đúng."}
    for _ in range(ATTEMPTS_PER_ACCOUNT_AND_CLIENT - 1):
        assert _change(client, current="khong-phai-mat-khau").status_code == 422
    # Over the (address, client) allowance even the right password is refused, with the same message.
    throttled = _change(client, current=PASSWORD)
    assert throttled.status_code == 422 and _errors(throttled.text) == _errors(wrong.text)
    assert _account(session).password_hash == before
    assert client.get("/tai-khoan").status_code == 200  # still signed in


def test_mismatched_short_and_oversized_new_passwords_are_refused(client: TestClient,
                                                                  session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    before = _account(session).password_hash
    mismatch = _change(client, current=PASSWORD, repeat="mat-khau-khac-789")
    assert mismatch.status_code == 422 and list(_errors(mismatch.text)) == ["repeat"]
    short = _change(client, current=PASSWORD, new="ngan")
    assert short.status_code == 422 and _errors(short.text) == {"new": "Mật khẩu cần ít nhất 10 ký tự."}
    huge = _change(client, current=PASSWORD, new="x" * 10_000)
    assert huge.status_code == 422 and "new" in _errors(huge.text)
    assert _account(session).password_hash == before


def test_a_link_only_account_sets_a_password_on_a_one_time_link(client: TestClient, session: Session) -> None:
    _link_only(client, session)
    page = BeautifulSoup(client.get("/tai-khoan/mat-khau").text, "html.parser")
    assert page.select_one("#field-current") is None and page.select_one("#field-link") is not None
    other_browser = dict(client.cookies)
    asked = _ask_for_link(client)
    assert asked.status_code == 303 and asked.headers["location"] == "/tai-khoan/mat-khau?da_gui=1"
    link = last_link(session, EMAIL)
    assert link.startswith("/tai-khoan/dat-mat-khau/")
    assert client.get(link).status_code == 200
    refused = confirm(client, link, password="ngan")  # too short: the link stays unspent
    assert refused.status_code == 422 and _account(session).password_hash == ""
    assert confirm(client, link, password="").status_code == 422  # the password is what the link is for
    assert confirm(client, link, password=NEW_PASSWORD).status_code == 303
    assert client.get("/tai-khoan").status_code == 200
    replayed = confirm(client, link, password="mat-khau-thu-ba-000")
    assert replayed.status_code == 400 and "đã được dùng" in replayed.text
    client.cookies.clear()
    client.cookies.update(other_browser)
    assert client.get("/tai-khoan", follow_redirects=False).status_code == 302
    client.cookies.clear()
    assert password_sign_in(client, email=EMAIL, password=NEW_PASSWORD) == 303


def test_an_account_with_a_password_gets_no_link(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    mails = len(session.exec(select(MailMessage).where(MailMessage.recipient == EMAIL)).all())
    forged = _ask_for_link(client)
    assert forged.status_code == 422 and "current" in _errors(forged.text)
    session.expire_all()
    assert len(session.exec(select(MailMessage).where(MailMessage.recipient == EMAIL)).all()) == mails


def test_password_forms_need_the_csrf_token_and_a_producer_session(client: TestClient,
                                                                   session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    before = _account(session).password_hash
    data = {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/tai-khoan/mat-khau", data=data, follow_redirects=False).status_code == 403
    assert client.post("/tai-khoan/mat-khau/gui-lien-ket", follow_redirects=False).status_code == 403
    assert _account(session).password_hash == before
    client.cookies.clear()
    assert client.get("/tai-khoan/mat-khau", follow_redirects=False).status_code == 302
    assert client.get("/tai-khoan/dat-mat-khau/khong-hop-le").status_code == 400
    assert client.get(f"/tai-khoan/dat-mat-khau/{'x' * 600}").status_code == 404  # past the token's size
    sign_in(client, make_user(session, province_slug="da-nang"))  # an office session is no producer's
    assert client.get("/tai-khoan/mat-khau", follow_redirects=False).status_code == 302
    office = {"csrf_token": csrf_of(client, "/quan-ly"), **data}
    assert client.post("/tai-khoan/mat-khau", data=office, follow_redirects=False).status_code == 302
    assert _account(session).password_hash == before

"""Shared steps of the producer account tests: register, read links out of the mail outbox, sign in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from app.models import MailMessage, ProducerAccount
from tests.factories import csrf_of

PASSWORD = "mat-khau-co-so-123"  # noqa: S105 - test accounts only
LINK = re.compile(r"https?://[^/\s]+(/tai-khoan/(?:xac-nhan|dang-nhap|dat-mat-khau)/\S+)")


def register(client: TestClient, *, email: str, name: str = "Nguyễn Văn Mắm", csrf: bool = True) -> int:
    """Post the registration form (a name and an address); its status (303 to check your mail if accepted)."""
    data = {"name": name, "email": email}
    if csrf:
        data["csrf_token"] = csrf_of(client, "/tai-khoan/dang-ky")
    return client.post("/tai-khoan/dang-ky", data=data, follow_redirects=False).status_code


def last_link(session: Session, email: str) -> str:
    """The path of the link in the newest message queued to `email`."""
    session.expire_all()
    message = session.exec(select(MailMessage).where(MailMessage.recipient == email)
                           .order_by(col(MailMessage.id).desc())).first()
    assert message is not None, f"no mail to {email}"
    found = LINK.search(message.text_body)
    assert found is not None, message.text_body
    return found.group(1)


def use_link(client: TestClient, path: str, *, password: str = "") -> int:
    """Press the button of a link's page (the session's CSRF token), with the password typed on a
    confirmation link's page; the POST's status."""
    return confirm(client, path, password=password).status_code


def confirm(client: TestClient, path: str, *, password: str = "") -> Response:
    """Post a link's page (its password field as typed: empty is none); the response, not followed."""
    data = {"csrf_token": csrf_of(client, "/tai-khoan/dang-nhap"), "password": password}
    return client.post(path, data=data, follow_redirects=False)


def signed_up(client: TestClient, session: Session, *, email: str,
              name: str = "Nguyễn Văn Mắm") -> ProducerAccount:
    """A registered, confirmed and signed-in producer account (PASSWORD chosen when confirming)."""
    assert register(client, email=email, name=name) == 303
    assert use_link(client, last_link(session, email), password=PASSWORD) == 303
    session.expire_all()
    account = session.exec(select(ProducerAccount).where(ProducerAccount.email == email)).one()
    assert account.confirmed_at is not None
    return account


def password_sign_in(client: TestClient, *, email: str, password: str = PASSWORD) -> int:
    """Post the producer sign-in form; its status."""
    token = csrf_of(client, "/tai-khoan/dang-nhap")
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/tai-khoan/dang-nhap", data=data, follow_redirects=False).status_code

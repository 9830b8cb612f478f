"""Signing in and out: Argon2, fresh session, throttling (no lock-out), CSRF, safe redirects, cookies."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.models import User
from app.services.office import users
from app.services.office.users import LOGIN_FAILED
from app.web.login_throttle import ATTEMPTS_PER_ACCOUNT_AND_CLIENT
from tests.factories import TEST_PASSWORD, csrf_of, make_user, sign_in


def _post_login(client: TestClient, email: str, password: str, **extra: str) -> Response:
    data = {"email": email, "password": password, "csrf_token": csrf_of(client), **extra}
    return client.post("/quan-ly/dang-nhap", data=data, follow_redirects=False)


def test_password_is_hashed_with_argon2(session: Session) -> None:
    user = make_user(session)
    assert user.password_hash.startswith("$argon2") and TEST_PASSWORD not in user.password_hash


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(client: TestClient, session: Session) -> None:
    user = make_user(session)
    response = _post_login(client, user.email.upper(), TEST_PASSWORD, next="/quan-ly/san-pham")
    assert response.status_code == 303 and response.headers["location"] == "/quan-ly/san-pham"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    token = csrf_of(client)
    out = client.post("/quan-ly/dang-xuat", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303


def _login_error(response: Response) -> str:
    """The refusal shown on the login page."""
    found = BeautifulSoup(response.text, "html.parser").find(id="login-error")
    return found.get_text(" ", strip=True) if found else ""


def _from_address(client: TestClient, address: str) -> TestClient:
    """Another browser on the same app, at another client address (lifespan already run)."""
    return TestClient(client.app, client=(address, 50000))


def test_wrong_passwords_never_lock_the_owner_out(client: TestClient, session: Session) -> None:
    user = make_user(session)
    attacker = _from_address(client, "198.51.100.7")
    for _ in range(ATTEMPTS_PER_ACCOUNT_AND_CLIENT):
        assert _post_login(attacker, user.email, "sai-mat-khau").status_code == 401
    assert _post_login(attacker, user.email, TEST_PASSWORD).status_code == 401  # this pair is throttled
    owner = _from_address(client, "203.0.113.9")
    sign_in(owner, user)  # a fresh address: the owner is not held back
    session.expire_all()
    assert session.get(User, user.id) is not None


def test_throttled_and_unknown_accounts_get_a_wrong_password_answer_after_the_same_work(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, other = make_user(session), make_user(session)
    for _ in range(ATTEMPTS_PER_ACCOUNT_AND_CLIENT):
        _post_login(client, user.email, "sai-mat-khau")
    hashed: list[str | None] = []
    real = users.verify_password

    def counting(password: str, password_hash: str | None) -> bool:
        hashed.append(password_hash)
        return real(password, password_hash)

    monkeypatch.setattr(users, "verify_password", counting)
    throttled = _post_login(client, user.email, TEST_PASSWORD)
    unknown = _post_login(client, "khong-co@vi-du.example", TEST_PASSWORD)
    wrong = _post_login(client, other.email, "sai-mat-khau")
    assert throttled.status_code == unknown.status_code == wrong.status_code == 401
    assert _login_error(throttled) == _login_error(unknown) == _login_error(wrong) == LOGIN_FAILED
    assert len(hashed) == 3  # one Argon2 verification each: no faster answer to tell them apart


def test_unknown_email_gets_the_same_answer(client: TestClient, session: Session) -> None:
    response = _post_login(client, "khong-co@vi-du.example", TEST_PASSWORD)
    assert response.status_code == 401 and "không đúng" in response.text


def test_login_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    client.get("/quan-ly/dang-nhap")
    response = client.post("/quan-ly/dang-nhap", data={"email": user.email, "password": TEST_PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403


def test_next_never_leaves_the_workspace(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "/san-pham"):
        client.cookies.clear()
        response = _post_login(client, user.email, TEST_PASSWORD, next=target)
        assert response.headers["location"] == "/quan-ly"


def test_sign_in_helper_works(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role="admin"))

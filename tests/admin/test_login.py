"""Signing in and out: Argon2, fresh session, lock-out, CSRF, safe redirects, cookie flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import User
from app.services.office.passwords import MAX_FAILED_LOGINS
from tests.factories import TEST_PASSWORD, csrf_of, make_user, sign_in


def _post_login(client: TestClient, email: str, password: str, **extra: str) -> object:
    data = {"email": email, "password": password, "csrf_token": csrf_of(client), **extra}
    return client.post("/quan-ly/dang-nhap", data=data, follow_redirects=False)


def test_password_is_hashed_with_argon2(session: Session) -> None:
    user = make_user(session)
    assert user.password_hash.startswith("$argon2") and TEST_PASSWORD not in user.password_hash


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(client: TestClient, session: Session) -> None:
    user = make_user(session)
    response = _post_login(client, user.email.upper(), TEST_PASSWORD, next="/quan-ly/san-pham")
    assert response.status_code == 303 and response.headers["location"] == "/quan-ly/san-pham"  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"].lower()  # type: ignore[attr-defined]
    assert "httponly" in cookie and "samesite=lax" in cookie
    token = csrf_of(client)
    out = client.post("/quan-ly/dang-xuat", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303


def test_wrong_password_locks_the_account_for_a_while(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(MAX_FAILED_LOGINS):
        assert _post_login(client, user.email, "sai-mat-khau").status_code == 401  # type: ignore[attr-defined]
    locked = _post_login(client, user.email, TEST_PASSWORD)
    assert locked.status_code == 401 and "tạm khóa" in locked.text  # type: ignore[attr-defined]
    session.expire_all()
    row = session.get(User, user.id)
    assert row is not None and row.locked_until is not None
    row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert _post_login(client, user.email, TEST_PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_unknown_email_gets_the_same_answer(client: TestClient, session: Session) -> None:
    response = _post_login(client, "khong-co@vi-du.example", TEST_PASSWORD)
    assert response.status_code == 401 and "không đúng" in response.text  # type: ignore[attr-defined]


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
        assert response.headers["location"] == "/quan-ly"  # type: ignore[attr-defined]


def test_sign_in_helper_works(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role="admin"))

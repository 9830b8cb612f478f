"""Password change: per-field 422s, and afterwards every older session cookie is refused."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models import User
from app.web.auth import SESSION_COOKIE
from tests.factories import TEST_PASSWORD, csrf_of, make_user, sign_in

NEW_PASSWORD = "mat-khau-moi-rat-dai-789"  # noqa: S105 - test accounts only


def _change(client: TestClient, *, current: str, new: str, repeat: str | None = None) -> Response:
    data = {"current": current, "new": new, "repeat": new if repeat is None else repeat,
            "csrf_token": csrf_of(client, "/quan-ly/mat-khau")}
    return client.post("/quan-ly/mat-khau", data=data, follow_redirects=False)


def _field_error(response: Response, name: str) -> str:
    soup = BeautifulSoup(response.text, "html.parser")
    error = soup.find(id=f"{name}-error")
    field = soup.find(id=f"field-{name}")
    assert field is not None and field.get("aria-invalid") == "true"
    return error.get_text(" ", strip=True) if error else ""


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/quan-ly/mat-khau", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/quan-ly/dang-nhap")


def test_form_has_the_three_fields(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session))
    soup = BeautifulSoup(client.get("/quan-ly/mat-khau").text, "html.parser")
    for name in ("current", "new", "repeat"):
        field = soup.find("input", attrs={"name": name})
        assert field is not None and field.get("type") == "password"
        assert soup.find("label", attrs={"for": f"field-{name}"}) is not None


def test_wrong_current_password_is_422(client: TestClient, session: Session) -> None:
    user = make_user(session)
    sign_in(client, user)
    response = _change(client, current="sai-mat-khau-roi", new=NEW_PASSWORD)
    assert response.status_code == 422
    assert "hiện tại không đúng" in _field_error(response, "current")
    session.expire_all()
    row = session.get(User, user.id)
    assert row is not None and row.session_version == user.session_version


def test_mismatched_repeat_is_422(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session))
    response = _change(client, current=TEST_PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD + "x")
    assert response.status_code == 422 and "không khớp" in _field_error(response, "repeat")


def test_weak_new_password_is_422(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session))
    response = _change(client, current=TEST_PASSWORD, new="ngan")
    assert response.status_code == 422 and "ít nhất 10 ký tự" in _field_error(response, "new")


def test_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session))
    data = {"current": TEST_PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/quan-ly/mat-khau", data=data, follow_redirects=False).status_code == 403


def test_success_ends_other_sessions(client: TestClient, session: Session, settings: Settings) -> None:
    user = make_user(session)
    with TestClient(create_app(settings)) as other:
        sign_in(other, user)
        sign_in(client, user)
        old_cookie = client.cookies[SESSION_COOKIE]
        response = _change(client, current=TEST_PASSWORD, new=NEW_PASSWORD)
        assert response.status_code == 303 and response.headers["location"] == "/quan-ly/mat-khau?da_doi=1"
        assert client.cookies[SESSION_COOKIE] != old_cookie
        page = client.get("/quan-ly/mat-khau?da_doi=1", follow_redirects=False)
        assert page.status_code == 200 and "Đã đổi mật khẩu" in page.text
        assert client.get("/quan-ly", follow_redirects=False).status_code == 200
        refused = other.get("/quan-ly", follow_redirects=False)
        assert refused.status_code == 302 and refused.headers["location"].startswith("/quan-ly/dang-nhap")


def test_old_cookie_replayed_is_refused_and_new_password_signs_in(client: TestClient,
                                                                  session: Session) -> None:
    user = make_user(session)
    sign_in(client, user)
    old_cookie = client.cookies[SESSION_COOKIE]
    assert _change(client, current=TEST_PASSWORD, new=NEW_PASSWORD).status_code == 303
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, old_cookie)
    refused = client.get("/quan-ly", follow_redirects=False)
    assert refused.status_code == 302 and refused.headers["location"].startswith("/quan-ly/dang-nhap")
    client.cookies.clear()
    sign_in(client, user, password=NEW_PASSWORD)
    assert client.get("/quan-ly", follow_redirects=False).status_code == 200

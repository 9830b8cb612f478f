"""Signing out ends the session on the server: a copied cookie replayed afterwards is signed out."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Product
from app.web.auth import SESSION_COOKIE
from tests.factories import csrf_of, make_product, make_user, sign_in


def _replay(client: TestClient, cookie: str) -> None:
    """The client now carries only `cookie`: a stolen or copied session cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)


def test_a_copied_cookie_is_signed_out_after_logout(client: TestClient, session: Session) -> None:
    user = make_user(session)
    product = make_product(session, province_slug="da-nang")
    session.commit()
    sign_in(client, user)
    token = csrf_of(client, "/quan-ly")
    copied = client.cookies[SESSION_COOKIE]
    out = client.post("/quan-ly/dang-xuat", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    _replay(client, copied)
    page = client.get("/quan-ly", follow_redirects=False)
    assert page.status_code == 302 and page.headers["location"].startswith("/quan-ly/dang-nhap")
    _replay(client, copied)
    withdraw = client.post(f"/quan-ly/san-pham/{product.id}/trang-thai",
                           data={"state": "withdrawn", "csrf_token": token}, follow_redirects=False)
    assert withdraw.status_code == 302 and withdraw.headers["location"].startswith("/quan-ly/dang-nhap")
    session.expire_all()
    stored = session.get(Product, product.id)
    assert stored is not None and stored.state == "published"


def test_logout_ends_the_sessions_on_other_browsers_too(client: TestClient, session: Session) -> None:
    """The session version is per account (app/web/auth.py): signing out anywhere signs out everywhere."""
    user = make_user(session)
    other = TestClient(client.app, client=("203.0.113.9", 50000))
    sign_in(other, user)
    sign_in(client, user)
    client.post("/quan-ly/dang-xuat", data={"csrf_token": csrf_of(client, "/quan-ly")})
    assert other.get("/quan-ly", follow_redirects=False).status_code == 302
    sign_in(client, user)
    assert client.get("/quan-ly", follow_redirects=False).status_code == 200

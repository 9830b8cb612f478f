"""The account register (/quan-ly/tai-khoan): list, add, (de)activate, role, reset; all audited."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.models import AuditEntry, Province, User
from tests.factories import TEST_PASSWORD, csrf_of, make_user, sign_in

NEW_PASSWORD = "mat-khau-moi-cua-toi-2026"  # noqa: S105 - test accounts only
REGISTER = "/quan-ly/tai-khoan"


def _post(client: TestClient, url: str, **data: str) -> Response:
    data["csrf_token"] = csrf_of(client, REGISTER)
    return client.post(url, data=data, follow_redirects=False)


def _browser(client: TestClient, address: str = "203.0.113.20") -> TestClient:
    """Another browser on the same app (lifespan already run by `client`)."""
    return TestClient(client.app, client=(address, 50000))


def _one_time_password(response: Response) -> str:
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    found = BeautifulSoup(response.text, "html.parser").find(id="one-time-password")
    assert found is not None
    return found.get_text(strip=True)


def _audited(session: Session, action: str, user_id: int | None) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action,
                                                      AuditEntry.entity_id == user_id)).all())


def _stored(session: Session, user_id: int | None) -> User:
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    return user


def test_admin_sees_every_account_with_role_province_state_and_last_sign_in(client: TestClient,
                                                                            session: Session) -> None:
    office = make_user(session, province_slug="da-nang")
    admin = make_user(session, role="admin")
    sign_in(client, admin)
    page = client.get(REGISTER)
    assert page.status_code == 200
    rows = {row["id"]: row.get_text(" ", strip=True)
            for row in BeautifulSoup(page.text, "html.parser").select("tr[id^=account-]")}
    office_row, admin_row = rows[f"account-{office.id}"], rows[f"account-{admin.id}"]
    assert office.email in office_row and "Chưa đăng nhập" in office_row and "Đang hoạt động" in office_row
    selected = BeautifulSoup(page.text, "html.parser").select_one(f"#province-{office.id} option[selected]")
    assert selected is not None and selected["value"] == "da-nang"
    assert "Chưa đăng nhập" not in admin_row  # signed in just now


def test_an_office_may_not_use_the_register(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session))
    assert client.get(REGISTER, follow_redirects=False).status_code == 403


def test_a_new_account_gets_a_one_time_password_it_must_replace(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role="admin"))
    response = _post(client, REGISTER, email="Can.Bo@Hue.example", name="Cán bộ Huế", role="office",
                     province="hue")
    password = _one_time_password(response)
    user = session.exec(select(User).where(User.email == "can.bo@hue.example")).one()
    assert user.must_change_password and password not in user.password_hash
    assert _audited(session, "user.create", user.id)
    newcomer = _browser(client)
    sign_in(newcomer, user, password=password)
    forced = newcomer.get("/quan-ly/san-pham", follow_redirects=False)
    assert forced.status_code == 303 and forced.headers["location"] == "/quan-ly/mat-khau"
    changed = newcomer.post("/quan-ly/mat-khau", follow_redirects=False, data={
        "current": password, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD,
        "csrf_token": csrf_of(newcomer, "/quan-ly/mat-khau")})
    assert changed.status_code == 303
    assert newcomer.get("/quan-ly/san-pham", follow_redirects=False).status_code == 200


def test_adding_a_taken_email_is_refused_beside_its_field(client: TestClient, session: Session) -> None:
    taken = make_user(session)
    sign_in(client, make_user(session, role="admin"))
    response = _post(client, REGISTER, email=taken.email, name="x", role="office", province="da-nang")
    assert response.status_code == 422
    error = BeautifulSoup(response.text, "html.parser").find(id="email-error")
    assert error is not None and "đã có tài khoản" in error.get_text()


def test_deactivating_ends_the_sessions_and_refuses_sign_in_until_reactivated(client: TestClient,
                                                                             session: Session) -> None:
    office = make_user(session)
    elsewhere = _browser(client)
    sign_in(elsewhere, office)
    sign_in(client, make_user(session, role="admin"))
    assert _post(client, f"{REGISTER}/{office.id}/trang-thai", active="0", xac_nhan="1").status_code == 303
    assert not _stored(session, office.id).is_active
    signed_out = elsewhere.get("/quan-ly", follow_redirects=False)
    assert signed_out.status_code == 302 and signed_out.headers["location"].startswith("/quan-ly/dang-nhap")
    token = csrf_of(elsewhere)
    refused = elsewhere.post("/quan-ly/dang-nhap", follow_redirects=False,
                             data={"email": office.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert refused.status_code == 401
    entry = _audited(session, "user.deactivate", office.id)[0]
    assert entry.before is not None and entry.after is not None
    assert json.loads(entry.before)["is_active"] is True and json.loads(entry.after)["is_active"] is False
    assert _post(client, f"{REGISTER}/{office.id}/trang-thai", active="1").status_code == 303
    assert _audited(session, "user.reactivate", office.id)
    sign_in(elsewhere, office)


def test_an_admin_cannot_deactivate_itself(client: TestClient, session: Session) -> None:
    admin = make_user(session, role="admin")
    sign_in(client, admin)
    assert _post(client, f"{REGISTER}/{admin.id}/trang-thai", active="0").status_code == 422
    assert _stored(session, admin.id).is_active


def test_role_and_province_change_is_audited(client: TestClient, session: Session) -> None:
    office = make_user(session, province_slug="da-nang")
    sign_in(client, make_user(session, role="admin"))
    assert _post(client, f"{REGISTER}/{office.id}", role="office", province="ha-noi").status_code == 303
    ha_noi = session.exec(select(Province).where(Province.slug == "ha-noi")).one()
    assert _stored(session, office.id).province_id == ha_noi.id
    assert _audited(session, "user.update", office.id)
    refused = _post(client, f"{REGISTER}/{office.id}", role="office", province="")
    assert refused.status_code == 422 and _stored(session, office.id).province_id == ha_noi.id
    assert _post(client, f"{REGISTER}/{office.id}", role="admin", province="").status_code == 303
    promoted = _stored(session, office.id)
    assert promoted.role == "admin" and promoted.province_id is None


def test_a_reset_ends_sessions_and_replaces_the_old_password(client: TestClient, session: Session) -> None:
    office = make_user(session)
    elsewhere = _browser(client)
    sign_in(elsewhere, office)
    sign_in(client, make_user(session, role="admin"))
    asked = _post(client, f"{REGISTER}/{office.id}/dat-lai-mat-khau")
    assert BeautifulSoup(asked.text, "html.parser").select_one("form.confirm-actions") is not None
    password = _one_time_password(_post(client, f"{REGISTER}/{office.id}/dat-lai-mat-khau", xac_nhan="1"))
    assert elsewhere.get("/quan-ly", follow_redirects=False).status_code == 302
    assert _stored(session, office.id).must_change_password
    entry = _audited(session, "user.reset_password", office.id)[0]
    assert password not in (entry.after or "") and "password_hash" not in (entry.after or "")
    fresh = _browser(client, "203.0.113.30")
    sign_in(fresh, office, password=password)
    assert fresh.get("/quan-ly", follow_redirects=False).headers["location"] == "/quan-ly/mat-khau"


def test_deactivating_asks_for_confirmation_and_says_so(client: TestClient, session: Session) -> None:
    office = make_user(session)
    sign_in(client, make_user(session, role="admin"))
    page = BeautifulSoup(client.get(REGISTER).text, "html.parser")
    button = page.select_one(f'form[action="{REGISTER}/{office.id}/trang-thai"] button')
    assert button is not None and "button-danger" in (button.get("class") or [])
    asked = _post(client, f"{REGISTER}/{office.id}/trang-thai", active="0")
    assert asked.status_code == 200 and _stored(session, office.id).is_active
    soup = BeautifulSoup(asked.text, "html.parser")
    facts = dict(zip([dt.get_text() for dt in soup.select("#confirm-facts dt")],
                     [dd.get_text() for dd in soup.select("#confirm-facts dd")], strict=True))
    assert facts["Tài khoản"] == office.email
    form = soup.select_one("form.confirm-actions")
    assert form is not None
    fields = {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}
    done = client.post(str(form["action"]), data=fields, follow_redirects=False)
    assert done.status_code == 303 and not _stored(session, office.id).is_active
    after = BeautifulSoup(client.get(done.headers["location"]).text, "html.parser")
    notice = after.select_one("#accounts-notice")
    assert notice is not None and notice.get_text().startswith(f"Đã khóa tài khoản {office.email}")

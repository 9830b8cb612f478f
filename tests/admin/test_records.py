"""Office edits: scope (404 other province, 403 higher level), CSRF, 422 messages, lifecycle, revocation."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEntry, Certificate, Producer, Product, User
from app.web.deps import get_today
from search.indexer import apply_outbox
from tests.factories import csrf_of, make_product, make_user, sign_in

TODAY = date(2026, 6, 1)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def html(response: object) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def fixed_today(client: TestClient) -> None:
    """Answer every page as on 01/06/2026 in Vietnam."""
    client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]


def office(client: TestClient, session: Session, province: str = "ha-noi") -> User:
    """Sign `client` in as an office of `province`."""
    user = make_user(session, province_slug=province)
    sign_in(client, user)
    return user


def admin(client: TestClient, session: Session) -> User:
    """Sign `client` in as an administrator."""
    user = make_user(session, role="admin")
    sign_in(client, user)
    return user


def post(client: TestClient, path: str, data: dict[str, str]) -> object:
    """POST a form with the session's CSRF token, without following the redirect."""
    return client.post(path, data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False)


def product_form(**overrides: str) -> dict[str, str]:
    """A complete, valid product form."""
    values = {"name": "Mật ong rừng U Minh", "group": "che_bien", "description": "Mô tả",
              "producer_name": "HTX Ong mật Đồng Tháp", "legal_form": "htx", "address": "Ấp 1",
              "phone": "0900 000 000", "email": "lienhe@vi-du.example", "website": "vi-du.example"}
    return {**values, **overrides}


def cert_of(session: Session, product: Product) -> Certificate:
    """The product's (first) certificate."""
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).first()  # type: ignore[return-value]


def index(client: TestClient, session: Session) -> None:
    """Commit the factories' rows and apply the outbox."""
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]


def test_anonymous_is_sent_to_login(client: TestClient, session: Session) -> None:
    product = make_product(session)
    session.commit()
    for path in ("/quan-ly/san-pham", f"/quan-ly/san-pham/{product.id}",
                 f"/quan-ly/giay-chung-nhan/{cert_of(session, product).id}", "/quan-ly/nhat-ky"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("/quan-ly/dang-nhap?next=")


def test_anonymous_post_is_refused(client: TestClient, session: Session) -> None:
    product = make_product(session)
    session.commit()
    token = csrf_of(client)
    response = client.post(f"/quan-ly/san-pham/{product.id}", data={**product_form(), "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 302 and "/quan-ly/dang-nhap" in response.headers["location"]


def test_office_lists_only_its_province_with_search_and_state(client: TestClient, session: Session) -> None:
    mine = make_product(session, name="Vải thiều sấy", province_slug="bac-ninh", certified_in="bac-giang")
    make_product(session, name="Gốm Phù Lãng", province_slug="bac-ninh")
    other = make_product(session, name="Vải Thanh Hà", province_slug="hai-phong")
    session.commit()
    office(client, session, "bac-ninh")
    names = [a.get_text() for a in html(client.get("/quan-ly/san-pham")).select("tbody a")]
    assert sorted(names) == ["Gốm Phù Lãng", "Vải thiều sấy"] and other.name not in names
    found = html(client.get("/quan-ly/san-pham", params={"q": "vai thieu"})).select("tbody a")
    assert [a["href"] for a in found] == [f"/quan-ly/san-pham/{mine.id}"]
    assert not html(client.get("/quan-ly/san-pham", params={"state": "withdrawn"})).select("tbody a")


def test_admin_lists_every_province(client: TestClient, session: Session) -> None:
    make_product(session, province_slug="hai-phong")
    make_product(session, province_slug="hue")
    session.commit()
    admin(client, session)
    assert len(html(client.get("/quan-ly/san-pham")).select("tbody tr")) == 2


def test_office_edits_its_own_product_with_audit(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Mật ong cũ", province_slug="ha-noi")
    session.commit()
    user = office(client, session)
    page = client.get(f"/quan-ly/san-pham/{product.id}")
    assert page.status_code == 200
    assert html(page).select_one("#field-name")["value"] == "Mật ong cũ"  # type: ignore[index]
    response = post(client, f"/quan-ly/san-pham/{product.id}", product_form())
    assert response.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    stored = session.get_one(Product, product.id)
    producer = session.get_one(Producer, stored.producer_id)
    assert stored.name == "Mật ong rừng U Minh" and producer.legal_form == "htx"
    assert producer.website == "https://vi-du.example"
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [e.action for e in entries] == ["product.update", "producer.update"]
    assert entries[0].user_id == user.id and entries[0].entity_id == product.id
    assert '"name": "Mật ong cũ"' in (entries[0].before or "")
    assert '"name": "Mật ong rừng U Minh"' in (entries[0].after or "")


def test_saving_unchanged_values_writes_no_audit_entry(client: TestClient, session: Session) -> None:
    product = make_product(session)
    session.commit()
    office(client, session)
    assert post(client, f"/quan-ly/san-pham/{product.id}", product_form()).status_code == 303  # type: ignore[attr-defined]
    assert post(client, f"/quan-ly/san-pham/{product.id}", product_form()).status_code == 303  # type: ignore[attr-defined]
    assert len(session.exec(select(AuditEntry)).all()) == 2  # product and producer, once


def test_other_province_is_not_found_and_reveals_nothing(client: TestClient, session: Session) -> None:
    other = make_product(session, name="Nước mắm Cát Hải", province_slug="hai-phong", number="BÍ-MẬT-77")
    session.commit()
    office(client, session, "ha-noi")
    cert = cert_of(session, other)
    for response in (client.get(f"/quan-ly/san-pham/{other.id}"),
                     post(client, f"/quan-ly/san-pham/{other.id}", product_form()),
                     client.get(f"/quan-ly/giay-chung-nhan/{cert.id}"),
                     post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi",
                          {"revoked_on": "01/05/2026", "reason": "Thử"})):
        assert response.status_code == 404  # type: ignore[attr-defined]
        assert "Cát Hải" not in response.text and "BÍ-MẬT" not in response.text  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get_one(Product, other.id).name == "Nước mắm Cát Hải"
    assert session.get_one(Certificate, cert.id).revoked_on is None


def test_office_may_not_touch_a_national_certificate(client: TestClient, session: Session) -> None:
    product = make_product(session, province_slug="ha-noi", level="quoc_gia")
    session.commit()
    office(client, session, "ha-noi")
    cert = cert_of(session, product)
    assert client.get(f"/quan-ly/giay-chung-nhan/{cert.id}").status_code == 403
    response = post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi",
                    {"revoked_on": "01/05/2026", "reason": "Thử"})
    assert response.status_code == 403  # type: ignore[attr-defined]
    page = html(client.get(f"/quan-ly/san-pham/{product.id}"))
    assert not page.select(f'a[href="/quan-ly/giay-chung-nhan/{cert.id}"]')
    assert "Do Bộ Công Thương quản lý" in page.get_text()


def test_admin_may_edit_a_national_certificate(client: TestClient, session: Session) -> None:
    product = make_product(session, province_slug="hue", level="quoc_gia")
    session.commit()
    admin(client, session)
    cert = cert_of(session, product)
    response = post(client, f"/quan-ly/giay-chung-nhan/{cert.id}",
                    {"number": "QG-01", "issued_on": "15/12/2023", "valid_until": "", "score": "91,5"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    stored = session.get_one(Certificate, cert.id)
    assert stored.number == "QG-01" and stored.score == 91.5 and stored.valid_until == date(2026, 12, 31)


def test_missing_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Giữ nguyên")
    session.commit()
    office(client, session)
    response = client.post(f"/quan-ly/san-pham/{product.id}", data=product_form(), follow_redirects=False)
    assert response.status_code == 403
    wrong = client.post(f"/quan-ly/san-pham/{product.id}", data={**product_form(), "csrf_token": "sai"},
                        follow_redirects=False)
    assert wrong.status_code == 403
    session.expire_all()
    assert session.get_one(Product, product.id).name == "Giữ nguyên"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("name", "", "Vui lòng nhập tên sản phẩm"),
    ("name", "x" * 10_000, "tối đa 300 ký tự"),
    ("description", "y" * 10_000, "tối đa 5000 ký tự"),
    ("group", "khong-co", "bốn nhóm"),
    ("email", "khong-phai-email", "không hợp lệ"),
    ("producer_name", "   ", "tên cơ sở sản xuất"),
])
def test_invalid_product_input_is_422_with_a_message(client: TestClient, session: Session, field: str,
                                                     value: str, words: str) -> None:
    product = make_product(session, name="Giữ nguyên")
    session.commit()
    office(client, session)
    response = post(client, f"/quan-ly/san-pham/{product.id}", product_form(**{field: value}))
    assert response.status_code == 422  # type: ignore[attr-defined]
    soup = html(response)
    error = soup.select_one(f"#{field}-error")
    assert error is not None and words in error.get_text()
    assert soup.select_one("#field-address")["value"] == "Ấp 1"  # type: ignore[index]
    session.expire_all()
    assert session.get_one(Product, product.id).name == "Giữ nguyên"
    assert not session.exec(select(AuditEntry)).all()


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"issued_on": "31/02/2024"}, "issued_on", "không tồn tại"),
    ({"issued_on": "hôm qua"}, "issued_on", "Không hiểu ngày"),
    ({"issued_on": ""}, "issued_on", "Vui lòng nhập ngày cấp"),
    ({"issued_on": "01/01/2099"}, "issued_on", "không được sau hôm nay"),
    ({"score": "150"}, "score", "từ 0 đến 100"),
    ({"valid_until": "01/01/2020"}, "valid_until", "trước ngày cấp"),
    ({"number": "9" * 500}, "number", "tối đa 100 ký tự"),
    ({"round_id": "999999"}, "round_id", "đợt bình chọn"),
])
def test_invalid_certificate_input_is_422_with_a_message(
    client: TestClient, session: Session, data: dict[str, str], field: str, words: str
) -> None:
    product = make_product(session)
    session.commit()
    office(client, session)
    cert = cert_of(session, product)
    values = {"number": "12/QĐ", "issued_on": "15/12/2023", "valid_until": "", "score": "80", **data}
    response = post(client, f"/quan-ly/giay-chung-nhan/{cert.id}", values)
    assert response.status_code == 422  # type: ignore[attr-defined]
    error = html(response).select_one(f"#{field}-error")
    assert error is not None and words in error.get_text()
    assert html(response).select_one(f"#field-{field}") is not None


def test_certificate_validity_defaults_from_the_rule_and_may_be_corrected(client: TestClient,
                                                                          session: Session) -> None:
    product = make_product(session)
    session.commit()
    office(client, session)
    cert = cert_of(session, product)
    path = f"/quan-ly/giay-chung-nhan/{cert.id}"
    assert post(client, path, {"issued_on": "2024-03-02", "valid_until": ""}).status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get_one(Certificate, cert.id).valid_until == date(2027, 12, 31)
    assert post(client, path, {"issued_on": "02/03/2024", "valid_until": "30/06/2027"}).status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get_one(Certificate, cert.id).valid_until == date(2027, 6, 30)
    history = html(client.get(f"/v/{cert.code}")).select(".status-history li")
    texts = [li.get_text() for li in history]
    assert any("Điều chỉnh thời hạn hiệu lực" in text and "30/06/2027" in text for text in texts)


def _public_slugs(client: TestClient) -> set[str]:
    """Slugs the public API lists."""
    return {hit["slug"] for hit in client.get("/api/v1/products", params={"per_page": 50}).json()["hits"]}


def test_withdraw_removes_from_catalog_and_republish_brings_back(client: TestClient,
                                                                 session: Session) -> None:
    product = make_product(session, name="Chiếu cói Kim Sơn")
    index(client, session)
    assert product.slug in _public_slugs(client)
    office(client, session)
    response = post(client, f"/quan-ly/san-pham/{product.id}/trang-thai",
                    {"state": "withdrawn", "xac_nhan": "1"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert product.slug not in _public_slugs(client)
    listing = html(client.get("/san-pham"))
    assert not listing.select(f'a[href="/san-pham/{product.slug}"]')
    assert client.get(f"/san-pham/{product.slug}").status_code == 404
    state = html(client.get(f"/quan-ly/san-pham/{product.id}")).select_one("#product-state")
    assert state is not None and "Đã rút" in state.get_text()
    again = post(client, f"/quan-ly/san-pham/{product.id}/trang-thai", {"state": "published"})
    assert again.status_code == 303  # type: ignore[attr-defined]
    assert product.slug in _public_slugs(client)
    assert html(client.get("/san-pham")).select(f'a[href="/san-pham/{product.slug}"]')
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]
    assert actions == ["product.withdraw", "product.publish"]


def test_impossible_transition_is_refused(client: TestClient, session: Session) -> None:
    product = make_product(session)
    session.commit()
    office(client, session)
    response = post(client, f"/quan-ly/san-pham/{product.id}/trang-thai", {"state": "draft"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert html(response).select_one("#state-error") is not None


def test_revoke_shows_at_once_on_verification_with_history(client: TestClient, session: Session) -> None:
    product = make_product(session, issued_on=date(2024, 5, 10))
    index(client, session)
    user = office(client, session)
    cert = cert_of(session, product)
    before = html(client.get(f"/v/{cert.code}"))
    issued_only = [li.get_text() for li in before.select(".status-history li")]
    assert issued_only == ["10/05/2024: Cấp giấy chứng nhận"]
    response = post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi",
                    {"revoked_on": "20/05/2026", "reason": "Sản phẩm không còn đạt tiêu chuẩn",
                     "xac_nhan": "1"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = html(client.get(f"/v/{cert.code}"))
    assert page.select_one(".verdict__title").get_text() == "Đã thu hồi"  # type: ignore[union-attr]
    detail = page.select_one(".verdict__detail").get_text()  # type: ignore[union-attr]
    assert "20/05/2026" in detail and "không còn đạt tiêu chuẩn" in detail
    history = [li.get_text() for li in page.select(".status-history li")]
    assert history[0] == "10/05/2024: Cấp giấy chứng nhận"
    assert history[1] == "20/05/2026: Thu hồi. Lý do: Sản phẩm không còn đạt tiêu chuẩn"
    assert user.name not in page.get_text() and user.email not in page.get_text()
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "certificate.revoke")).one()
    assert entry.entity_id == cert.id and '"revoked_on": null' in (entry.before or "")


def test_revoke_needs_date_and_reason(client: TestClient, session: Session) -> None:
    product = make_product(session, issued_on=date(2024, 5, 10))
    session.commit()
    office(client, session)
    cert = cert_of(session, product)
    path = f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi"
    missing = post(client, path, {"revoked_on": "", "reason": ""})
    assert missing.status_code == 422  # type: ignore[attr-defined]
    soup = html(missing)
    assert soup.select_one("#revoked_on-error") and soup.select_one("#reason-error")
    early = post(client, path, {"revoked_on": "01/01/2024", "reason": "Vi phạm"})
    assert early.status_code == 422  # type: ignore[attr-defined]
    assert "trước ngày cấp" in html(early).select_one("#revoked_on-error").get_text()  # type: ignore[union-attr]
    assert html(early).select_one("#field-reason").get_text() == "Vi phạm"  # type: ignore[union-attr]
    session.expire_all()
    assert session.get_one(Certificate, cert.id).revoked_on is None


def test_reinstate_keeps_both_steps_in_the_history(client: TestClient, session: Session) -> None:
    product = make_product(session, issued_on=date(2024, 5, 10))
    session.commit()
    office(client, session)
    cert = cert_of(session, product)
    post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi",
         {"revoked_on": "20/05/2026", "reason": "Nhầm", "xac_nhan": "1"})
    reinstated = post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/huy-thu-hoi", {"xac_nhan": "1"})
    assert reinstated.status_code == 303  # type: ignore[attr-defined]
    page = html(client.get(f"/v/{cert.code}"))
    assert page.select_one(".verdict__title").get_text() == "Còn hiệu lực"  # type: ignore[union-attr]
    steps = [li.get_text() for li in page.select(".status-history li")]
    assert len(steps) == 3 and "Thu hồi" in steps[1] and "Hủy quyết định thu hồi" in steps[2]


def test_xss_payloads_are_stored_and_rendered_inert(client: TestClient, session: Session) -> None:
    product = make_product(session)
    index(client, session)
    office(client, session)
    cert = cert_of(session, product)
    saved = post(client, f"/quan-ly/san-pham/{product.id}",
                 product_form(name=XSS[:200], description=XSS, producer_name=XSS[:250], address=XSS))
    assert saved.status_code == 303  # type: ignore[attr-defined]
    post(client, f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi",
         {"revoked_on": "20/05/2026", "reason": XSS, "xac_nhan": "1"})
    session.expire_all()
    assert session.get_one(Product, product.id).name == XSS[:200]
    for path in (f"/quan-ly/san-pham/{product.id}", f"/quan-ly/giay-chung-nhan/{cert.id}", f"/v/{cert.code}",
                 f"/san-pham/{product.slug}", "/quan-ly/san-pham"):
        soup = html(client.get(path))
        executable = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
        assert not [s for s in executable if "alert" in s.get_text()], path  # JSON-LD is data, `</` escaped
        assert not soup.select("img[onerror]"), path


def test_a_name_the_producer_already_uses_is_refused(client: TestClient, session: Session) -> None:
    first = make_product(session, name="Chè Shan tuyết")
    second = make_product(session, name="Chè búp", producer=session.get_one(Producer, first.producer_id))
    session.commit()
    office(client, session)
    producer = session.get_one(Producer, first.producer_id)
    response = post(client, f"/quan-ly/san-pham/{second.id}",
                    product_form(name="che shan tuyet", producer_name=producer.name))
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "cùng tên" in html(response).select_one("#name-error").get_text()  # type: ignore[union-attr]


def _texts(soup: BeautifulSoup, selector: str) -> list[str]:
    """The whitespace-normalized text of each element `selector` finds."""
    return [" ".join(tag.get_text().split()) for tag in soup.select(selector)]


def _facts(soup: BeautifulSoup) -> dict[str, str]:
    """The confirmation page's restated facts, label → value."""
    return dict(zip(_texts(soup, "#confirm-facts dt"), _texts(soup, "#confirm-facts dd"), strict=True))


def _confirm_form(soup: BeautifulSoup) -> dict[str, str]:
    """The hidden fields of the confirmation form (what pressing its button posts)."""
    form = soup.select_one("form.confirm-actions")
    assert form is not None
    button = form.select_one("button[type=submit]")
    assert button is not None and "button-danger" in (button.get("class") or [])
    return {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}


def test_revoke_asks_for_confirmation_then_says_what_happened(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Nón lá Huế", issued_on=date(2024, 5, 10), number="77/GCN-SCT")
    session.commit()
    office(client, session)
    cert = cert_of(session, product)
    path = f"/quan-ly/giay-chung-nhan/{cert.id}"
    page = html(client.get(path))
    revoke_button = page.select_one(f'form[action="{path}/thu-hoi"] button')
    assert revoke_button is not None and "button-danger" in (revoke_button.get("class") or [])
    asked = post(client, f"{path}/thu-hoi", {"revoked_on": "20/05/2026", "reason": "Dùng nhãn sai"})
    assert asked.status_code == 200  # type: ignore[attr-defined]
    soup = html(asked)
    facts = _facts(soup)
    assert facts["Sản phẩm"] == "Nón lá Huế" and facts["Số giấy chứng nhận"] == "77/GCN-SCT"
    assert facts["Thu hồi từ ngày"] == "20/05/2026" and facts["Lý do (công khai)"] == "Dùng nhãn sai"
    session.expire_all()
    assert session.get_one(Certificate, cert.id).revoked_on is None  # nothing changed yet
    form = _confirm_form(soup)
    assert form["xac_nhan"] == "1" and form["reason"] == "Dùng nhãn sai"
    done = client.post(f"{path}/thu-hoi", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{path}?tb=thu-hoi"
    notice = _texts(html(client.get(done.headers["location"])), "#certificate-notice")
    assert notice == ["Đã thu hồi giấy chứng nhận số 77/GCN-SCT từ ngày 20/05/2026."]

    undo = html(post(client, f"{path}/huy-thu-hoi", {}))  # type: ignore[arg-type]
    assert _facts(undo)["Đã thu hồi từ ngày"] == "20/05/2026"
    session.expire_all()
    assert session.get_one(Certificate, cert.id).revoked_on is not None
    done = client.post(f"{path}/huy-thu-hoi", data=_confirm_form(undo), follow_redirects=False)
    assert done.status_code == 303
    notice = _texts(html(client.get(done.headers["location"])), "#certificate-notice")
    assert notice == ["Đã hủy thu hồi giấy chứng nhận số 77/GCN-SCT: giấy chứng nhận có hiệu lực trở lại."]
    session.expire_all()
    assert session.get_one(Certificate, cert.id).revoked_on is None


def test_withdraw_asks_for_confirmation_and_says_so(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Chiếu cói Kim Sơn")
    session.commit()
    office(client, session)
    path = f"/quan-ly/san-pham/{product.id}"
    button = html(client.get(path)).select_one(f'form[action="{path}/trang-thai"] button')
    assert button is not None and "button-danger" in (button.get("class") or [])
    asked = html(post(client, f"{path}/trang-thai", {"state": "withdrawn"}))  # type: ignore[arg-type]
    assert _facts(asked) == {"Sản phẩm": "Chiếu cói Kim Sơn"}
    session.expire_all()
    assert session.get_one(Product, product.id).state == "published"
    done = client.post(f"{path}/trang-thai", data=_confirm_form(asked), follow_redirects=False)
    assert done.status_code == 303
    notice = _texts(html(client.get(done.headers["location"])), "#product-notice")
    assert notice and notice[0].startswith("Đã rút sản phẩm “Chiếu cói Kim Sơn” khỏi danh mục")

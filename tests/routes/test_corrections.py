"""The form at /bao-thong-tin-sai: links to it, field errors, routing to the right office, spam defences."""

from __future__ import annotations

import time
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.models import Certificate, CorrectionReport, Producer, Product
from app.web.form_tokens import issue_token
from tests.factories import make_product, province

PURPOSE = "correction-report"
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def html(response: Any) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def token(settings: Settings, age_s: float = 10) -> str:
    """A form token issued `age_s` seconds ago (older than the minimum fill time)."""
    return issue_token(secret=settings.secret_key, purpose=PURPOSE, now=time.time() - age_s)


def post(client: TestClient, settings: Settings, *, age_s: float = 10, **fields: str) -> Any:
    """A form post as a browser sends it, without JavaScript."""
    return post_fields(client, settings, fields, age_s=age_s)


def post_fields(client: TestClient, settings: Settings, fields: dict[str, str], *, age_s: float = 10) -> Any:
    """`post` with the fields as a dict."""
    data = {"form_token": token(settings, age_s), "truong": "co_so",
            "noi_dung": "Số điện thoại đã đổi thành 0900 111 222.", "bang_chung": "", "lien_ket": "",
            "email": "", "website": "", **fields}
    return client.post("/bao-thong-tin-sai", data=data, follow_redirects=False)


def corrections(session: Session) -> list[CorrectionReport]:
    """Every stored correction report (read in a fresh transaction)."""
    session.rollback()
    return list(session.exec(select(CorrectionReport)).all())


@pytest.fixture
def lantern(session: Session) -> tuple[Product, Producer, str]:
    """A product certified in former Quảng Nam, now in Đà Nẵng; its producer and its certificate's code."""
    product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang", certified_in="quang-nam")
    producer = session.get_one(Producer, product.producer_id)
    code = session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()
    session.commit()
    return product, producer, code


def _link(soup: BeautifulSoup) -> str:
    """The page's "Báo thông tin sai" link."""
    link = soup.select_one(".correction-link a")
    assert isinstance(link, Tag) and link.get_text(strip=True) == "Báo thông tin sai"
    return str(link["href"])


def test_product_producer_and_verification_pages_link_to_the_form(
    client: TestClient, lantern: tuple[Product, Producer, str]
) -> None:
    product, producer, code = lantern
    form = "/bao-thong-tin-sai"
    assert _link(html(client.get(f"/san-pham/{product.slug}"))) == f"{form}?san-pham={product.slug}"
    assert _link(html(client.get(f"/co-so/{producer.slug}"))) == f"{form}?co-so={producer.slug}"
    assert _link(html(client.get(f"/v/{code}"))) == f"{form}?ma={code}"
    english = html(client.get(f"/en/san-pham/{product.slug}")).select_one(".correction-link a")
    assert english is not None and english["href"] == f"/en/bao-thong-tin-sai?san-pham={product.slug}"


@pytest.mark.parametrize("kind", ["san-pham", "co-so", "ma"])
def test_each_record_kind_is_stored_for_the_current_province(
    client: TestClient, session: Session, settings: Settings, lantern: tuple[Product, Producer, str],
    kind: str,
) -> None:
    product, producer, code = lantern
    value = {"san-pham": product.slug, "co-so": producer.slug, "ma": code}[kind]
    soup = html(client.get("/bao-thong-tin-sai", params={kind: value}))
    assert "Sở Công Thương Đà Nẵng" in soup.select_one(".correction-office").get_text()  # type: ignore[union-attr]
    form = soup.select_one("form.correction-form")
    assert form is not None and (form["method"], form["action"]) == ("post", "/bao-thong-tin-sai")
    hidden = {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden.pop("form_token") and len(hidden) == 1
    for field in form.select("input:not([type=hidden]), textarea, select"):
        assert soup.select_one(f"label[for={field['id']}]") is not None, field
    response = post(client, settings, **hidden, truong="dia_chi",
                    noi_dung="Địa chỉ đúng là thôn 2, xã Cẩm Hà.", bang_chung="Biển hiệu tại cơ sở", lien_ket="https://vi-du.example/co-so",
                    email="nguoi.bao@vi-du.example")
    assert response.status_code == 303
    assert response.headers["location"] == "/bao-thong-tin-sai/da-gui?so=da-nang"
    [report] = corrections(session)
    assert report.province_id == province(session, "da-nang").id and report.state == "new"
    assert report.producer_id == producer.id
    assert report.product_id == (None if kind == "co-so" else product.id)
    assert (report.certificate_id is not None) == (kind == "ma")
    assert (report.field, report.evidence, report.evidence_url, report.email) == (
        "dia_chi", "Biển hiệu tại cơ sở", "https://vi-du.example/co-so", "nguoi.bao@vi-du.example")
    thanks = html(client.get(response.headers["location"]))
    assert thanks.select_one(".report-office").get_text() == "Sở Công Thương Đà Nẵng"  # type: ignore[union-attr]


def test_a_record_still_in_a_former_province_goes_to_its_successor(
    client: TestClient, session: Session, settings: Settings
) -> None:
    # the product's row still names the former province (not yet moved to Bắc Ninh)
    product = make_product(session, name="Chiếu cói Bắc Giang", province_slug="bac-giang")
    session.commit()
    assert post(client, settings, san_pham=product.slug).headers["location"].endswith("?so=bac-ninh")
    assert corrections(session)[0].province_id == province(session, "bac-ninh").id


@pytest.mark.parametrize("params", [{}, {"san-pham": "khong-co"}, {"co-so": "khong-co"}, {"ma": "ZZZZ-ZZZZ"}])
def test_an_unknown_record_is_a_404_with_a_message(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/bao-thong-tin-sai", params=params)
    assert response.status_code == 404 and "Vui lòng mở biểu mẫu từ trang" in response.text


def test_a_forged_record_on_post_stores_nothing(client: TestClient, session: Session,
                                                settings: Settings) -> None:
    response = post(client, settings, san_pham="khong-co-san-pham-nay")
    assert response.status_code == 404 and corrections(session) == []
    assert post(client, settings, san_pham="x" * 10_000).status_code == 404


def test_a_withdrawn_product_is_not_found(client: TestClient, session: Session) -> None:
    product = make_product(session)
    product.state = "withdrawn"
    session.add(product)
    session.commit()
    assert client.get("/bao-thong-tin-sai", params={"san-pham": product.slug}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"truong": ""}, "truong", "Vui lòng chọn phần thông tin bị sai"),
        ({"truong": "mat_khau"}, "truong", "Vui lòng chọn phần thông tin bị sai"),  # forged choice
        ({"noi_dung": ""}, "noi_dung", "thông tin đúng là gì"),
        ({"noi_dung": "sai"}, "noi_dung", "ít nhất 10 ký tự"),
        ({"noi_dung": "x" * 10_000}, "noi_dung", "tối đa 2000 ký tự (đang có 10000)"),
        ({"bang_chung": "y" * 10_000}, "bang_chung", "tối đa 2000 ký tự"),
        ({"lien_ket": "https://vi-du.example/" + "z" * 10_000}, "lien_ket", "tối đa 500 ký tự"),
        ({"lien_ket": "javascript:alert(1)"}, "lien_ket", "http:// hoặc https://"),
        ({"lien_ket": "vi-du.example"}, "lien_ket", "http:// hoặc https://"),
        ({"email": "khong-phai-email"}, "email", "địa chỉ e-mail hợp lệ"),
        ({"email": "a" * 10_000 + "@vi-du.example"}, "email", "địa chỉ e-mail hợp lệ"),
    ],
)
def test_each_error_rerenders_with_its_message_and_the_input(
    client: TestClient, session: Session, settings: Settings, lantern: tuple[Product, Producer, str],
    fields: dict[str, str], field: str, message: str,
) -> None:
    product, _, _ = lantern
    typed = {"san_pham": product.slug, "truong": "ten", "noi_dung": "Tên đúng là Đèn lồng lụa Hội An.",
             "bang_chung": "Quyết định số 12", "lien_ket": "https://vi-du.example",
             "email": "a@vi-du.example", **fields}
    response = post_fields(client, settings, typed)
    assert response.status_code == 422
    soup = html(response)
    error = soup.select_one(f"#{field}-error")
    assert error is not None and message in error.get_text(), error
    control = soup.select_one(f"#field-{field}")
    assert isinstance(control, Tag) and control["aria-invalid"] == "true"
    assert soup.select_one(f".report-errors a[href='#field-{field}']") is not None
    assert soup.select_one("#field-noi_dung").get_text() == typed["noi_dung"]  # type: ignore[union-attr]
    assert soup.select_one("#field-lien_ket")["value"] == typed["lien_ket"]  # type: ignore[index]
    assert soup.select_one("input[name=san_pham]")["value"] == product.slug  # type: ignore[index]
    assert corrections(session) == []


def test_a_token_sends_one_report(client: TestClient, session: Session, settings: Settings,
                                  lantern: tuple[Product, Producer, str]) -> None:
    """The same form posted twice (a replay, or a double click) stores the report once."""
    product, _, _ = lantern
    data = {"form_token": token(settings), "san_pham": product.slug, "truong": "anh",
            "noi_dung": "Ảnh là của sản phẩm khác.", "website": ""}
    assert client.post("/bao-thong-tin-sai", data=data, follow_redirects=False).status_code == 303
    again = client.post("/bao-thong-tin-sai", data=data, follow_redirects=False)
    assert again.status_code == 409
    soup = html(again)
    assert "chỉ gửi được một lần" in soup.select_one("#report-notice").get_text()  # type: ignore[union-attr]
    assert soup.select_one("input[name=form_token]")["value"] != data["form_token"]  # type: ignore[index]
    assert len(corrections(session)) == 1


@pytest.mark.parametrize(("age_s", "status"), [(-3600, 400), (5 * 3600, 400)])
def test_forged_and_expired_tokens_store_nothing(client: TestClient, session: Session, settings: Settings,
                                                 lantern: tuple[Product, Producer, str], age_s: float,
                                                 status: int) -> None:
    product, _, _ = lantern
    response = post(client, settings, age_s=age_s, san_pham=product.slug, noi_dung="Nội dung giữ lại đây")
    assert response.status_code == status
    assert html(response).select_one("#field-noi_dung").get_text() == "Nội dung giữ lại đây"  # type: ignore[union-attr]
    other = issue_token(secret="someone-else", purpose=PURPOSE, now=time.time() - 10)
    misuse = issue_token(secret=settings.secret_key, purpose="misuse-report", now=time.time() - 10)
    for value in (other, misuse, "", "1.2.3"):
        assert post(client, settings, form_token=value, san_pham=product.slug).status_code == 400
    assert corrections(session) == []


def test_honeypot_and_too_fast_pretend_success(client: TestClient, session: Session, settings: Settings,
                                               lantern: tuple[Product, Producer, str]) -> None:
    product, _, _ = lantern
    filled = post(client, settings, san_pham=product.slug, website="http://spam.example")
    fast = post(client, settings, age_s=0.5, san_pham=product.slug)
    for response in (filled, fast):
        assert response.status_code == 303 and response.headers["location"] == "/bao-thong-tin-sai/da-gui"
    assert corrections(session) == []


def test_rate_limit_after_five_reports(client: TestClient, session: Session, settings: Settings,
                                       lantern: tuple[Product, Producer, str]) -> None:
    product, _, _ = lantern
    for _ in range(5):
        assert post(client, settings, san_pham=product.slug).status_code == 303
    response = post(client, settings, san_pham=product.slug, noi_dung="Lần thứ sáu, vẫn giữ lại.")
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    soup = html(response)
    assert "thử lại sau" in soup.select_one("#report-notice").get_text()  # type: ignore[union-attr]
    assert soup.select_one("#field-noi_dung").get_text() == "Lần thứ sáu, vẫn giữ lại."  # type: ignore[union-attr]
    assert len(corrections(session)) == 5


def test_oversized_request_is_refused(client: TestClient, session: Session, settings: Settings,
                                      lantern: tuple[Product, Producer, str]) -> None:
    product, _, _ = lantern
    response = post(client, settings, san_pham=product.slug, noi_dung="x" * (22 * 1024 * 1024))
    assert response.status_code == 413 and corrections(session) == []
    assert client.get("/bao-thong-tin-sai", params={"san-pham": "x" * 10_000}).status_code == 422


def test_xss_payloads_are_inert(client: TestClient, session: Session, settings: Settings,
                                lantern: tuple[Product, Producer, str]) -> None:
    product, _, _ = lantern
    response = post(client, settings, san_pham=product.slug, noi_dung=XSS, bang_chung=XSS, lien_ket=XSS,
                    email=XSS)
    assert response.status_code == 422
    soup = html(response)
    assert all(tag.get("src") for tag in soup.find_all("script"))
    assert not soup.select("img[onerror]") and soup.select_one("#field-noi_dung").get_text() == XSS  # type: ignore[union-attr]
    assert corrections(session) == []


def test_the_english_form(client: TestClient, settings: Settings,
                          lantern: tuple[Product, Producer, str]) -> None:
    product, _, _ = lantern
    soup = html(client.get("/en/bao-thong-tin-sai", params={"san-pham": product.slug}))
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.select_one("form.correction-form")["action"] == "/en/bao-thong-tin-sai"  # type: ignore[index]
    data = {"form_token": token(settings), "san_pham": product.slug, "truong": "ten",
            "noi_dung": "Tên đúng là ABC DEF."}
    response = client.post("/en/bao-thong-tin-sai", follow_redirects=False, data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/en/bao-thong-tin-sai/da-gui?so=da-nang"

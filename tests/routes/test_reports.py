"""The report form at /bao-cao: plain posts, per-field errors, photo refusals and spam defences."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.config import Settings
from app.files.images import process_image
from app.models import Certificate, MisuseReport, Product
from app.services.records.photos import attach_image, store_image
from app.web.form_tokens import issue_token
from app.web.rate_limit import SiteLimits
from tests.factories import make_product, province
from tests.test_images import bomb_png, jpeg_with_exif, png_bytes

PURPOSE = "misuse-report"
NO_FILE = ("", b"", "application/octet-stream")  # what a browser sends when no file is chosen
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def html(response: Any) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def token(settings: Settings, age_s: float = 10) -> str:
    """A form token issued `age_s` seconds ago (older than the minimum fill time)."""
    return issue_token(secret=settings.secret_key, purpose=PURPOSE, now=time.time() - age_s)


def post(client: TestClient, settings: Settings, *, photo: tuple[str, bytes, str] = NO_FILE,
         age_s: float = 10, **fields: str) -> Any:
    """A multipart post as a browser sends it, without JavaScript."""
    return post_fields(client, settings, fields, photo=photo, age_s=age_s)


def post_fields(client: TestClient, settings: Settings, fields: dict[str, str], *,
                photo: tuple[str, bytes, str] = NO_FILE, age_s: float = 10) -> Any:
    """`post` with the fields as a dict."""
    data = {"form_token": token(settings, age_s), "ma": "", "noi_mua": "Chợ Hàn, Đà Nẵng",
            "mo_ta": "", "lien_he": "", "website": "", **fields}
    return client.post("/bao-cao", data=data, files={"anh": photo}, follow_redirects=False)


def reports(session: Session) -> list[MisuseReport]:
    """Every stored report (read in a fresh transaction)."""
    session.rollback()
    return list(session.exec(select(MisuseReport)).all())


def media_files(settings: Settings) -> list[Path]:
    """Every photo file written, public media and private report photos alike."""
    folders = (settings.media_path, settings.private_media_path)
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def lantern(session: Session) -> Iterator[tuple[Product, str]]:
    """A product certified in former Quảng Nam, now in Đà Nẵng, with a photo; and its code."""
    product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang",
                           certified_in="quang-nam", number="25/GCN-SCT")
    session.commit()
    code = session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()
    yield product, code


def add_photo(session: Session, settings: Settings, product: Product) -> str:
    """Give `product` a cover photo; return its hash."""
    processed = process_image(png_bytes((400, 300)), filename="den.png")
    store_image(media_dir=settings.media_path, processed=processed)
    attach_image(session=session, product=product, processed=processed, alt="", position=0)
    session.commit()
    return processed.content_hash


def test_prefilled_form_shows_the_product_with_its_photo(
    client: TestClient, session: Session, settings: Settings, lantern: tuple[Product, str]
) -> None:
    product, code = lantern
    photo_hash = add_photo(session, settings, product)
    soup = html(client.get("/bao-cao", params={"ma": code.lower()}))
    subject = soup.select_one(".report-subject")
    assert subject is not None and "Đèn lồng Hội An" in subject.get_text()
    assert "Sở Công Thương Đà Nẵng" in subject.get_text()
    img = subject.select_one("img")
    assert img is not None and photo_hash in str(img["src"])
    assert soup.select_one("input[name=san_pham]")["value"] == product.slug  # type: ignore[index]
    assert soup.select_one("#field-ma")["value"] == code.lower()  # type: ignore[index]


def test_form_is_a_plain_accessible_post(client: TestClient) -> None:
    soup = html(client.get("/bao-cao"))
    form = soup.select_one("form.report-form")
    assert form is not None
    assert (form["method"], form["action"], form["enctype"]) == ("post", "/bao-cao", "multipart/form-data")
    assert form.select_one("button[type=submit]") is not None and not soup.select("script:not([src])")
    assert not soup.select("[style]")
    for field in form.select("input:not([type=hidden]), textarea"):
        assert soup.select_one(f"label[for={field['id']}]") is not None, field
    trap = soup.select_one("#field-website")
    assert trap is not None and trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert trap.find_parent(attrs={"aria-hidden": "true"}) is not None
    assert "không bắt buộc" in soup.select_one("label[for=field-lien_he]").get_text()  # type: ignore[union-attr]
    assert soup.select_one("input[name=form_token]")["value"]  # type: ignore[index]


def test_valid_report_is_stored_for_the_current_province(
    client: TestClient, session: Session, settings: Settings, lantern: tuple[Product, str]
) -> None:
    product, code = lantern
    photo = ("bao bì.jpg", jpeg_with_exif((900, 600), orientation=1), "image/jpeg")
    response = post(client, settings, photo=photo, ma=code, mo_ta="Bao bì khác ảnh", lien_he="a@example.com")
    assert response.status_code == 303 and response.headers["location"] == "/bao-cao/da-gui?so=da-nang"
    [report] = reports(session)
    assert report.province_id == province(session, "da-nang").id and report.product_id == product.id
    assert (report.reported_code, report.details) == (code, "Bao bì khác ảnh")
    assert report.contact == "a@example.com"
    files = media_files(settings)
    assert report.photo_hash is not None and len(files) == 9  # 3 widths × 3 formats
    assert all(settings.private_media_path in p.parents for p in files)  # never served under /media
    assert all(report.photo_hash in str(p) for p in files)
    for path in files:
        image = Image.open(io.BytesIO(path.read_bytes()))
        assert not image.getexif() and b"Exif" not in path.read_bytes()
    thanks = html(client.get(response.headers["location"]))
    assert "Sở Công Thương Đà Nẵng" in thanks.select_one(".report-office").get_text()  # type: ignore[union-attr]


def test_unknown_code_is_stored_for_the_ministry(client: TestClient, session: Session,
                                                 settings: Settings) -> None:
    response = post(client, settings, ma="ZZZZ-9999")
    assert response.status_code == 303 and response.headers["location"] == "/bao-cao/da-gui"
    [report] = reports(session)
    assert report.province_id is None and report.product_id is None and report.photo_hash is None
    thanks = html(client.get("/bao-cao/da-gui"))
    assert thanks.select_one(".report-office").get_text() == "Bộ Công Thương"  # type: ignore[union-attr]


def test_chosen_product_needs_no_code(
    client: TestClient, session: Session, settings: Settings, lantern: tuple[Product, str]
) -> None:
    product, _ = lantern
    assert post(client, settings, san_pham=product.slug).status_code == 303
    assert reports(session)[0].product_id == product.id


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ma": "", "noi_mua": "Chợ Hàn"}, "ma", "Vui lòng nhập mã tra cứu"),
        ({"ma": "x" * 101}, "ma", "tối đa 100 ký tự"),
        ({"ma": "ABCD", "noi_mua": ""}, "noi_mua", "Vui lòng cho biết nơi mua"),
        ({"ma": "ABCD", "noi_mua": "ab"}, "noi_mua", "ít nhất 3 ký tự"),
        ({"ma": "ABCD", "noi_mua": "x" * 301}, "noi_mua", "tối đa 300 ký tự"),
        ({"ma": "ABCD", "mo_ta": "dòng\n" * 500}, "mo_ta", "tối đa 2000 ký tự"),
        ({"ma": "ABCD", "lien_he": "0" * 201}, "lien_he", "tối đa 200 ký tự"),
    ],
)
def test_each_error_rerenders_with_its_message_and_the_input(
    client: TestClient, session: Session, settings: Settings, fields: dict[str, str], field: str, message: str
) -> None:
    typed = {"ma": "ABCD", "noi_mua": "Chợ Hàn", "mo_ta": "Bao bì lạ", "lien_he": "0900 000 000", **fields}
    response = post_fields(client, settings, typed)
    assert response.status_code == 422
    soup = html(response)
    error = soup.select_one(f"#{field}-error")
    assert error is not None and message in error.get_text()
    control = soup.select_one(f"#field-{field}")
    assert isinstance(control, Tag) and control["aria-invalid"] == "true"
    assert f"{field}-error" in str(control["aria-describedby"]).split()
    assert soup.select_one(f".report-errors a[href='#field-{field}']") is not None
    for name in ("ma", "noi_mua", "lien_he"):
        assert soup.select_one(f"#field-{name}")["value"] == typed[name]  # type: ignore[index]
    assert soup.select_one("#field-mo_ta").get_text() == typed["mo_ta"]  # type: ignore[union-attr]
    assert reports(session) == []


def truncated_jpeg() -> bytes:
    """The first half of a real JPEG."""
    data = jpeg_with_exif((600, 400), orientation=1)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("photo", "words"),
    [
        (("cat-ngang.jpg", truncated_jpeg(), "image/jpeg"), "bị hỏng"),
        (("ghi-chu.jpg", "đây là văn bản".encode() * 20, "image/jpeg"), "không phải ảnh"),
        (("bom.png", bomb_png(100_000, 100_000), "image/png"), "quá lớn"),
        (("rat-lon.jpg", b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024), "image/jpeg"), "20 MB"),
        (("dai-hep.png", png_bytes((300, 16_500)), "image/png"), "gấp 20 lần"),  # over WebP's 16,383 px
    ],
)
def test_photo_refusals_name_the_file_and_leave_nothing_behind(
    client: TestClient, session: Session, settings: Settings, photo: tuple[str, bytes, str], words: str
) -> None:
    response = post(client, settings, ma="ABCD", mo_ta="Ảnh kèm theo", photo=photo)
    assert response.status_code == 422
    soup = html(response)
    error = soup.select_one("#anh-error")
    assert error is not None and photo[0] in error.get_text() and words in error.get_text()
    assert soup.select_one("#field-mo_ta").get_text() == "Ảnh kèm theo"  # type: ignore[union-attr]
    assert reports(session) == [] and media_files(settings) == []


def test_more_than_one_photo_is_refused(client: TestClient, session: Session, settings: Settings) -> None:
    photo = ("a.png", png_bytes((20, 20)), "image/png")
    data = {"form_token": token(settings), "ma": "ABCD", "noi_mua": "Chợ Hàn"}
    response = client.post("/bao-cao", data=data, files=[("anh", photo), ("anh", photo)])
    assert response.status_code == 400 and "một ảnh" in html(response).select_one("#report-notice").get_text()  # type: ignore[union-attr]
    assert reports(session) == [] and media_files(settings) == []


def test_oversized_request_is_refused_before_parsing(client: TestClient, session: Session,
                                                     settings: Settings) -> None:
    photo = ("to.jpg", b"\xff\xd8" + b"\0" * (21 * 1024 * 1024), "image/jpeg")
    response = post(client, settings, ma="ABCD", photo=photo)
    assert response.status_code == 413
    assert "quá lớn" in html(response).select_one("#report-notice").get_text()  # type: ignore[union-attr]
    assert reports(session) == [] and media_files(settings) == []


def test_oversized_chunked_request_is_cut_off(client: TestClient, session: Session) -> None:
    def body() -> Iterator[bytes]:
        yield b"--b\r\nContent-Disposition: form-data; name=\"anh\"; filename=\"x.jpg\"\r\n\r\n"
        for _ in range(23):
            yield b"\0" * (1024 * 1024)
    response = client.post("/bao-cao", content=body(),
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and reports(session) == []


@pytest.mark.parametrize(("age_s", "status"), [(-3600, 400), (5 * 3600, 400)])
def test_forged_and_expired_tokens_store_nothing(
    client: TestClient, session: Session, settings: Settings, age_s: float, status: int
) -> None:
    response = post(client, settings, age_s=age_s, ma="ABCD", noi_mua="Chợ Hàn")
    assert response.status_code == status
    soup = html(response)
    assert soup.select_one("#report-notice") is not None
    assert soup.select_one("#field-noi_mua")["value"] == "Chợ Hàn"  # type: ignore[index]
    assert reports(session) == []


def test_token_from_another_secret_or_none_is_forged(client: TestClient, session: Session,
                                                     settings: Settings) -> None:
    other = issue_token(secret="someone-else", purpose=PURPOSE, now=time.time() - 10)
    for value in (other, "", "1.2.3"):
        response = post(client, settings, form_token=value, ma="ABCD")
        assert response.status_code == 400 and "không hợp lệ" in response.text
    assert reports(session) == []


def test_honeypot_and_too_fast_pretend_success(client: TestClient, session: Session,
                                               settings: Settings) -> None:
    filled = post(client, settings, ma="ABCD", website="http://spam.example")
    fast = post(client, settings, age_s=0.5, ma="ABCD")
    for response in (filled, fast):
        assert response.status_code == 303 and response.headers["location"] == "/bao-cao/da-gui"
    assert reports(session) == []


def test_a_token_sends_one_report(client: TestClient, session: Session, settings: Settings) -> None:
    """The same form posted twice (a replay, or a double click) stores the report once."""
    data = {"form_token": token(settings), "ma": "ABCD", "noi_mua": "Chợ Hàn", "mo_ta": "", "lien_he": "",
            "website": ""}
    first = client.post("/bao-cao", data=data, files={"anh": NO_FILE}, follow_redirects=False)
    assert first.status_code == 303
    again = client.post("/bao-cao", data=data, files={"anh": NO_FILE}, follow_redirects=False)
    assert again.status_code == 409
    soup = html(again)
    assert "chỉ gửi được một lần" in soup.select_one("#report-notice").get_text()  # type: ignore[union-attr]
    fresh = soup.select_one("input[name=form_token]")["value"]  # type: ignore[index]
    assert fresh and fresh != data["form_token"]  # another report can be sent from this page
    assert len(reports(session)) == 1


def test_rate_limit_after_five_reports(client: TestClient, session: Session, settings: Settings) -> None:
    for n in range(SiteLimits.REPORTS_PER_HOUR):
        assert post(client, settings, ma=f"ABCD{n}").status_code == 303
    response = post(client, settings, ma="ABCD-SIXTH", noi_mua="Chợ Cồn")
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    soup = html(response)
    assert "thử lại sau" in soup.select_one("#report-notice").get_text()  # type: ignore[union-attr]
    assert soup.select_one("#field-ma")["value"] == "ABCD-SIXTH"  # type: ignore[index]
    assert len(reports(session)) == SiteLimits.REPORTS_PER_HOUR


def _assert_inert(soup: BeautifulSoup) -> None:
    """No script or event handler came from the payload."""
    assert all(tag.get("src") for tag in soup.find_all("script"))
    assert not soup.select("img[onerror]") and not soup.select("img[src=x]")


def test_xss_payloads_are_inert(client: TestClient, session: Session, settings: Settings) -> None:
    typed = {"ma": XSS, "noi_mua": XSS, "mo_ta": XSS, "lien_he": XSS + "x" * 200, "san_pham": XSS}
    response = post_fields(client, settings, typed)
    assert response.status_code == 422
    soup = html(response)
    _assert_inert(soup)
    assert soup.select_one("#field-ma")["value"] == XSS  # type: ignore[index]
    assert soup.select_one("#field-mo_ta").get_text() == XSS  # type: ignore[union-attr]
    prefilled = html(client.get("/bao-cao", params={"ma": XSS}))
    _assert_inert(prefilled)
    assert XSS in prefilled.select_one("#report-unknown").get_text()  # type: ignore[union-attr]
    stored = post(client, settings, ma=XSS, noi_mua=XSS, mo_ta=XSS, lien_he=XSS)
    assert stored.status_code == 303 and reports(session)[0].details == XSS
    _assert_inert(html(client.get(stored.headers["location"])))
    _assert_inert(html(client.get("/bao-cao/da-gui", params={"so": XSS})))


def test_urlencoded_post_and_nul_bytes(client: TestClient, session: Session, settings: Settings) -> None:
    data = {"form_token": token(settings), "ma": "AB\x00CD", "noi_mua": "Chợ\x00 Hàn", "mo_ta": "a\x00b"}
    response = client.post("/bao-cao", data=data, follow_redirects=False)
    assert response.status_code == 303
    [report] = reports(session)
    assert (report.reported_code, report.where_bought, report.details) == ("ABCD", "Chợ Hàn", "ab")


def test_declared_length_is_refused_without_reading_the_body(client: TestClient, session: Session) -> None:
    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(22 * 1024 * 1024)}
    response = client.post("/bao-cao", content=b"--b--\r\n", headers=headers)
    assert response.status_code == 413 and reports(session) == []


def test_prefill_is_no_lookup_oracle_past_the_lookup_limit(
    client: TestClient, lantern: tuple[Product, str]
) -> None:
    _, code = lantern
    for _ in range(SiteLimits.LOOKUPS_PER_MINUTE):
        assert html(client.get("/bao-cao", params={"ma": code})).select_one(".report-subject") is not None
    over = html(client.get("/bao-cao", params={"ma": code}))
    assert over.select_one(".report-subject") is None
    assert over.select_one("#field-ma")["value"] == code  # type: ignore[index]

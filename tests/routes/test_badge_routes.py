"""QR and label downloads under /ma/{code}/, and the product page's "QR và nhãn in" block."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.domain.codes import display_code
from app.models import Certificate, Product
from app.web.deps import get_today
from tests.factories import add_certificate, make_product

TODAY = date(2025, 6, 1)
QR_ROUTES = [("qr.svg", "image/svg+xml"), ("qr.png", "image/png")]
LABEL_ROUTES = [("nhan.svg", "image/svg+xml"), ("nhan.png", "image/png"), ("nhan.pdf", "application/pdf")]


@dataclass(frozen=True)
class Certs:
    """One product with a valid, an expired and a revoked certificate, and an unpublished one."""

    product: Product
    valid: Certificate
    expired: Certificate
    revoked: Certificate
    hidden: Certificate


def first_cert(session: Session, product: Product) -> Certificate:
    """The certificate the factory made with `product`."""
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()


@pytest.fixture
def certs(client: TestClient, session: Session) -> Iterator[Certs]:
    """Certificates of every status on TODAY (01/06/2025), app's today fixed to it."""
    product = make_product(session, level="tinh", issued_on=date(2023, 12, 15))
    valid = first_cert(session, product)
    expired = add_certificate(session, product, level="huyen", issued_on=date(2018, 5, 1))
    revoked = add_certificate(session, product, level="khu_vuc", issued_on=date(2024, 9, 1),
                              revoked_on=date(2025, 3, 2))
    draft = make_product(session, issued_on=date(2024, 1, 10))
    draft.state = "draft"
    hidden = first_cert(session, draft)
    session.commit()
    client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]
    yield Certs(product=product, valid=valid, expired=expired, revoked=revoked, hidden=hidden)
    client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def decoded(body: bytes) -> list[str]:
    """The QR codes zxing-cpp reads in a PNG."""
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(body)))]


@pytest.mark.parametrize(("name", "media_type"), QR_ROUTES + LABEL_ROUTES)
def test_routes_answer_with_type_and_cache_headers(client: TestClient, certs: Certs, name: str,
                                                   media_type: str) -> None:
    response = client.get(f"/ma/{certs.valid.code}/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = "public, max-age=86400" if name.startswith("qr") else "public, max-age=3600"
    assert response.headers["cache-control"] == expected
    assert response.headers["x-content-type-options"] == "nosniff"
    assert display_code(certs.valid.code) in response.headers["content-disposition"]
    if media_type == "image/svg+xml":
        assert "default-src 'none'" in response.headers["content-security-policy"]


def test_qr_png_encodes_the_verification_url_from_base_url(client: TestClient, certs: Certs) -> None:
    base = client.app.state.settings.public_base_url  # type: ignore[attr-defined]
    body = client.get(f"/ma/{certs.valid.code}/qr.png").content
    assert decoded(body) == [f"{base}/v/{certs.valid.code}"]


def test_label_png_is_300_dpi_and_scans(client: TestClient, certs: Certs) -> None:
    body = client.get(f"/ma/{certs.valid.code}/nhan.png").content
    image = Image.open(io.BytesIO(body))
    assert image.size == (591, 354) and tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert decoded(body) == [f"http://127.0.0.1:8000/v/{certs.valid.code}"]


def test_label_pdf_is_a_small_vector_page_of_50_by_30_mm_that_scans(client: TestClient, certs: Certs) -> None:
    body = client.get(f"/ma/{certs.valid.code}/nhan.pdf").content
    page = pdfium.PdfDocument(body)[0]
    assert [round(side * 25.4 / 72, 2) for side in page.get_size()] == [50.0, 30.0]
    assert len(body) < 20_000 and b"/Subtype /Image" not in body
    assert display_code(certs.valid.code) in page.get_textpage().get_text_range()
    rendered = io.BytesIO()
    page.render(scale=300 / 72).to_pil().save(rendered, "PNG")
    assert decoded(rendered.getvalue()) == [f"http://127.0.0.1:8000/v/{certs.valid.code}"]


def test_code_is_accepted_in_any_case_with_a_dash(client: TestClient, certs: Certs) -> None:
    typed = display_code(certs.valid.code).lower()
    response = client.get(f"/ma/{typed}/qr.png")
    assert response.status_code == 200
    assert decoded(response.content) == [f"http://127.0.0.1:8000/v/{certs.valid.code}"]


@pytest.mark.parametrize("which", ["expired", "revoked"])
@pytest.mark.parametrize(("name", "media_type"), LABEL_ROUTES)
def test_label_is_refused_for_a_certificate_not_valid_today(
        client: TestClient, certs: Certs, which: str, name: str, media_type: str) -> None:
    cert: Certificate = getattr(certs, which)
    response = client.get(f"/ma/{cert.code}/{name}")
    assert response.status_code == 410
    assert response.headers["content-type"].startswith("text/html")
    message = BeautifulSoup(response.text, "html.parser").select_one(".error-page__message")
    assert message is not None
    words = message.get_text()
    assert display_code(cert.code) in words and "không còn cung cấp nhãn in" in words
    assert ("thu hồi ngày 02/03/2025" if which == "revoked" else "hết hiệu lực sau ngày 31/12/2021") in words


@pytest.mark.parametrize("which", ["expired", "revoked"])
@pytest.mark.parametrize(("name", "media_type"), QR_ROUTES)
def test_qr_is_served_whatever_the_status(client: TestClient, certs: Certs, which: str, name: str,
                                          media_type: str) -> None:
    response = client.get(f"/ma/{getattr(certs, which).code}/{name}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)


@pytest.mark.parametrize("name", [n for n, _ in QR_ROUTES + LABEL_ROUTES])
def test_unknown_or_unpublished_code_is_a_404_page(client: TestClient, certs: Certs, name: str) -> None:
    for code in ("ZZZZ2222", certs.hidden.code):
        response = client.get(f"/ma/{code}/{name}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Không tìm thấy giấy chứng nhận" in response.text


@pytest.mark.parametrize("code", [
    "..%2F..%2Fetc%2Fpasswd", "..", "%2e%2e", "A" * 10_000, "<script>alert(1)</script>",
    "%3Cscript%3E", "ABCD2345%00", "ABCD 2345' OR 1=1 --", "%C4%90%E1%BB%A8", "0OIL0OIL",
])
@pytest.mark.parametrize("name", ["qr.svg", "nhan.png"])
def test_hostile_codes_are_404_never_500(client: TestClient, certs: Certs, code: str, name: str) -> None:
    response = client.get(f"/ma/{code}/{name}")
    assert response.status_code in (400, 404)  # NUL bytes are refused before routing
    assert "<script>alert" not in response.text


def test_product_page_offers_qr_and_labels_only_while_valid(client: TestClient, certs: Certs) -> None:
    response = client.get(f"/san-pham/{certs.product.slug}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    blocks = {b.select_one("img")["alt"]: b for b in soup.select(".qr-label")}  # type: ignore[index]
    assert len(blocks) == 3
    for cert in (certs.valid, certs.expired, certs.revoked):
        block = blocks[f"Mã QR tra cứu giấy chứng nhận {display_code(cert.code)}"]
        img = block.select_one("img")
        assert img is not None and img["src"] == f"/ma/{cert.code}/qr.svg"
        assert img.get("width") and img.get("height")
        assert "QR và nhãn in" in block.get_text()
        links = {a["href"] for a in block.select("a")}
        labels = {f"/ma/{cert.code}/nhan.{ext}" for ext in ("svg", "png", "pdf")}
        assert {f"/ma/{cert.code}/qr.svg", f"/ma/{cert.code}/qr.png"} <= links
        if cert is certs.valid:
            assert labels <= links and not block.select(".qr-label__why")
        else:
            assert not labels & links
            why = block.select_one(".qr-label__why")
            assert why is not None and "chỉ được in biểu trưng" in why.get_text()


def test_product_page_links_resolve(client: TestClient, certs: Certs) -> None:
    soup = BeautifulSoup(client.get(f"/san-pham/{certs.product.slug}").text, "html.parser")
    hrefs = {str(a["href"]) for a in soup.select(".qr-label a")}
    for href in hrefs:
        assert client.get(href).status_code == 200, href

"""Provenance: which decision a record rests on (with its PDF) and when it last changed, on every channel.

The product page, the verification answer /v/{code} (Vietnamese and English), the round page, the JSON
API and the open data all cite the same decision and link the same PDF.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.files.decision_pdf import check_decision_pdf, write_decision_pdf
from app.models import Certificate, Producer, Product, SelectionRound
from tests.admin.test_round_decision import real_pdf
from tests.factories import make_product, province

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
CHANGED = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # 03:00 on 02/11/2026 in Vietnam
NUMBER, SIGNER = "123/QĐ-SCT", "Sở Công Thương Thừa Thiên Huế"
PDF = real_pdf()  # once: Pillow writes the time into each PDF it makes


def _seed(session: Session, settings: Settings, *, with_pdf: bool = True) -> tuple[Product, Certificate,
                                                                                   SelectionRound]:
    """A Huế product whose one certificate rests on a round's decision (with its PDF when asked)."""
    selection_round = SelectionRound(level="tinh", year=2023, province_id=province(session, "hue").id,
                                     decision_number=NUMBER, decision_date=date(2023, 12, 15),
                                     decision_signer=SIGNER)
    if with_pdf:
        checked = check_decision_pdf(PDF, filename="qd.pdf")
        write_decision_pdf(settings.decision_path, checked)
        selection_round.decision_pdf_hash = checked.content_hash
        selection_round.decision_pdf_size = checked.size
    session.add(selection_round)
    product = make_product(session, name="Nón lá Phú Cam", province_slug="hue", issued_on=date(2023, 12, 15))
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    producer = session.get_one(Producer, product.producer_id)
    session.flush()
    cert.round_id, cert.updated_at = selection_round.id, LONG_AGO
    product.updated_at, producer.updated_at = CHANGED, LONG_AGO
    session.commit()
    return product, cert, selection_round


def _provenance(html: str) -> BeautifulSoup:
    """The provenance line of a page."""
    found = BeautifulSoup(html, "html.parser").select_one(".provenance")
    assert found is not None, html[:2000]
    return found


def test_product_page_says_where_the_record_comes_from(client: TestClient, session: Session,
                                                       settings: Settings) -> None:
    product, _, selection_round = _seed(session, settings)
    line = _provenance(client.get(f"/san-pham/{product.slug}").text)
    assert " ".join(line.get_text().split()) == (
        "Nguồn: Quyết định số 123/QĐ-SCT ngày 15/12/2023 của Sở Công Thương Thừa Thiên Huế (văn bản PDF); "
        "cập nhật ngày 02/11/2026")
    link = line.select_one("a.decision-pdf")
    assert link is not None and link["href"] == f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    page = BeautifulSoup(client.get(f"/san-pham/{product.slug}").text, "html.parser")
    timeline = page.select_one(".timeline")
    assert timeline is not None and timeline.select_one("a.decision-pdf") is not None
    assert f"Số {NUMBER} ngày 15/12/2023 của {SIGNER} (văn bản PDF)" in " ".join(timeline.get_text().split())


def test_product_page_in_english_cites_the_same_decision(client: TestClient, session: Session,
                                                         settings: Settings) -> None:
    product, _, selection_round = _seed(session, settings)
    response = client.get(f"/en/san-pham/{product.slug}")
    assert response.status_code == 200 and '<html lang="en"' in response.text
    line = _provenance(response.text)
    text = line.get_text(" ", strip=True)
    assert NUMBER in text and SIGNER in text and "2023" in text and "2026" in text
    signer = line.select_one('span[lang="vi"]')  # the office's Vietnamese name, marked as such on the page
    assert signer is not None and signer.get_text() == SIGNER
    link = line.select_one("a.decision-pdf")
    assert link is not None and link["href"] == f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"


def test_verification_answer_cites_the_decision_and_the_certificates_last_change(
        client: TestClient, session: Session, settings: Settings) -> None:
    _, cert, selection_round = _seed(session, settings)
    cert.updated_at = CHANGED
    session.add(cert)
    session.commit()
    for prefix in ("", "/en"):
        line = _provenance(client.get(f"{prefix}/v/{cert.code}").text)
        text = " ".join(line.get_text().split())
        assert NUMBER in text and SIGNER in text
        link = line.select_one("a.decision-pdf")
        assert link is not None and link["href"] == f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
        if not prefix:
            assert text.startswith("Nguồn: Quyết định số 123/QĐ-SCT ngày 15/12/2023 của")
            assert text.endswith("cập nhật ngày 02/11/2026")


def test_an_unknown_decision_is_said_plainly(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Chiếu cói Kim Sơn", province_slug="ninh-binh")
    session.commit()
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    for url in (f"/san-pham/{product.slug}", f"/v/{cert.code}"):
        line = _provenance(client.get(url).text)
        assert " ".join(line.get_text().split()).startswith("Nguồn: Chưa có số quyết định; cập nhật ngày")
        assert line.select_one("a") is None


def test_round_page_links_the_decision_pdf(client: TestClient, session: Session, settings: Settings) -> None:
    _, _, selection_round = _seed(session, settings)
    soup = BeautifulSoup(client.get(f"/dot-binh-chon/{selection_round.id}").text, "html.parser")
    decision = soup.select_one("#round-decision")
    assert decision is not None and SIGNER in decision.get_text()
    link = decision.select_one("a.decision-pdf")
    assert link is not None and link["href"] == f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    assert client.get(str(link["href"])).content == PDF


def test_api_carries_decision_and_update_fields(client: TestClient, session: Session,
                                                settings: Settings) -> None:
    product, cert, selection_round = _seed(session, settings)
    body = client.get(f"/api/v1/products/{product.slug}").json()
    assert datetime.fromisoformat(body["updated_at"]) == CHANGED
    [certificate] = body["certificates"]
    expected_url = f"{settings.base_url}/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    assert (certificate["decision_number"], certificate["decision_date"], certificate["decision_signer"],
            certificate["decision_url"]) == (NUMBER, "2023-12-15", SIGNER, expected_url)
    assert datetime.fromisoformat(certificate["updated_at"]) == LONG_AGO
    single = client.get(f"/api/v1/certificates/{cert.code}").json()
    assert single["decision_url"] == expected_url and single["decision_signer"] == SIGNER
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"decision_signer", "decision_url", "updated_at"} <= set(schema["CertificateOut"]["properties"])
    assert "updated_at" in schema["ProductOut"]["properties"]


def test_api_decision_url_is_null_without_a_pdf(client: TestClient, session: Session,
                                                settings: Settings) -> None:
    product, _, _ = _seed(session, settings, with_pdf=False)
    [certificate] = client.get(f"/api/v1/products/{product.slug}").json()["certificates"]
    assert certificate["decision_url"] is None and certificate["decision_number"] == NUMBER


def test_open_data_carries_decision_and_update_fields(client: TestClient, session: Session,
                                                      settings: Settings) -> None:
    product, _, selection_round = _seed(session, settings)
    expected_url = f"{settings.base_url}/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    [item] = json.loads(client.get("/du-lieu-mo/cnnt-san-pham.json").content)
    assert datetime.fromisoformat(item["updated_at"]) == CHANGED
    [certificate] = item["certificates"]
    assert (certificate["decision_number"], certificate["decision_date"], certificate["decision_signer"],
            certificate["decision_url"]) == (NUMBER, "2023-12-15", SIGNER, expected_url)
    assert datetime.fromisoformat(certificate["updated_at"]) == LONG_AGO
    text = client.get("/du-lieu-mo/cnnt-san-pham.csv").content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["Số quyết định"], row["Ngày quyết định"], row["Cơ quan ban hành quyết định"],
            row["Văn bản quyết định"], row["Cập nhật ngày"]) == (NUMBER, "15/12/2023", SIGNER, expected_url,
                                                                 "02/11/2026")
    page = client.get("/du-lieu-mo").text
    for name in ("Cơ quan ban hành quyết định", "certificates[].decision_url", "certificates[].updated_at"):
        assert name in page


def test_a_signer_is_text_never_markup(client: TestClient, session: Session, settings: Settings) -> None:
    product, _, selection_round = _seed(session, settings)
    selection_round.decision_signer = '<script>alert("x")</script> Sở Công Thương'
    session.add(selection_round)
    session.commit()
    page = client.get(f"/san-pham/{product.slug}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page

"""A round's decision in the office: number, date, signer and the decision PDF, checked, stored, served."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlmodel import Session, select

from app.config import Settings
from app.domain.states import RoundState
from app.files.decision_pdf import MAX_DECISION_BYTES, decision_pdf_path
from app.models import AuditEntry, Certificate, SelectionRound
from search.indexer import check_drift
from tests.factories import csrf_of, index_products, make_product, make_user, province, sign_in


def real_pdf() -> bytes:
    """A one-page PDF made by Pillow: what an office scans and uploads."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def make_round(session: Session, slug: str = "hue") -> SelectionRound:
    """A published provincial round of `slug` without a decision document."""
    created = SelectionRound(level="tinh", year=2023, province_id=province(session, slug).id,
                             decision_number="99/QĐ-UBND", decision_date=date(2023, 12, 1))
    session.add(created)
    session.commit()
    return created


def post_decision(client: TestClient, round_id: int | None, *, pdf: tuple[str, bytes] | None = None,
                  token: str | None = None, **fields: str) -> Response:
    """Post the round's decision form (with a file when `pdf` is given)."""
    data = {"csrf_token": token if token is not None else csrf_of(client, "/quan-ly/dot-binh-chon"),
            "decision_number": "123/QĐ-SCT", "decision_date": "15/12/2023",
            "decision_signer": "Sở Công Thương Thừa Thiên Huế", **fields}
    files = {"pdf": (pdf[0], pdf[1], "application/pdf")} if pdf is not None else {"pdf": ("", b"", "")}
    return client.post(f"/quan-ly/dot-binh-chon/{round_id}/quyet-dinh", data=data, files=files,
                       follow_redirects=False)


def _stored_files(settings: Settings) -> list[Path]:
    """Every file under the decisions folder."""
    folder = settings.decision_path
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_office_saves_the_decision_and_uploads_its_pdf(client: TestClient, session: Session,
                                                       settings: Settings) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    pdf = real_pdf()
    response = post_decision(client, selection_round.id, pdf=("Quyết định 123 (bản ký).pdf", pdf))
    assert response.status_code == 303, response.text
    session.refresh(selection_round)
    digest = hashlib.sha256(pdf).hexdigest()
    saved = selection_round
    assert (saved.decision_number, saved.decision_date, saved.decision_signer) == (
        "123/QĐ-SCT", date(2023, 12, 15), "Sở Công Thương Thừa Thiên Huế")
    assert (selection_round.decision_pdf_hash, selection_round.decision_pdf_size) == (digest, len(pdf))
    assert selection_round.decision_pdf_name == "Quyết định 123 (bản ký).pdf"
    assert decision_pdf_path(settings.decision_path, digest).read_bytes() == pdf
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "round.decision")).one()
    assert audit.entity_id == selection_round.id and "123/QĐ-SCT" in (audit.after or "")
    page = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    assert "Đã lưu quyết định" in page.get_text()
    link = page.select_one("#decision-document a")
    assert link is not None and link["href"] == f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    round_page = BeautifulSoup(client.get(f"/quan-ly/dot-binh-chon/{selection_round.id}").text, "html.parser")
    assert round_page.select_one(f'#round-decision a[href="{response.headers["location"].split("?")[0]}"]')
    assert "của Sở Công Thương Thừa Thiên Huế" in round_page.get_text()


def test_public_pdf_is_inline_unsniffed_and_revalidated_by_its_hash(client: TestClient,
                                                                     session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    pdf = real_pdf()
    assert post_decision(client, selection_round.id, pdf=("Quyết định số 123.pdf", pdf)).status_code == 303
    url = f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf"
    anonymous = TestClient(client.app)
    response = anonymous.get(url)
    assert response.status_code == 200 and response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="Quyet-dinh-so-123.pdf"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"] == f'"{hashlib.sha256(pdf).hexdigest()}"'
    assert response.headers["cache-control"] == "public, max-age=86400"
    again = anonymous.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_replacing_the_pdf_changes_what_is_served(client: TestClient, session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    first, second = real_pdf(), real_pdf().replace(b"%%EOF", b"% thay\n%%EOF")
    assert post_decision(client, selection_round.id, pdf=("a.pdf", first)).status_code == 303
    assert post_decision(client, selection_round.id, pdf=("b.pdf", second)).status_code == 303
    assert post_decision(client, selection_round.id, decision_signer="Bộ Công Thương").status_code == 303
    response = client.get(f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf")
    assert response.content == second  # a form without a file keeps the PDF
    session.refresh(selection_round)
    assert selection_round.decision_pdf_name == "b.pdf"
    assert selection_round.decision_signer == "Bộ Công Thương"


def test_anything_but_a_real_pdf_is_refused_and_nothing_is_stored(client: TestClient, session: Session,
                                                                  settings: Settings) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    oversized = b"%PDF-1.4\n" + b"0" * MAX_DECISION_BYTES + b"\n%%EOF"
    html_page = "<!DOCTYPE html><html><body>Quyết định</body></html>".encode()
    cases = (("trang.pdf", html_page, "không phải tệp PDF"),
             ("chuong-trinh.pdf", b"MZ\x90\x00\x03" + b"\x00" * 400, "không phải tệp PDF"),
             ("rong.pdf", b"", "trống"),
             ("cat-do.pdf", real_pdf()[:-200], "không đầy đủ"),
             ("lon.pdf", oversized, "lớn hơn 20 MB"))
    for name, data, words in cases:
        response = post_decision(client, selection_round.id, pdf=(name, data), decision_number="1/QĐ-MOI")
        assert response.status_code == 422, name
        message = BeautifulSoup(response.text, "html.parser").select_one("#pdf-error")
        assert message is not None and words in message.get_text() and name in message.get_text(), name
    session.refresh(selection_round)
    assert selection_round.decision_number == "99/QĐ-UBND" and selection_round.decision_pdf_hash is None
    assert _stored_files(settings) == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "round.decision")).first() is None
    assert client.get(f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf").status_code == 404


def test_a_request_over_the_limit_is_refused_before_it_is_read(client: TestClient, session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    huge = b"%PDF-1.4\n" + b"0" * (MAX_DECISION_BYTES + 1024 * 1024)
    response = post_decision(client, selection_round.id, pdf=("lon.pdf", huge))
    assert response.status_code == 413
    session.refresh(selection_round)
    assert selection_round.decision_pdf_hash is None


def test_wrong_fields_are_named_and_nothing_changes(client: TestClient, session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    response = post_decision(client, selection_round.id, pdf=("qd.pdf", real_pdf()),
                             decision_date="31/02/2023", decision_signer="S" * 301)
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("#decision_date-error") is not None
    assert "300" in soup.select_one("#decision_signer-error").get_text()  # type: ignore[union-attr]
    session.refresh(selection_round)
    assert selection_round.decision_date == date(2023, 12, 1) and selection_round.decision_pdf_hash is None


def test_another_provinces_office_gets_404_and_changes_nothing(client: TestClient, session: Session,
                                                                settings: Settings) -> None:
    selection_round = make_round(session, "hue")
    sign_in(client, make_user(session, province_slug="da-nang"))
    url = f"/quan-ly/dot-binh-chon/{selection_round.id}/quyet-dinh"
    assert client.get(url).status_code == 404
    assert post_decision(client, selection_round.id, pdf=("qd.pdf", real_pdf())).status_code == 404
    session.refresh(selection_round)
    assert selection_round.decision_number == "99/QĐ-UBND" and selection_round.decision_pdf_hash is None
    assert _stored_files(settings) == []


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    response = post_decision(client, selection_round.id, pdf=("qd.pdf", real_pdf()), token="sai")
    assert response.status_code == 403
    session.refresh(selection_round)
    assert selection_round.decision_pdf_hash is None


def test_an_unpublished_rounds_pdf_is_not_served(client: TestClient, session: Session) -> None:
    selection_round = make_round(session)
    sign_in(client, make_user(session, province_slug="hue"))
    assert post_decision(client, selection_round.id, pdf=("qd.pdf", real_pdf())).status_code == 303
    selection_round.state = RoundState.DRAFT
    session.add(selection_round)
    session.commit()
    assert client.get(f"/dot-binh-chon/{selection_round.id}/quyet-dinh.pdf").status_code == 404
    assert client.get("/dot-binh-chon/999999/quyet-dinh.pdf").status_code == 404


def test_a_new_decision_number_is_indexed_with_the_rounds_products(client: TestClient,
                                                                    session: Session) -> None:
    """Search documents hold the decision numbers: after the edit the index has no drift."""
    selection_round = make_round(session)
    product = make_product(session, name="Nón lá Phú Cam", province_slug="hue")
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.round_id = selection_round.id
    session.commit()
    index_products(client, session, product)
    engine = client.app.state.search  # type: ignore[attr-defined]
    assert check_drift(session=session, engine=engine).stale == []
    sign_in(client, make_user(session, province_slug="hue"))
    assert post_decision(client, selection_round.id, decision_number="456/QĐ-SCT").status_code == 303
    session.expire_all()
    assert check_drift(session=session, engine=engine).stale == []
    found = client.get("/api/v1/products", params={"q": "456/QĐ-SCT"}).json()
    assert [hit["slug"] for hit in found["hits"]] == [product.slug]


def test_a_decision_number_another_round_of_the_same_place_has_is_refused(client: TestClient,
                                                                          session: Session) -> None:
    make_round(session)  # 99/QĐ-UBND, provincial, Huế, 2023
    other = SelectionRound(level="tinh", year=2023, province_id=province(session, "hue").id,
                           decision_number="100/QĐ-UBND")
    session.add(other)
    session.commit()
    sign_in(client, make_user(session, province_slug="hue"))
    response = post_decision(client, other.id, decision_number="99/QĐ-UBND")
    assert response.status_code == 422
    message = BeautifulSoup(response.text, "html.parser").select_one("#decision_number-error")
    assert message is not None and "cùng cấp, năm, địa bàn và số quyết định" in message.get_text()
    session.refresh(other)
    assert other.decision_number == "100/QĐ-UBND"

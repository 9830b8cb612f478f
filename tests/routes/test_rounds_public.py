"""Round pages: published rounds only, with their winners; certificates link to their round."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Certificate, SelectionRound
from tests.factories import make_product


def _round_with_winner(session: Session, *, state: str = "published") -> tuple[SelectionRound, str]:
    rnd = SelectionRound(level="khu_vuc", year=2024, region="nam", decision_number="345/QĐ-BCT",
                         decision_date=date(2024, 11, 5), state=state)
    session.add(rnd)
    session.flush()
    product = make_product(session, name="Kẹo dừa Bến Tre", province_slug="vinh-long", certified_in="ben-tre",
                           level="khu_vuc", issued_on=date(2024, 11, 5))
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.round_id = rnd.id
    session.commit()
    return rnd, product.slug


def test_round_page_shows_facts_and_winners(client: TestClient, session: Session) -> None:
    """Level, year, region, decision number and date, and a link to each winner."""
    rnd, slug = _round_with_winner(session)
    soup = BeautifulSoup(client.get(f"/dot-binh-chon/{rnd.id}").text, "html.parser")
    facts = soup.select_one("dl.facts")
    assert facts is not None
    text = facts.get_text(" ", strip=True)
    for expected in ("Cấp khu vực", "2024", "Phía Nam", "345/QĐ-BCT", "05/11/2024"):
        assert expected in text
    assert soup.find("a", href=f"/san-pham/{slug}") is not None


def test_unpublished_or_unknown_round_is_not_found(client: TestClient, session: Session) -> None:
    """A draft round's page does not exist for the public."""
    rnd, _ = _round_with_winner(session, state="draft")
    assert client.get(f"/dot-binh-chon/{rnd.id}").status_code == 404
    assert client.get("/dot-binh-chon/999999").status_code == 404


def test_certificate_timeline_links_to_its_round(client: TestClient, session: Session) -> None:
    """Each certificate of a published round links to the round's page."""
    rnd, slug = _round_with_winner(session)
    soup = BeautifulSoup(client.get(f"/san-pham/{slug}").text, "html.parser")
    assert soup.select_one(f'.timeline a[href="/dot-binh-chon/{rnd.id}"]') is not None


def _tinh_round(session: Session, province_slug: str, year: int) -> SelectionRound:
    from app.models import Province  # noqa: PLC0415  (only this test needs the province's id)
    province = session.exec(select(Province).where(Province.slug == province_slug)).one()
    rnd = SelectionRound(level="tinh", year=year, province_id=province.id, state="published")
    session.add(rnd)
    session.flush()
    return rnd


def test_list_of_rounds_newest_first_national_first_places_in_vietnamese_order(
        client: TestClient, session: Session) -> None:
    """/dot-binh-chon: years descending; within a year the higher level first, then places as a Vietnamese
    index orders them ("Đà Nẵng" before "Huế", not after "Vĩnh Long"); drafts never listed; winners
    counted."""
    regional, _ = _round_with_winner(session)  # khu_vuc 2024, phía Nam, one winner
    for slug in ("vinh-long", "hue", "da-nang", "ha-noi"):
        _tinh_round(session, slug, 2024)
    _tinh_round(session, "ca-mau", 2023)
    draft = SelectionRound(level="tinh", year=2025, state="draft")
    session.add(draft)
    session.commit()
    soup = BeautifulSoup(client.get("/dot-binh-chon").text, "html.parser")
    rows = [[" ".join(cell.get_text().split()) for cell in tr.select("th, td")]
            for tr in soup.select("tbody tr")]
    assert [r[:2] for r in rows] == [
        ["Cấp khu vực 2024", "Phía Nam"], ["Cấp tỉnh 2024", "Đà Nẵng"], ["Cấp tỉnh 2024", "Hà Nội"],
        ["Cấp tỉnh 2024", "Huế"], ["Cấp tỉnh 2024", "Vĩnh Long"], ["Cấp tỉnh 2023", "Cà Mau"]]
    assert rows[0][2:] == ["Số 345/QĐ-BCT ngày 05/11/2024", "1 sản phẩm"]
    assert rows[1][2] == "Chưa có số quyết định"
    assert soup.select_one(f'a[href="/dot-binh-chon/{regional.id}"]') is not None
    assert soup.select_one(f'a[href="/dot-binh-chon/{draft.id}"]') is None


def test_list_of_rounds_filters_and_ignores_forged_values(client: TestClient, session: Session) -> None:
    _round_with_winner(session)
    _tinh_round(session, "hue", 2023)
    session.commit()
    only = BeautifulSoup(client.get("/dot-binh-chon", params={"cap": "tinh"}).text, "html.parser")
    assert [th.get_text(strip=True) for th in only.select("tbody th")] == ["Cấp tỉnh 2023"]
    by_year = BeautifulSoup(client.get("/dot-binh-chon", params={"nam": "2024"}).text, "html.parser")
    assert [th.get_text(strip=True) for th in by_year.select("tbody th")] == ["Cấp khu vực 2024"]
    for forged in ({"cap": "x" * 10_000}, {"nam": "２０２４"}, {"nam": "-1"}, {"trang": "9" * 50},
                   {"cap": "' OR 1=1 --", "nam": "2024abc", "trang": "0"}):
        response = client.get("/dot-binh-chon", params=forged)
        assert response.status_code == 200, forged
        assert len(BeautifulSoup(response.text, "html.parser").select("tbody tr")) == 2, forged

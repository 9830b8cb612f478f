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

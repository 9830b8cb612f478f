"""The province tile map: 34 tiles, counts of valid products in text, links, a table, no colour alone."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.domain.provinces import current_provinces
from app.domain.validity import today_in
from app.services.catalog.map import TILE_GRID, bucket_of
from tests.factories import make_product


def test_every_current_province_has_its_own_tile() -> None:
    """34 provinces, 34 distinct grid cells."""
    assert set(TILE_GRID) == {p.slug for p in current_provinces()}
    assert len(set(TILE_GRID.values())) == len(TILE_GRID) == 34


def test_buckets() -> None:
    """Zero is its own bucket; the largest count is the darkest."""
    assert bucket_of(0, 10) == 0 and bucket_of(1, 10) == 1
    assert bucket_of(10, 10) == 4 and bucket_of(6, 10) == 3


def test_map_counts_only_valid_products(client: TestClient, session: Session) -> None:
    """Expired and revoked products do not count; the tile shows the number and links to the catalog."""
    year = today_in().year  # valid whatever day the suite runs
    make_product(session, province_slug="hue", issued_on=date(year, 1, 2))
    make_product(session, province_slug="hue", issued_on=date(year - 1, 6, 1))
    make_product(session, province_slug="hue", issued_on=date(year - 5, 6, 1))  # expired
    make_product(session, province_slug="ca-mau", issued_on=date(year - 1, 6, 1), revoked_on=date(year, 1, 1))
    session.commit()
    soup = BeautifulSoup(client.get("/ban-do").text, "html.parser")
    tiles = soup.select("a.tile-map__tile")
    assert len(tiles) == 34
    hue = soup.select_one('a.tile-map__tile[href="/san-pham?province=hue&status=valid"]')
    assert hue is not None and "tile-map__tile--b4" in hue["class"]
    count = hue.select_one(".tile-map__count")
    assert count is not None and count.get_text(" ", strip=True).startswith("2")
    ca_mau = soup.select_one('a.tile-map__tile[href="/san-pham?province=ca-mau&status=valid"]')
    assert ca_mau is not None and "tile-map__tile--b0" in ca_mau["class"]
    table = soup.select("table.map-table tbody tr")
    rows = {r.th.get_text(strip=True): r.td.get_text(strip=True) for r in table if r.th and r.td}
    assert rows["Huế"] == "2" and rows["Cà Mau"] == "0" and len(rows) == 34
    names = list(rows)  # Vietnamese order, not code points: "Hà Nội" before "Huế", "Đà Nẵng" before "Gia Lai"
    assert names.index("Hà Nội") < names.index("Huế") and names.index("Đà Nẵng") < names.index("Gia Lai")
    assert names[-1] == "Vĩnh Long"
    assert not soup.select("[style]")

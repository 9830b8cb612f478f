"""English pages under /en: same routes, site words translated, product texts as entered, hreflang."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.i18n import TRANSLATIONS_DIR
from tests.factories import make_product
from tests.routes.test_pages import html, index

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def slugs(client: TestClient, session: Session) -> dict[str, str]:
    """Two indexed products with Vietnamese names."""
    banh = make_product(session, name="Bánh tráng phơi sương", province_slug="tay-ninh", group="che_bien",
                        issued_on=date(2024, 5, 1), description="Bánh tráng phơi sương Trảng Bàng.")
    non = make_product(session, name="Nón lá bài thơ", province_slug="hue", group="thu_cong_my_nghe")
    index(client, session)
    return {"banh": banh.slug, "non": non.slug}


def _get(client: TestClient, path: str, **params: str) -> BeautifulSoup:
    response = client.get(path, params=params)
    assert response.status_code == 200, path
    return html(response)


def _alternates(soup: BeautifulSoup) -> dict[str, str]:
    return {str(link["hreflang"]): str(link["href"]) for link in soup.select("link[rel=alternate][hreflang]")}


def test_english_home(client: TestClient, slugs: dict[str, str]) -> None:
    """The home page in English: lang attribute, translated chrome and labels, English links."""
    soup = _get(client, "/en/")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.select_one(".skip-link").get_text() == "Skip to main content"  # type: ignore[union-attr]
    assert soup.select_one("#by-group").get_text() == "By product group"  # type: ignore[union-attr]
    tiles = soup.select("#by-group ~ ul a")
    assert "Handicrafts" in tiles[0].get_text() and tiles[0]["href"] == "/en/san-pham?group=thu_cong_my_nghe"
    assert {a.get_text() for a in soup.select(".card__title")} == {"Bánh tráng phơi sương", "Nón lá bài thơ"}
    assert soup.select_one('meta[property="og:locale"]')["content"] == "en_US"  # type: ignore[index]


def test_english_catalog_search(client: TestClient, slugs: dict[str, str]) -> None:
    """Facet titles and labels, counts and cards in English; the product name as entered."""
    soup = _get(client, "/en/san-pham", q="banh trang")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.h1 is not None and soup.h1.get_text() == "Product catalog"
    assert soup.select_one("#hits-heading").get_text(" ", strip=True) == "1 product for “banh trang”"  # type: ignore[union-attr]
    titles = {s.get_text(strip=True).split("(")[0] for s in soup.select(".facet summary")}
    assert {"Validity", "Province", "Product group", "Certification level", "Year certified"} <= titles
    card = soup.select_one(".card")
    assert card is not None
    assert card.select_one(".card__title").get_text() == "Bánh tráng phơi sương"  # type: ignore[union-attr]
    assert card.a is not None and card.a["href"] == f"/en/san-pham/{slugs['banh']}"
    assert "Processed food · Provincial level" in card.get_text()
    assert "Valid" in card.select_one(".status").get_text()  # type: ignore[union-attr]
    facet_links = [str(a["href"]) for a in soup.select(".facet a")]
    assert facet_links and all(href.startswith("/en/san-pham?") for href in facet_links)
    assert soup.select_one("form#search-form")["action"] == "/en/san-pham"  # type: ignore[index]


def test_english_product_page_keeps_texts_as_entered(client: TestClient, slugs: dict[str, str]) -> None:
    """Labels are English; name, description and producer stay Vietnamese."""
    soup = _get(client, f"/en/san-pham/{slugs['banh']}")
    assert soup.h1 is not None and soup.h1.get_text() == "Bánh tráng phơi sương"
    assert soup.select_one(".prose").get_text() == "Bánh tráng phơi sương Trảng Bàng."  # type: ignore[union-attr]
    assert soup.select_one("#certs").get_text() == "Certificates"  # type: ignore[union-attr]
    assert soup.select_one("#producer").get_text() == "Producer"  # type: ignore[union-attr]
    terms = [dt.get_text() for dt in soup.select(".timeline dt")]
    assert "Issued on" in terms and "Valid until" in terms and "Province at certification" in terms
    assert "01/05/2024" in soup.get_text()  # dates stay dd/mm/yyyy on English pages
    assert soup.select_one("link[rel=canonical]")["href"] == f"{BASE}/en/san-pham/{slugs['banh']}"  # type: ignore[index]


@pytest.mark.parametrize("lang_prefix", ["", "/en"])
def test_hreflang_alternates_and_switch(client: TestClient, slugs: dict[str, str], lang_prefix: str) -> None:
    """Every page names both languages (Vietnamese as x-default); the switch keeps path and query."""
    soup = _get(client, f"{lang_prefix}/san-pham", q="gốm", utm_source="x")
    assert _alternates(soup) == {
        "vi": f"{BASE}/san-pham?q=g%E1%BB%91m",
        "en": f"{BASE}/en/san-pham?q=g%E1%BB%91m",
        "x-default": f"{BASE}/san-pham?q=g%E1%BB%91m",
    }
    switch = soup.select("a.lang-switch")
    assert len(switch) == 1
    other = "/san-pham" if lang_prefix else "/en/san-pham"
    assert switch[0]["href"] == f"{other}?q=g%E1%BB%91m&utm_source=x"
    assert switch[0].get_text() == ("Tiếng Việt" if lang_prefix else "English")
    home = _get(client, f"{lang_prefix}/")
    assert _alternates(home) == {"vi": f"{BASE}/", "en": f"{BASE}/en/", "x-default": f"{BASE}/"}
    product = _get(client, f"{lang_prefix}/san-pham/{slugs['non']}")
    assert _alternates(product)["en"] == f"{BASE}/en/san-pham/{slugs['non']}"


def test_vietnamese_pages_unchanged(client: TestClient, slugs: dict[str, str]) -> None:
    """Without the prefix the site is Vietnamese, links unprefixed."""
    soup = _get(client, "/san-pham", q="banh trang")
    assert soup.html is not None and soup.html["lang"] == "vi"
    assert soup.h1 is not None and soup.h1.get_text() == "Danh mục sản phẩm"
    assert soup.select_one(".card a")["href"] == f"/san-pham/{slugs['banh']}"  # type: ignore[index]
    assert "Chế biến thực phẩm · Cấp tỉnh" in soup.select_one(".card").get_text()  # type: ignore[union-attr]


def test_unknown_prefixes_and_api(client: TestClient, slugs: dict[str, str]) -> None:
    """Only /en exists; the JSON API, docs and files have no English twin; /en redirects to /en/."""
    assert client.get("/fr/").status_code == 404
    assert client.get("/fr/san-pham").status_code == 404
    assert client.get("/en/en/san-pham").status_code == 404
    assert client.get("/en/api/v1/products").status_code == 404
    assert client.get("/en/openapi.json").status_code == 404
    api = client.get("/api/v1/products", params={"q": "banh trang"})
    assert api.status_code == 200 and api.json()["hits"][0]["name"] == "Bánh tráng phơi sương"
    redirect = client.get("/en", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/en/"


def test_every_message_is_translated() -> None:
    """A msgid without an English string would show Vietnamese on an English page."""
    with (TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="en")
    untranslated = [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple)
                                                              else [m.string])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated and not fuzzy

"""Stored catalog pages (app/web/page_cache.py) are served only where a new render would be identical.

Each test renders a page, changes one thing a page depends on (the shortlist, the language,
the query as typed, fragment or page, the index, the day, the search engine's health) and
checks the next answer shows the change; SQLite and PostgreSQL, real index, real outbox.
"""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.routes.shortlist import COOKIE_NAME
from app.web.deps import get_today
from app.web.page_cache import catalog_pages
from tests.factories import index_products, make_product

HX = {"HX-Request": "true"}


def _soup(client: TestClient, url: str, **kwargs: object) -> BeautifulSoup:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200 and "HX-Request" in response.headers["vary"]
    return BeautifulSoup(response.text, "html.parser")


def _titles(soup: BeautifulSoup) -> list[str]:
    return [title.get_text(" ", strip=True) for title in soup.select(".card__title")]


def test_a_repeated_page_is_served_as_stored(client: TestClient, session: Session) -> None:
    index_products(client, session, make_product(session, name="Gốm Bát Tràng"))
    first = client.get("/san-pham?q=gom")
    hits = catalog_pages.hits
    again = client.get("/san-pham?q=gom")
    assert catalog_pages.hits == hits + 1
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["vary"] == first.headers["vary"]


def test_the_shortlist_cookie_is_part_of_the_key(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Nón lá bài thơ")
    index_products(client, session, product)
    plain = _soup(client, "/san-pham?q=non")
    assert "(0)" in plain.select_one("#shortlist-link").get_text()  # type: ignore[union-attr]
    assert plain.select_one(".shortlist-btn button")["aria-pressed"] == "false"  # type: ignore[index]
    client.cookies.set(COOKIE_NAME, product.slug)
    chosen = _soup(client, "/san-pham?q=non")
    assert "(1)" in chosen.select_one("#shortlist-link").get_text()  # type: ignore[union-attr]
    assert chosen.select_one(".shortlist-btn button")["aria-pressed"] == "true"  # type: ignore[index]
    client.cookies.clear()
    assert "(0)" in _soup(client, "/san-pham?q=non").select_one("#shortlist-link").get_text()  # type: ignore[union-attr]


def test_language_query_as_typed_and_fragment_each_get_their_own_page(
    client: TestClient, session: Session
) -> None:
    index_products(client, session, make_product(session, name="Mật ong bạc hà"))
    vietnamese = _soup(client, "/san-pham?q=mật+ong")
    english = _soup(client, "/en/san-pham?q=mật+ong")
    assert vietnamese.html["lang"] == "vi" and english.html["lang"] == "en"  # type: ignore[index]
    assert english.select_one("link[rel=canonical]")["href"].count("/en/san-pham") == 1  # type: ignore[index]
    # the same search (same result) typed differently: the box shows what was typed
    typed = _soup(client, "/san-pham?q=MẬT+ONG")
    assert typed.select_one("input[name=q]")["value"] == "MẬT ONG"  # type: ignore[index]
    assert vietnamese.select_one("input[name=q]")["value"] == "mật ong"  # type: ignore[index]
    fragment = _soup(client, "/san-pham?q=mật+ong", headers=HX)
    assert fragment.html is None and _titles(fragment) == ["Mật ong bạc hà"]
    assert _soup(client, "/san-pham?q=mật+ong").html is not None  # the full page again, not the fragment


def test_an_index_change_and_a_new_day_show_at_once(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Vải thiều sấy", issued_on=date(2023, 12, 15))  # valid to 31/12/2026
    index_products(client, session, product)
    app = client.app
    app.dependency_overrides[get_today] = lambda: date(2026, 12, 31)  # type: ignore[attr-defined]
    assert _titles(_soup(client, "/san-pham?status=valid")) == ["Vải thiều sấy"]
    assert _titles(_soup(client, "/san-pham?status=valid")) == ["Vải thiều sấy"]
    app.dependency_overrides[get_today] = lambda: date(2027, 1, 1)  # type: ignore[attr-defined]
    assert _titles(_soup(client, "/san-pham?status=valid")) == []
    app.dependency_overrides[get_today] = lambda: date(2026, 12, 31)  # type: ignore[attr-defined]
    product.name = "Vải thiều sấy khô Lục Ngạn"
    index_products(client, session, product)
    assert _titles(_soup(client, "/san-pham?status=valid")) == ["Vải thiều sấy khô Lục Ngạn"]


def test_fallback_pages_are_never_stored(client: TestClient, session: Session) -> None:
    """While the engine is down the page comes from the database and says so, on every request."""
    index_products(client, session, make_product(session, name="Chiếu cói Nga Sơn"))
    notice = "Tìm kiếm đang gặp sự cố"
    assert notice not in client.get("/san-pham").text
    client.app.state.search.close()  # type: ignore[attr-defined]
    stored = len(catalog_pages)
    for _ in range(2):
        down = client.get("/san-pham")
        assert notice in down.text and "Chiếu cói Nga Sơn" in down.text
    assert len(catalog_pages) == stored

"""The catalog pager (numbers, ellipses, links that keep filters), pages past the end, zero-result advice."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.web.pager import page_numbers
from search.indexer import apply_outbox
from tests.factories import make_producer, make_product

HX = {"HX-Request": "true"}


def html(response: Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def index(client: TestClient, session: Session) -> None:
    """Commit the factories' rows and apply the outbox to the app's engine."""
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]


def pager_items(soup: BeautifulSoup) -> list[str]:
    """The pager's numbers and ellipses as shown, without the prev/next steps."""
    nav = soup.select_one("nav.pager")
    assert nav is not None
    items = []
    for li in nav.select("li:not(.pager__step)"):
        link = li.find("a")
        text = link.get_text(" ").split()[-1] if isinstance(link, Tag) else li.get_text().strip()
        items.append(text)
    return items


def params(url: str) -> dict[str, list[str]]:
    """The query parameters of a link."""
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def many(client: TestClient, session: Session) -> int:
    """45 products in Huế and 3 in Hà Nội: with per_page=2, Huế has 23 pages."""
    producer = make_producer(session, province_slug="hue")
    for n in range(45):
        make_product(session, name=f"Nón lá số {n}", province_slug="hue", producer=producer,
                     group="thu_cong_my_nghe", issued_on=date(2024, 5, 1))
    for n in range(3):
        make_product(session, name=f"Bánh cốm số {n}", province_slug="ha-noi", group="che_bien",
                     issued_on=date(2019, 3, 1))
    index(client, session)
    return 23


@pytest.mark.parametrize(("current", "last", "expected"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 23, [1, 2, 3, None, 23]),
    (5, 23, [1, 2, 3, 4, 5, 6, 7, None, 23]),  # a gap of one page shows that page, not "…"
    (12, 23, [1, None, 10, 11, 12, 13, 14, None, 23]),
    (23, 23, [1, None, 21, 22, 23]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),
])
def test_page_numbers(current: int, last: int, expected: list[int | None]) -> None:
    assert page_numbers(current, last) == expected


def test_pager_numbers_links_and_current(client: TestClient, many: int) -> None:
    wanted = {"province": "hue", "sort": "name", "per_page": "2", "page": "12"}
    response = client.get("/san-pham", params=wanted)
    assert response.status_code == 200
    soup = html(response)
    assert pager_items(soup) == ["1", "…", "10", "11", "12", "13", "14", "…", "23"]
    current = soup.select('nav.pager a[aria-current="page"]')
    assert len(current) == 1 and current[0].get_text(" ").split()[-1] == "12"
    for link in soup.select("nav.pager a"):  # each link keeps the filters, sort and page size, htmx or not
        href = str(link["href"])
        assert link["data-hx-get"] == href
        query = params(href)
        assert query["province"] == ["hue"] and query["sort"] == ["name"] and query["per_page"] == ["2"]
    first = soup.select("nav.pager li:not(.pager__step) a")[0]
    assert "page" not in params(str(first["href"]))  # page 1 is the plain URL
    prev, nxt = soup.select_one('nav.pager a[rel="prev"]'), soup.select_one('nav.pager a[rel="next"]')
    assert prev is not None and prev.get_text(strip=True) == "← Trang trước"
    assert nxt is not None and nxt.get_text(strip=True) == "Trang sau →"
    assert params(str(prev["href"]))["page"] == ["11"] and params(str(nxt["href"]))["page"] == ["13"]


def test_pager_edges(client: TestClient, many: int) -> None:
    first = html(client.get("/san-pham", params={"province": "hue", "per_page": "2"}))
    assert first.select_one('nav.pager a[rel="prev"]') is None
    assert pager_items(first) == ["1", "2", "3", "…", "23"]
    last = html(client.get("/san-pham", params={"province": "hue", "per_page": "2", "page": "23"}))
    assert last.select_one('nav.pager a[rel="next"]') is None
    assert pager_items(last) == ["1", "…", "21", "22", "23"]
    assert len(last.select(".card")) == 1
    single = html(client.get("/san-pham", params={"province": "ha-noi"}))
    assert single.select_one("nav.pager") is None


def test_pager_in_htmx_fragment_and_english(client: TestClient, many: int) -> None:
    fragment = client.get("/san-pham", params={"province": "hue", "per_page": "2", "page": "2"}, headers=HX)
    soup = html(fragment)
    assert soup.select_one("h1") is None and pager_items(soup)[:4] == ["1", "2", "3", "4"]
    english = html(client.get("/en/san-pham", params={"province": "hue", "per_page": "2", "page": "2"}))
    nxt = english.select_one('nav.pager a[rel="next"]')
    assert nxt is not None and nxt.get_text(strip=True) == "Next page →"
    assert all(str(a["href"]).startswith("/en/san-pham?") for a in english.select("nav.pager a"))


@pytest.mark.parametrize("headers", [{}, HX])
def test_page_past_the_end_is_404_with_link_to_last(client: TestClient, many: int,
                                                     headers: dict[str, str]) -> None:
    wanted = {"province": "hue", "per_page": "2", "page": "999"}
    response = client.get("/san-pham", params=wanted, headers=headers)
    assert response.status_code == 404
    soup = html(response)
    assert soup.select_one("nav.pager") is None and not soup.select(".card")
    assert "999/" not in soup.get_text()  # never "Trang 999/23"
    notice = soup.select_one(".past-end")
    assert notice is not None and "Không có trang 999" in notice.get_text(" ")
    last = notice.select_one("a.past-end__last")
    assert last is not None
    assert params(str(last["href"])) == {"province": ["hue"], "per_page": ["2"], "page": ["23"]}
    assert client.get(str(last["href"])).status_code == 200


def test_page_past_the_end_of_nothing(client: TestClient, many: int) -> None:
    response = client.get("/san-pham", params={"q": "không có từ này xyz", "page": "3"})
    assert response.status_code == 404
    link = html(response).select_one("a.past-end__last")
    assert link is not None and params(str(link["href"])) == {"q": ["không có từ này xyz"]}


def test_api_page_past_the_end_is_empty_with_total(client: TestClient, many: int) -> None:
    response = client.get("/api/v1/products", params={"province": "hue", "per_page": "2", "page": "999"})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"] == [] and body["total"] == 45 and body["page"] == 999


# --- zero-result advice ----------------------------------------------------------------------

def advice_links(soup: BeautifulSoup) -> dict[str, tuple[dict[str, list[str]], str]]:
    """Each "drop a filter" link: its words → (its parameters, the count shown beside it)."""
    found = {}
    for li in soup.select(".advice__filters li"):
        link = li.find("a")
        assert isinstance(link, Tag) and link["data-hx-get"] == link["href"]
        count = li.select_one(".count")
        shown = count.get_text(strip=True) if count else ""
        found[link.get_text(strip=True)] = (params(str(link["href"])), shown)
    return found


def test_filters_only_suggests_dropping_each_filter(client: TestClient, many: int) -> None:
    response = client.get("/san-pham", params={"province": "hue", "group": "che_bien"})
    assert response.status_code == 200
    soup = html(response)
    links = advice_links(soup)
    assert links == {
        "Bỏ “Chế biến nông, lâm, thủy sản và thực phẩm”": ({"province": ["hue"]}, "(45 sản phẩm)"),
        "Bỏ “Huế”": ({"group": ["che_bien"]}, "(3 sản phẩm)"),
    }
    assert list(links)[0].startswith("Bỏ “Chế biến")  # the one that finds most comes first
    assert soup.select_one(".advice__text") is None  # no spelling advice without words


def test_text_only_gives_spelling_advice(client: TestClient, many: int) -> None:
    soup = html(client.get("/san-pham", params={"q": "xyzxyz"}))
    assert soup.select_one(".advice__filters") is None
    tips = [li.get_text(" ", strip=True) for li in soup.select(".advice__text li")]
    assert len(tips) == 3 and "chính tả" in tips[0] and "ít từ hơn" in tips[1] and "không dấu" in tips[2]


def test_text_and_filters_suggests_filters_first(client: TestClient, many: int) -> None:
    soup = html(client.get("/san-pham", params={"q": "bánh cốm", "province": "hue", "status": "expired"}))
    advice = soup.select_one(".advice")
    assert advice is not None
    sections = [h.get_text(strip=True) for h in advice.select("h3")]
    assert sections == ["Bỏ bớt bộ lọc", "Thử tìm cách khác"]
    links = advice_links(soup)
    assert links["Bỏ “Huế”"] == ({"q": ["bánh cốm"], "status": ["expired"]}, "(3 sản phẩm)")
    assert links["Bỏ “Hết hiệu lực”"] == ({"q": ["bánh cốm"], "province": ["hue"]}, "(0 sản phẩm)")
    assert links["Bỏ tất cả bộ lọc, chỉ tìm “bánh cốm”"] == ({"q": ["bánh cốm"]}, "(3 sản phẩm)")


def test_zero_result_advice_in_english(client: TestClient, many: int) -> None:
    soup = html(client.get("/en/san-pham", params={"q": "bánh cốm", "province": "hue"}))
    headings = [h.get_text(strip=True) for h in soup.select(".advice h3")]
    assert headings == ["Remove some filters", "Try searching differently"]
    link = soup.select_one(".advice__filters a")
    assert link is not None and str(link["href"]).startswith("/en/san-pham?")
    count = soup.select_one(".advice__filters .count")
    assert count is not None and count.get_text(strip=True) == "(3 products)"

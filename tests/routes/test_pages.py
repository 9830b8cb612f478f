"""Public pages: home, catalog with facets and htmx fragments, product, producer, province, errors."""

from __future__ import annotations

import gzip
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import ProductImage
from app.web.deps import get_today
from search.indexer import apply_outbox
from tests.factories import add_certificate, make_producer, make_product

HX = {"HX-Request": "true"}


def html(response: object) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


def index(client: TestClient, session: Session) -> None:
    """Commit the factories' rows and apply the outbox to the app's engine."""
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]


@pytest.fixture
def catalog_data(client: TestClient, session: Session) -> dict[str, str]:
    """A small catalog: one product certified in former Bắc Giang, others in Hà Nội and Huế."""
    banh = make_product(session, name="Bánh tráng phơi sương", province_slug="tay-ninh",
                        certified_in="tay-ninh", group="che_bien", issued_on=date(2024, 5, 1))
    vai = make_product(session, name="Vải thiều sấy khô", province_slug="bac-ninh",
                       certified_in="bac-giang", group="che_bien", issued_on=date(2023, 12, 15))
    non = make_product(session, name="Nón lá bài thơ", province_slug="hue", certified_in="hue",
                       group="thu_cong_my_nghe", issued_on=date(2019, 3, 1))
    index(client, session)
    return {"banh": banh.slug, "vai": vai.slug, "non": non.slug}


def test_home_lists_groups_and_provinces(client: TestClient, catalog_data: dict[str, str]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    soup = html(response)
    assert soup.html is not None and soup.html["lang"] == "vi"
    group_links = [a["href"] for a in soup.select("#by-group ~ ul a")]
    assert "/san-pham?group=che_bien" in group_links and len(group_links) == 4
    provinces = soup.select(".province-list li")
    assert len(provinces) == 34
    bac_ninh = next(li for li in provinces if li.a and li.a.get_text() == "Bắc Ninh")
    assert bac_ninh.select_one(".count").get_text() == "1"  # type: ignore[union-attr]
    assert soup.select(".cards .card")  # latest winners


def test_catalog_finds_text_without_diacritics(client: TestClient, catalog_data: dict[str, str]) -> None:
    response = client.get("/san-pham", params={"q": "banh trang"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"].split(", ")
    soup = html(response)
    titles = [t.get_text() for t in soup.select(".card__title")]
    assert titles == ["Bánh tráng phơi sương"]
    assert soup.select_one(".card__title mark") is not None
    assert soup.select_one("form#search-form input[name=q]")["value"] == "banh trang"  # type: ignore[index]


def _facet_link(soup: BeautifulSoup, name: str, label: str) -> Tag:
    for details in soup.select("details.facet"):
        summary = details.summary.get_text() if details.summary else ""
        if summary.startswith(name):
            for a in details.select("a"):
                if label in a.get_text():
                    return a
    raise AssertionError(f"no facet link {name}/{label}")


def test_facet_links_toggle(client: TestClient, catalog_data: dict[str, str]) -> None:
    soup = html(client.get("/san-pham"))
    link = _facet_link(soup, "Nhóm sản phẩm", "Thủ công mỹ nghệ")
    assert parse_qs(urlsplit(str(link["href"])).query) == {"group": ["thu_cong_my_nghe"]}
    filtered = html(client.get(str(link["href"])))
    assert [t.get_text() for t in filtered.select(".card__title")] == ["Nón lá bài thơ"]
    selected = _facet_link(filtered, "Nhóm sản phẩm", "Thủ công mỹ nghệ")
    assert selected["aria-current"] == "true"
    assert urlsplit(str(selected["href"])).query == ""  # clicking again removes the filter
    hidden = filtered.select("#form-filters input[type=hidden]")
    assert [(i["name"], i["value"]) for i in hidden] == [("group", "thu_cong_my_nghe")]


def test_province_facet_includes_former_provinces(client: TestClient, catalog_data: dict[str, str]) -> None:
    soup = html(client.get("/san-pham", params={"province": "bac-ninh"}))
    assert [t.get_text() for t in soup.select(".card__title")] == ["Vải thiều sấy khô"]
    assert "Bắc Giang (nay thuộc Bắc Ninh)" in soup.select_one(".card").get_text()  # type: ignore[union-attr]
    former = html(client.get("/san-pham", params={"province": "Bac Giang"}))
    assert "Bắc Giang (nay thuộc Bắc Ninh)" in _facet_link(former, "Tỉnh", "Bắc Giang").get_text()


def test_htmx_request_gets_fragment(client: TestClient, catalog_data: dict[str, str]) -> None:
    response = client.get("/san-pham", params={"q": "banh trang"}, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"].split(", ")
    soup = html(response)
    assert soup.find("html") is None and soup.find("body") is None
    assert soup.select_one("#results .card__title") is not None
    assert soup.select_one("#form-filters")["data-hx-swap-oob"] == "true"  # type: ignore[index]
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        full = html(client.get("/san-pham", params={"q": "banh trang"}, headers={**HX, **extra}))
        assert full.find("html") is not None


def test_product_page_timeline_and_badge(client: TestClient, session: Session) -> None:
    producer = make_producer(session, name="HTX Gốm Thử Nghiệm", phone="0900 000 000",
                             email="lienhe@example.invalid", website="example.invalid")
    valid = make_product(session, name="Bình gốm men lam", producer=producer, issued_on=date(2024, 1, 10),
                         number="12/GCN-SCT")
    add_certificate(session, valid, level="huyen", issued_on=date(2018, 6, 1))
    expired = make_product(session, name="Chén gốm cũ", producer=producer, issued_on=date(2018, 6, 1))
    revoked = make_product(session, name="Đĩa gốm", producer=producer, revoked_on=date(2024, 6, 1))
    session.commit()

    soup = html(client.get(f"/san-pham/{valid.slug}"))
    items = soup.select(".timeline__item")
    assert len(items) == 2
    assert "Còn hiệu lực" in items[0].get_text() and items[0].select_one(".cnnt-badge")
    assert "Hết hiệu lực" in items[1].get_text() and not items[1].select_one(".cnnt-badge")
    assert "12/GCN-SCT" in items[0].get_text()
    code = items[0].select_one("code").get_text()  # type: ignore[union-attr]
    assert len(code) == 9 and code[4] == "-"
    assert soup.select_one('a[href="tel:0900000000"]') and soup.select_one('a[href^="mailto:"]')
    assert soup.select_one('a[href="https://example.invalid"]')
    assert soup.title is not None and "Bình gốm men lam" in soup.title.get_text()

    assert not html(client.get(f"/san-pham/{expired.slug}")).select(".cnnt-badge")
    revoked_item = html(client.get(f"/san-pham/{revoked.slug}")).select_one(".timeline__item")
    assert revoked_item is not None
    for words in ("Đã thu hồi", "01/06/2024", "Vi phạm quy định"):
        assert words in revoked_item.get_text()

    producer_page = html(client.get(f"/co-so/{producer.slug}"))
    assert len(producer_page.select(".card")) == 3


def test_former_province_display(client: TestClient, session: Session, catalog_data: dict[str, str]) -> None:
    product = html(client.get(f"/san-pham/{catalog_data['vai']}"))
    assert "Bắc Giang (nay thuộc Bắc Ninh)" in product.select_one(".timeline").get_text()  # type: ignore[union-attr]
    former = html(client.get("/tinh/bac-giang"))
    assert former.h1 is not None and former.h1.get_text() == "Bắc Giang (nay thuộc Bắc Ninh)"
    assert [c.get_text() for c in former.select(".card__title")] == ["Vải thiều sấy khô"]
    current = html(client.get("/tinh/bac-ninh"))
    assert "Bắc Giang" in current.select_one(".note").get_text()  # type: ignore[union-attr]
    assert "(chứng nhận tại Bắc Giang (nay thuộc Bắc Ninh))" in current.select_one(".card").get_text()  # type: ignore[union-attr]


@pytest.mark.parametrize("path", ["/san-pham/khong-co", "/co-so/khong-co", "/tinh/khong-co"])
def test_unknown_slug_is_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    soup = html(response)
    assert soup.select_one(".error-page h1") is not None
    assert soup.select_one('a[href="/"]') is not None


@pytest.mark.parametrize("params", [
    {"status": "maybe"}, {"province": "Atlantis"}, {"page": "0"}, {"year": "abc"}, {"per_page": "1000"},
    {"sort": "price"}, {"level": "galaxy"}, {"q": "x" * 10_000},
])
def test_bad_params_render_422_page(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/san-pham", params=params)
    assert response.status_code == 422
    soup = html(response)
    assert soup.select_one(".error-page__message").get_text().strip()  # type: ignore[union-attr]
    assert soup.select_one('.error-page a[href="/san-pham"]') is not None


def test_search_unavailable_shows_notice(client: TestClient) -> None:
    client.app.state.search.close()  # type: ignore[attr-defined]  # a real outage, no stub
    response = client.get("/san-pham", params={"q": "gốm"})
    assert response.status_code == 200
    assert "Tìm kiếm tạm thời gián đoạn" in html(response).select_one(".notice").get_text()  # type: ignore[union-attr]


def test_catalog_page_is_small(client: TestClient, session: Session) -> None:
    for n in range(21):
        product = make_product(session, name=f"Sản phẩm mẫu có tên khá dài số {n}", certified_in="bac-giang",
                               province_slug="bac-ninh")
        session.add(ProductImage(product_id=product.id, content_hash=f"{n:064x}", width=1600, height=1200))
    index(client, session)
    response = client.get("/san-pham")
    soup = html(response)
    assert len(soup.select(".card")) == 20
    # 20 cards (<picture>: AVIF, WebP, JPEG srcsets), export links: what a 3G phone downloads is the
    # compressed page (the app compresses HTML), so that is the budget that matters.
    assert len(response.content) < 64_000
    assert len(gzip.compress(response.content)) < 12_000
    assert soup.select_one('.pager a[rel="next"]') is not None
    img = soup.select_one(".card img")
    assert img is not None and img["loading"] == "lazy" and img["width"] == "640" and img["height"] == "480"
    assert soup.select_one('.card picture source[type="image/webp"]') is not None


def test_expiring_soon_hint_uses_vietnam_today(client: TestClient, session: Session) -> None:
    product = make_product(session, issued_on=date(2023, 12, 15))
    session.commit()
    client.app.dependency_overrides[get_today] = lambda: date(2026, 12, 31)  # type: ignore[attr-defined]
    item = html(client.get(f"/san-pham/{product.slug}")).select_one(".timeline__item")
    assert item is not None and "Sắp hết hạn" in item.get_text() and "Còn hiệu lực" in item.get_text()
    client.app.dependency_overrides[get_today] = lambda: date(2027, 1, 1)  # type: ignore[attr-defined]
    item = html(client.get(f"/san-pham/{product.slug}")).select_one(".timeline__item")
    assert item is not None and "Hết hiệu lực" in item.get_text() and "Sắp hết hạn" not in item.get_text()


def test_product_page_offers_the_producers_other_products_and_related_ones(client: TestClient,
                                                                           session: Session) -> None:
    """The producer's other products (Vietnamese order, a link to all when there are more), and products of
    the same group in the same province by other producers, valid ones first; never itself, never hidden ones,
    never another group or province."""
    maker = make_producer(session, name="Hợp tác xã Gốm Phù Lãng", province_slug="bac-ninh", legal_form="htx")
    here = make_product(session, name="Bình gốm men da lươn", producer=maker, province_slug="bac-ninh",
                        group="thu_cong_my_nghe", issued_on=date(2024, 3, 1))
    names = ["Đĩa gốm", "Chum gốm", "Ấm gốm", "Bát gốm", "Lọ gốm", "Ang gốm", "Tượng gốm"]
    for name in names:
        make_product(session, name=name, producer=maker, province_slug="bac-ninh", group="thu_cong_my_nghe")
    expired = make_product(session, name="Tranh Đông Hồ cũ", province_slug="bac-ninh",
                           group="thu_cong_my_nghe",
                           issued_on=date(2015, 3, 1))
    valid = make_product(session, name="Tranh Đông Hồ", province_slug="bac-ninh", group="thu_cong_my_nghe",
                         issued_on=date(2024, 3, 1))
    make_product(session, name="Bánh phu thê", province_slug="bac-ninh", group="che_bien")
    make_product(session, name="Gốm Bát Tràng", province_slug="ha-noi", group="thu_cong_my_nghe")
    hidden = make_product(session, name="Tranh ẩn", province_slug="bac-ninh", group="thu_cong_my_nghe")
    hidden.state = "hidden"
    session.add(hidden)
    session.commit()
    client.app.dependency_overrides[get_today] = lambda: date(2026, 6, 1)  # type: ignore[attr-defined]
    soup = html(client.get(f"/san-pham/{here.slug}"))
    others = [a.get_text(strip=True) for a in soup.select("#others ~ .cards .card__title")]
    assert others == ["Ang gốm", "Ấm gốm", "Bát gốm", "Chum gốm", "Đĩa gốm", "Lọ gốm"]  # 6 of 7, a before ấ
    assert soup.select_one(f'.neighbours a[href="/co-so/{maker.slug}"]').get_text(strip=True) == \
        "Xem cả 8 sản phẩm của cơ sở"  # type: ignore[union-attr]
    related = [a.get_text(strip=True) for a in soup.select("#related ~ .cards .card__title")]
    assert related == [valid.name, expired.name]
    assert not soup.select("#others ~ .cards .card__producer")  # the producer is named in the heading
    assert [p.get_text(strip=True) for p in soup.select("#related ~ .cards .card__producer")][0] != ""


def test_producer_page_says_what_the_producer_is(client: TestClient, session: Session) -> None:
    maker = make_producer(session, name="Hợp tác xã Mây tre Phú Vinh", province_slug="ha-noi",
                          legal_form="htx")
    for name, year in (("Giỏ mây", 2024), ("Đèn tre", 2024), ("Bàn ghế mây", 2012)):
        make_product(session, name=name, producer=maker, group="thu_cong_my_nghe", issued_on=date(year, 3, 1))
    session.commit()
    client.app.dependency_overrides[get_today] = lambda: date(2026, 6, 1)  # type: ignore[attr-defined]
    soup = html(client.get(f"/co-so/{maker.slug}"))
    about = " ".join(soup.select_one(".producer__about").get_text().split())  # type: ignore[union-attr]
    assert about == ("Hợp tác xã ở Hà Nội. Có 3 sản phẩm công nghiệp nông thôn tiêu biểu được công bố, "
                     "2 sản phẩm còn hiệu lực hôm nay.")
    titles = [a.get_text(strip=True) for a in soup.select(".card__title")]
    assert titles == ["Bàn ghế mây", "Đèn tre", "Giỏ mây"]
    english = html(client.get(f"/en/co-so/{maker.slug}"))
    assert "Cooperative" in english.select_one(".producer__about").get_text()  # type: ignore[union-attr]


def test_catalog_cards_name_the_producer(client: TestClient, session: Session) -> None:
    maker = make_producer(session, name="Cơ sở Nước mắm Cửa Khe")
    make_product(session, name="Nước mắm cốt", producer=maker)
    index(client, session)
    soup = html(client.get("/san-pham", params={"q": "nuoc mam cot"}))
    assert [p.get_text(strip=True) for p in soup.select(".card__producer")] == ["Cơ sở Nước mắm Cửa Khe"]

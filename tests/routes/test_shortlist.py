"""The shortlist: cookie add/remove, the compare page, share links, and the guards on anonymous posts."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Producer, Product
from app.services.catalog.shortlist import COOKIE_NAME, MAX_ITEMS, parse_slugs
from tests.factories import make_producer, make_product

HX = {"HX-Request": "true"}


def html(response: object) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


def compared_names(response: object) -> list[str]:
    """Product names in the comparison table's name row, left to right."""
    return [cell.get_text(strip=True) for cell in html(response).select("table.compare td.compare__name")]


@pytest.fixture
def products(session: Session) -> list[Product]:
    """Two published products, one certified in a former province, with a contactable producer."""
    producer = make_producer(session, province_slug="bac-ninh", phone="0900 000 001",
                             email="lien-he@vi-du.example", website="vi-du.example")
    vai = make_product(session, name="Vải thiều sấy khô", province_slug="bac-ninh", certified_in="bac-giang",
                       producer=producer, issued_on=date(2023, 12, 15))
    non = make_product(session, name="Nón lá bài thơ", province_slug="hue", group="thu_cong_my_nghe")
    session.commit()
    return [vai, non]


def cookie_slugs(client: TestClient) -> list[str]:
    """The slugs in the client's cookie jar (Python's cookie quoting writes commas as \\054)."""
    raw = client.cookies.get(COOKIE_NAME) or ""
    return parse_slugs(raw.strip('"').replace("\\054", ",")).slugs


def add(client: TestClient, slug: str, **extra: str) -> object:
    """Post the add form as a plain (no-JS) browser would."""
    return client.post("/danh-sach-chon/them", data={"sp": slug, **extra}, follow_redirects=False)


def test_add_sets_cookie_and_redirects_back(client: TestClient, products: list[Product]) -> None:
    vai, non = products
    response = add(client, vai.slug, next=f"/san-pham/{vai.slug}")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/san-pham/{vai.slug}"  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith(f"{COOKIE_NAME}={vai.slug};") and "samesite=lax" in cookie.lower()
    assert "max-age=15552000" in cookie.lower()
    add(client, non.slug)
    add(client, vai.slug)  # twice: no duplicate
    assert cookie_slugs(client) == [vai.slug, non.slug]

    page = client.get("/danh-sach-chon")
    assert compared_names(page) == ["Vải thiều sấy khô", "Nón lá bài thơ"]
    assert html(page).select_one("#shortlist-link").get_text() == "Danh sách chọn (2)"  # type: ignore[union-attr]


def test_remove_and_empty_message(client: TestClient, products: list[Product]) -> None:
    vai, _ = products
    add(client, vai.slug)
    response = client.post("/danh-sach-chon/bo", data={"sp": vai.slug}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/danh-sach-chon"
    assert not client.cookies.get(COOKIE_NAME)
    page = html(client.get("/danh-sach-chon"))
    assert page.select("table.compare") == []
    assert "chưa có sản phẩm nào" in page.select_one(".shortlist__empty").get_text()  # type: ignore[union-attr]


def test_htmx_swaps_the_button(client: TestClient, products: list[Product]) -> None:
    vai, _ = products
    response = client.post("/danh-sach-chon/them", data={"sp": vai.slug}, headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["vary"].split(", ")
    form = html(response).select_one("form.shortlist-btn")
    assert form is not None and form["action"] == "/danh-sach-chon/bo"
    assert html(response).select_one("#shortlist-link[data-hx-swap-oob]").get_text() == "Danh sách chọn (1)"  # type: ignore[union-attr]


def test_compare_table_rows(client: TestClient, products: list[Product]) -> None:
    vai, non = products
    page = html(client.get(f"/danh-sach-chon?sp={vai.slug},{non.slug}"))
    rows = {row.th.get_text(strip=True): row for row in page.select("table.compare tr") if row.th}
    valid_until = [td.get_text(strip=True) for td in rows["Hiệu lực đến"].select("td")]
    assert valid_until == ["31/12/2026", "31/12/2026"]
    assert "Bắc Giang (nay thuộc Bắc Ninh)" in rows["Tỉnh khi chứng nhận"].get_text()
    assert "Bắc Ninh" in rows["Tỉnh hiện nay"].get_text()
    links = [a["href"] for a in rows["Cơ sở sản xuất"].select("td")[0].select("a")]
    assert "tel:0900000001" in links and "mailto:lien-he@vi-du.example" in links
    assert "https://vi-du.example" in links


def test_share_link_reproduces_the_list_without_cookie(client: TestClient, products: list[Product]) -> None:
    vai, non = products
    add(client, non.slug)
    add(client, vai.slug)
    page = html(client.get("/danh-sach-chon"))
    share = page.select_one("#share-url")
    assert share is not None
    url = str(share["value"])
    assert url == f"http://127.0.0.1:8000/danh-sach-chon?sp={non.slug},{vai.slug}"
    exports = [a["href"] for a in page.select(".shortlist__export a")]
    chosen = f"chon={non.slug}%2C{vai.slug}"
    assert exports == [f"/san-pham.csv?{chosen}", f"/san-pham.xlsx?{chosen}"]

    client.cookies.clear()
    shared = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert compared_names(shared) == ["Nón lá bài thơ", "Vải thiều sấy khô"]
    save = html(shared).select_one("form.shortlist__save")
    assert save is not None and save.button.get_text() == "Lưu vào danh sách của tôi"  # type: ignore[union-attr]

    saved = client.post("/danh-sach-chon/luu", data={"sp": f"{vai.slug},khong-co"}, follow_redirects=False)
    assert saved.status_code == 303
    assert client.cookies.get(COOKIE_NAME) == vai.slug


def test_unknown_and_hostile_slugs_are_ignored(client: TestClient, products: list[Product]) -> None:
    vai, _ = products
    hostile = "<script>alert(1)</script>"
    response = client.get("/danh-sach-chon", params={"sp": f"khong-ton-tai,{vai.slug},{hostile}"})
    assert response.status_code == 200
    assert compared_names(response) == ["Vải thiều sấy khô"]
    note = html(response).select_one(".shortlist__ignored")
    assert note is not None and "Đã bỏ qua 2" in note.get_text()
    assert html(response).find("script", string="alert(1)") is None
    assert "&lt;script&gt;" in response.text

    client.cookies.set(COOKIE_NAME, f'{vai.slug},"><img src=x>,da-go')
    assert compared_names(client.get("/danh-sach-chon")) == ["Vải thiều sấy khô"]
    assert add(client, hostile).status_code == 404  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "/\r\nSet-Cookie: x=1",
])
def test_open_redirects_are_refused(client: TestClient, products: list[Product], target: str) -> None:
    response = add(client, products[0].slug, next=target)
    assert response.status_code == 303 and response.headers["location"] == "/danh-sach-chon"  # type: ignore[attr-defined]


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Origin": "null"},
    {"Referer": "https://evil.example/trang"}, {"Origin": "http://testserver.evil.example"},
])
def test_cross_site_posts_are_refused(client: TestClient, products: list[Product],
                                     headers: dict[str, str]) -> None:
    for path in ("/danh-sach-chon/them", "/danh-sach-chon/bo", "/danh-sach-chon/luu"):
        response = client.post(path, data={"sp": products[0].slug}, headers=headers, follow_redirects=False)
        assert response.status_code == 403
    assert not client.cookies.get(COOKIE_NAME)


def test_same_site_origin_is_accepted(client: TestClient, products: list[Product]) -> None:
    response = add(client, products[0].slug, next="/")
    assert response.status_code == 303  # no Origin: SameSite=Lax already keeps cross-site posts cookieless
    response = client.post("/danh-sach-chon/them", data={"sp": products[1].slug},
                           headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert response.status_code == 303


def test_the_51st_item_is_refused_with_a_message(client: TestClient, session: Session) -> None:
    producer = make_producer(session)
    slugs = [make_product(session, producer=producer).slug for _ in range(MAX_ITEMS + 1)]
    session.commit()
    client.cookies.set(COOKIE_NAME, ",".join(slugs[:MAX_ITEMS]))
    refused = add(client, slugs[-1])
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "đã đủ 50 sản phẩm" in html(refused).select_one(".shortlist__notice").get_text()  # type: ignore[union-attr]
    assert slugs[-1] not in cookie_slugs(client)

    swapped = client.post("/danh-sach-chon/them", data={"sp": slugs[-1]}, headers=HX)
    assert swapped.status_code == 422
    assert "đã đủ 50 sản phẩm" in html(swapped).select_one(".shortlist-btn__notice").get_text()  # type: ignore[union-attr]


def test_buttons_on_product_page_and_catalog_card(client: TestClient, products: list[Product]) -> None:
    vai, _ = products
    page = html(client.get(f"/san-pham/{vai.slug}"))
    form = page.select_one(".product__head form.shortlist-btn")
    assert form is not None and form["action"] == "/danh-sach-chon/them" and form["method"] == "post"
    add(client, vai.slug)
    form = html(client.get(f"/san-pham/{vai.slug}")).select_one(".product__head form.shortlist-btn")
    assert form is not None and form["action"] == "/danh-sach-chon/bo"


def _card_action(page: BeautifulSoup, slug: str) -> str | None:
    """Where the shortlist button of `slug`'s card posts: /them (add) or /bo (remove); None without a card."""
    for card in page.select("li.card"):
        if card.select_one(f'a.card__link[href="/san-pham/{slug}"]') is not None:
            form = card.select_one("form.shortlist-btn")
            return str(form["action"]) if form is not None else None
    return None


def test_cards_on_every_page_know_what_is_already_chosen(client: TestClient, session: Session,
                                                         products: list[Product]) -> None:
    """Home, province and producer cards offer removing a chosen product, adding the others."""
    vai, non = products
    add(client, vai.slug)
    producer = session.get_one(Producer, vai.producer_id)
    pages = {"/": (vai, non), "/tinh/bac-ninh": (vai,), f"/co-so/{producer.slug}": (vai,)}
    for path, shown in pages.items():
        page = html(client.get(path))
        assert _card_action(page, vai.slug) == "/danh-sach-chon/bo", path
        if non in shown:
            assert _card_action(page, non.slug) == "/danh-sach-chon/them", path

"""Products without a photo show their kind's illustration everywhere a photo would be, and share a
PNG card of it as og:image; products with a photo keep their photo."""

from __future__ import annotations

import io
import json
from datetime import date

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.config import Settings
from app.models import Certificate, Producer, ProductImage
from app.web.static_files import IMMUTABLE
from tests.factories import make_product
from tests.routes.test_pages import html, index

TEA_ALT = "Hình minh họa: Chè, trà"


def _seed(client: TestClient, session: Session) -> dict[str, str]:
    """A tea without a photo, a pottery vase with one; both indexed."""
    tea = make_product(session, name="Chè Shan tuyết Suối Giàng", group="che_bien", province_slug="lao-cai",
                       issued_on=date(2025, 9, 1))
    vase = make_product(session, name="Bình gốm men lam", group="thu_cong_my_nghe",
                        issued_on=date(2025, 9, 1))
    session.add(ProductImage(product_id=vase.id, content_hash="ab" * 32, width=1600, height=1200))
    index(client, session)
    code = session.exec(select(Certificate.code).where(Certificate.product_id == tea.id)).one()
    producer = session.get(Producer, tea.producer_id)
    assert producer is not None
    return {"tea": tea.slug, "vase": vase.slug, "code": code, "producer": producer.slug}


def _illustrations(client: TestClient, path: str) -> list[dict[str, str]]:
    """(src, alt, width, height) of each illustration on a page."""
    response = client.get(path)
    assert response.status_code == 200, path
    return [{k: str(img.get(k)) for k in ("src", "alt", "width", "height")}
            for img in html(response).select(".illus img.illus__img")]


def test_illustration_wherever_a_photo_would_be(client: TestClient, session: Session) -> None:
    ids = _seed(client, session)
    pages = [f"/san-pham/{ids['tea']}", "/san-pham?q=che+shan", f"/v/{ids['code']}",
             f"/danh-sach-chon?sp={ids['tea']},{ids['vase']}", f"/bao-cao?ma={ids['code']}", "/",
             f"/co-so/{ids['producer']}"]
    for path in pages:
        found = _illustrations(client, path)
        assert found, path
        assert {(i["alt"], i["width"], i["height"]) for i in found} == {(TEA_ALT, "72", "72")}, path
        assert all(i["src"].startswith("/static/illustrations/openmoji/1F375.") for i in found), path
    product = html(client.get(f"/san-pham/{ids['tea']}"))
    assert product.select_one(".illus__note").get_text(strip=True) == "Hình minh họa"  # type: ignore[union-attr]
    assert not product.select(".card__noimg")
    vase = html(client.get(f"/san-pham/{ids['vase']}"))  # a photo: no illustration
    assert not vase.select(".illus") and vase.select(".gallery picture img")


def test_illustration_svg_is_a_cached_static_file(client: TestClient, session: Session) -> None:
    ids = _seed(client, session)
    src = _illustrations(client, f"/san-pham/{ids['tea']}")[0]["src"]
    response = client.get(src)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == IMMUTABLE and b"<svg" in response.content[:200]


def _og_image(client: TestClient, path: str) -> str:
    soup = html(client.get(path))
    og = soup.select_one('meta[property="og:image"]')
    assert og is not None, path
    graph = json.loads(soup.find("script", type="application/ld+json").string)["@graph"]  # type: ignore[union-attr, arg-type]
    product = next(node for node in graph if node["@type"] == "Product")
    assert product["image"] == og["content"], path
    return str(og["content"])


def test_every_product_page_has_an_og_image(client: TestClient, session: Session, settings: Settings) -> None:
    ids = _seed(client, session)
    assert _og_image(client, f"/san-pham/{ids['vase']}").endswith(f"/media/ab/{'ab' * 32}/1280.jpg")
    url = _og_image(client, f"/san-pham/{ids['tea']}")
    assert url == "http://127.0.0.1:8000/minh-hoa/v1/tea.vi.png"
    soup = html(client.get(f"/san-pham/{ids['tea']}"))
    assert soup.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"  # type: ignore[index]
    response = client.get("/minh-hoa/v1/tea.vi.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == IMMUTABLE
    with Image.open(io.BytesIO(response.content)) as card:
        assert card.size == (1200, 630) and card.format == "PNG"
        assert card.getpixel((20, 20)) == (0xEA, 0xF3, 0xE0)  # the food group's soft green
    cached = settings.media_path / "minh-hoa" / "v1-tea.vi.png"
    assert cached.read_bytes() == response.content  # composed once, then served from disk
    assert client.get("/minh-hoa/v1/tea.vi.png").content == response.content


def test_english_card_and_alt_text(client: TestClient, session: Session) -> None:
    ids = _seed(client, session)
    assert _og_image(client, f"/en/san-pham/{ids['tea']}") == "http://127.0.0.1:8000/minh-hoa/v1/tea.en.png"
    english = client.get("/minh-hoa/v1/tea.en.png")
    assert english.status_code == 200 and english.content != client.get("/minh-hoa/v1/tea.vi.png").content
    found = _illustrations(client, f"/en/san-pham/{ids['tea']}")
    assert [i["alt"] for i in found] == ["Illustration: Tea"]
    note = html(client.get(f"/en/san-pham/{ids['tea']}")).select_one(".illus__note")
    assert note is not None and note.get_text(strip=True) == "Illustration"


def test_unknown_cards_are_not_found(client: TestClient) -> None:
    for path in ("/minh-hoa/v1/tea.fr.png", "/minh-hoa/v1/khong-co.vi.png", "/minh-hoa/v1/tea.png",
                 "/minh-hoa/v1/..%2Fcnnt.vi.png", "/minh-hoa/v9/tea.vi.png"):
        assert client.get(path).status_code == 404, path

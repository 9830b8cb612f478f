"""Validators on the dynamic pages: feed readers and crawlers revalidate and get a bodyless 304.

Home, catalog, feed, sitemap and the OpenAPI schema had no ETag, so every poll downloaded the
whole body; the QR code and label had a max-age but nothing to revalidate with once it ran out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.validity import today_in
from app.models import Certificate, Product
from app.services.records.revocation import revoke_certificate
from tests.factories import index_products, make_product

DYNAMIC = ("/", "/san-pham", "/san-pham?status=valid", "/feeds/moi.atom", "/sitemap.xml", "/openapi.json",
           "/en/", "/en/san-pham")


@pytest.fixture
def product(client: TestClient, session: Session) -> Product:
    """One indexed product with a certificate valid today."""
    today = today_in(client.app.state.settings.tz)  # type: ignore[attr-defined]
    made = make_product(session, name="Nón lá Huế", province_slug="hue", issued_on=today - timedelta(days=30))
    session.commit()
    index_products(client, session, made)
    return made


def _code(session: Session, product: Product) -> str:
    """The product's certificate code."""
    return session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()


def _revalidates(client: TestClient, path: str) -> str:
    """GET has an ETag; asked again with it, the answer is a 304 without a body. Returns the ETag."""
    first = client.get(path)
    assert first.status_code == 200, path
    etag = first.headers.get("etag")
    assert etag, path
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"", path
    return etag


@pytest.mark.usefixtures("product")
@pytest.mark.parametrize("path", DYNAMIC)
def test_dynamic_pages_revalidate(client: TestClient, path: str) -> None:
    _revalidates(client, path)


@pytest.mark.parametrize("name", ["qr.svg", "qr.png", "nhan.svg", "nhan.pdf"])
def test_qr_and_label_keep_max_age_and_revalidate(client: TestClient, session: Session, product: Product,
                                                  name: str) -> None:
    path = f"/ma/{_code(session, product)}/{name}"
    etag = _revalidates(client, path)
    assert "max-age" in client.get(path).headers["cache-control"]
    assert client.get(path).headers["etag"] == etag  # the same bytes each time: a stable validator


def test_a_data_change_gives_new_etags(client: TestClient, session: Session, product: Product) -> None:
    """A revocation changes the catalog (and its `valid` filter); a new winner, the feed and sitemap."""
    before = {path: _revalidates(client, path) for path in DYNAMIC if path != "/openapi.json"}
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    today = today_in(client.app.state.settings.tz)  # type: ignore[attr-defined]
    revoke_certificate(session=session, certificate=cert, on=today, reason="Dùng nhãn sai quy định")
    newcomer = make_product(session, name="Chiếu cói Kim Sơn", province_slug="ninh-binh")
    session.commit()
    index_products(client, session, product, newcomer)
    for path, etag in before.items():
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.headers["etag"] != etag, path

"""Search-engine facts: canonical URLs, the sitemap's entries and a product's JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.media import variant_url
from app.models import Producer, Product, Province, SelectionRound
from app.services.catalog import ProductDetail

SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file
STATIC_PATHS = ("/", "/san-pham", "/tra-cuu", "/ban-do")
# Query parameters that change what a page shows; everything else (utm_*, fbclid, sort…) is dropped.
CANONICAL_PARAMS: dict[str, frozenset[str]] = {
    "/san-pham": frozenset({"q", "province", "group", "level", "year", "status", "page"}),
}


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One <url> of the sitemap: an absolute location and when it last changed."""

    loc: str
    lastmod: datetime | None = None


def canonical_url(base_url: str, path: str, params: list[tuple[str, str]]) -> str:
    """The one URL search engines should index: tracking parameters dropped, filters kept and sorted."""
    keep = CANONICAL_PARAMS.get(path, frozenset())
    kept = sorted((k, v) for k, v in params if k in keep and v.strip())
    query = f"?{urlencode(kept)}" if kept else ""
    return f"{base_url}{path}{query}"


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> data block, safe against an early `</script>`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\u0021--"))  # noqa: S704 - JSON, `</` escaped


def og_image(detail: ProductDetail, base_url: str) -> str | None:
    """Absolute URL of the cover photo's 1280 px JPEG variant, for OpenGraph and JSON-LD."""
    if not detail.images:
        return None
    return f"{base_url}{variant_url(detail.images[0].image.content_hash, 1280, 'jpg')}"


def _organization(producer: Producer, base_url: str) -> dict[str, Any]:
    """The producer as a schema.org Organization, with the contacts it publishes."""
    org: dict[str, Any] = {"@type": "Organization", "name": producer.name,
                           "url": f"{base_url}/co-so/{producer.slug}"}
    if producer.address:
        org["address"] = {"@type": "PostalAddress", "streetAddress": producer.address, "addressCountry": "VN"}
    if producer.phone:
        org["telephone"] = producer.phone
    if producer.email:
        org["email"] = producer.email
    if producer.website:
        org["sameAs"] = producer.website
    return org


def _breadcrumb(detail: ProductDetail, base_url: str, url: str) -> dict[str, Any]:
    """Home › Catalog › Province › Product, as the page's breadcrumb shows it."""
    trail = [("Trang chủ", f"{base_url}/"), ("Sản phẩm", f"{base_url}/san-pham"),
             (detail.province.name, f"{base_url}/tinh/{detail.province.slug}"), (detail.product.name, url)]
    items = [{"@type": "ListItem", "position": i, "name": name, "item": link}
             for i, (name, link) in enumerate(trail, start=1)]
    return {"@type": "BreadcrumbList", "itemListElement": items}


def product_json_ld(detail: ProductDetail, base_url: str) -> dict[str, Any]:
    """schema.org Product (producer as brand and manufacturer, certificates as awards) and its breadcrumb."""
    product = detail.product
    url = f"{base_url}/san-pham/{product.slug}"
    org = _organization(detail.producer, base_url)
    data: dict[str, Any] = {
        "@type": "Product", "@id": f"{url}#product", "name": product.name, "url": url,
        "description": product.description or product.name, "brand": org, "manufacturer": org,
        "award": [f"Sản phẩm công nghiệp nông thôn tiêu biểu {Level(v.certificate.level).label.lower()} "
                  f"năm {v.certificate.issued_on.year}" for v in detail.certificates],
    }
    image = og_image(detail, base_url)
    if image:
        data["image"] = image
    return {"@context": "https://schema.org", "@graph": [data, _breadcrumb(detail, base_url, url)]}


def sitemap_entries(*, session: Session, base_url: str) -> Iterator[SitemapEntry]:
    """Every public URL: fixed pages, published products and rounds, producers, provinces."""
    for path in STATIC_PATHS:
        yield SitemapEntry(f"{base_url}{path}")
    products = select(Product.slug, Product.updated_at).where(Product.state == "published")
    for slug, updated in session.exec(products.order_by(col(Product.id))):
        yield SitemapEntry(f"{base_url}/san-pham/{slug}", updated)
    with_products = select(Product.producer_id).where(Product.state == "published")
    producers = select(Producer.slug, Producer.updated_at).where(col(Producer.id).in_(with_products))
    for slug, updated in session.exec(producers.order_by(col(Producer.id))):
        yield SitemapEntry(f"{base_url}/co-so/{slug}", updated)
    rounds = select(SelectionRound.id).where(SelectionRound.state == "published")
    for round_id in session.exec(rounds.order_by(col(SelectionRound.id))):
        yield SitemapEntry(f"{base_url}/dot-binh-chon/{round_id}")
    for slug in session.exec(select(Province.slug).order_by(col(Province.id))):
        yield SitemapEntry(f"{base_url}/tinh/{slug}")


def sitemap_pages(entries: list[SitemapEntry], limit: int = SITEMAP_MAX_URLS) -> list[list[SitemapEntry]]:
    """The entries cut into files of at most `limit` URLs (one file: no index needed)."""
    return [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]

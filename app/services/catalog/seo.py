"""Search-engine facts: canonical URLs, the sitemap's entries and a product's JSON-LD.

Every public page exists in Vietnamese (`/x`) and English (`/en/x`): the sitemap lists both,
each with its hreflang alternates, and JSON-LD speaks the language of the page it is on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app.domain.illustrations import illustration_for
from app.domain.levels import Level
from app.domain.states import ProductState, RoundState
from app.domain.validity import CertificateStatus
from app.files.illustration_card import card_url
from app.files.media import variant_url
from app.i18n import DEFAULT_LANG, LANGUAGES, current_lang, gettext, lang_prefix
from app.models import Producer, Product, Province, RoundCall, SelectionRound
from app.services.catalog.reads import CertificateView, ProducerDetail, ProductDetail

SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file
STATIC_PATHS = ("/", "/san-pham", "/tra-cuu", "/ban-do", "/thong-ke", "/du-lieu-mo", "/nop-ho-so")
# Query parameters that change what a page shows; everything else (utm_*, fbclid, sort…) is dropped.
CANONICAL_PARAMS: dict[str, frozenset[str]] = {
    "/san-pham": frozenset({"q", "province", "group", "level", "year", "status", "page"}),
}


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One <url> of the sitemap: an absolute location, when it last changed, and its language versions."""

    loc: str
    lastmod: datetime | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL), x-default last


def canonical_url(base_url: str, path: str, params: list[tuple[str, str]]) -> str:
    """The one URL search engines should index: tracking parameters dropped, filters kept and sorted."""
    keep = CANONICAL_PARAMS.get(path, frozenset())
    kept = sorted((k, v) for k, v in params if k in keep and v.strip())
    query = f"?{urlencode(kept)}" if kept else ""
    return f"{base_url}{path}{query}"


def og_image(detail: ProductDetail, base_url: str) -> str:
    """Absolute URL of the cover photo's 1280 px JPEG variant, for OpenGraph and JSON-LD; without a
    photo, the PNG card of the product's illustration in the page's language."""
    if not detail.images:
        kind = illustration_for(detail.product.name, detail.product.group)
        return f"{base_url}{card_url(kind, current_lang())}"
    return f"{base_url}{variant_url(detail.images[0].image.content_hash, 1280, 'jpg')}"


def _organization(producer: Producer, site: str) -> dict[str, Any]:
    """The producer as a schema.org Organization, with the contacts it publishes."""
    org: dict[str, Any] = {"@type": "Organization", "name": producer.name,
                           "url": f"{site}/co-so/{producer.slug}"}
    if producer.address:
        org["address"] = {"@type": "PostalAddress", "streetAddress": producer.address, "addressCountry": "VN"}
    if producer.phone:
        org["telephone"] = producer.phone
    if producer.email:
        org["email"] = producer.email
    if producer.website:
        org["sameAs"] = producer.website
    return org


def producer_json_ld(detail: ProducerDetail, base_url: str) -> dict[str, Any]:
    """schema.org Organization for a producer's page (contacts as published) and its breadcrumb."""
    site = f"{base_url}{lang_prefix()}"
    org = _organization(detail.producer, site)
    org["@id"] = f"{org['url']}#organization"
    trail = [(gettext("Trang chủ"), f"{site}/"),
             (detail.province.name, f"{site}/tinh/{detail.province.slug}"),
             (detail.producer.name, org["url"])]
    return {"@context": "https://schema.org", "@graph": [org, _trail(trail)]}


def _trail(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """(name, URL) pairs as a schema.org BreadcrumbList.

    Each `item` is a node reference ({"@id": URL}): schema.org's range for it is Thing, and a
    reference is a Thing in JSON-LD; search engines read it as the crumb's page.
    """
    items = [{"@type": "ListItem", "position": i, "name": name, "item": {"@id": link}}
             for i, (name, link) in enumerate(trail, start=1)]
    return {"@type": "BreadcrumbList", "itemListElement": items}


def _breadcrumb(detail: ProductDetail, site: str, url: str) -> dict[str, Any]:
    """Home › Catalog › Province › Product, as the page's breadcrumb shows it (in the page's language)."""
    trail = [(gettext("Trang chủ"), f"{site}/"), (gettext("Sản phẩm"), f"{site}/san-pham"),
             (detail.province.name, f"{site}/tinh/{detail.province.slug}"), (detail.product.name, url)]
    return _trail(trail)


def _award(level: str, year: int) -> str:
    """A certificate as schema.org `award` text, in the page's language."""
    words = gettext("Sản phẩm công nghiệp nông thôn tiêu biểu %(level)s năm %(year)s")
    return words % {"level": gettext(Level(level).label).lower(), "year": year}


def _certification(view: CertificateView, site: str) -> dict[str, Any]:
    """A certificate as schema.org Certification: its public code, validity, status today and issuer.

    The status is the one the page shows (as of today in Vietnam); `url` is the verification answer,
    so a crawler or an app reading the data can check the certificate the way a shopper does.
    """
    cert = view.certificate
    status = "CertificationActive" if view.status is CertificateStatus.valid else "CertificationInactive"
    data: dict[str, Any] = {
        "@type": "Certification", "name": _award(cert.level, cert.issued_on.year),
        "certificationIdentification": view.display_code, "url": f"{site}/v/{cert.code}",
        "validFrom": cert.issued_on.isoformat(), "expires": (cert.revoked_on or cert.valid_until).isoformat(),
        "certificationStatus": f"https://schema.org/{status}",
    }
    if view.round is not None and view.round.organiser:
        data["issuedBy"] = {"@type": "Organization", "name": view.round.organiser}
    return data


def product_json_ld(detail: ProductDetail, base_url: str) -> dict[str, Any]:
    """schema.org Product (producer as brand and manufacturer, certificates as awards) and its breadcrumb.

    Each certificate is both an `award` (the words search engines show) and a `hasCertification`
    (the machine-readable facts: code, validity, status). URLs are those of the page's language
    (`/en/...` on English pages); names stay as entered.
    """
    product = detail.product
    site = f"{base_url}{lang_prefix()}"
    url = f"{site}/san-pham/{product.slug}"
    org = _organization(detail.producer, site)
    data: dict[str, Any] = {
        "@type": "Product", "@id": f"{url}#product", "name": product.name, "url": url,
        "description": product.description or product.name, "brand": org, "manufacturer": org,
        "award": [_award(v.certificate.level, v.certificate.issued_on.year) for v in detail.certificates],
        "hasCertification": [_certification(v, site) for v in detail.certificates],
    }
    data["image"] = og_image(detail, base_url)
    return {"@context": "https://schema.org", "@graph": [data, _breadcrumb(detail, site, url)]}


def _public_paths(session: Session) -> Iterator[tuple[str, datetime | None]]:
    """(path, last change) of every public page: fixed pages, products, producers, rounds, calls, places."""
    for path in STATIC_PATHS:
        yield path, None
    products = select(Product.slug, Product.updated_at).where(Product.state == ProductState.PUBLISHED)
    for slug, updated in session.exec(products.order_by(col(Product.id))):
        yield f"/san-pham/{slug}", updated
    with_products = select(Product.producer_id).where(Product.state == ProductState.PUBLISHED)
    producers = select(Producer.slug, Producer.updated_at).where(col(Producer.id).in_(with_products))
    for slug, updated in session.exec(producers.order_by(col(Producer.id))):
        yield f"/co-so/{slug}", updated
    rounds = select(SelectionRound.id).where(SelectionRound.state == RoundState.PUBLISHED)
    for round_id in session.exec(rounds.order_by(col(SelectionRound.id))):
        yield f"/dot-binh-chon/{round_id}", None
    calls = (select(RoundCall.round_id, RoundCall.updated_at)
             .join(SelectionRound, col(SelectionRound.id) == RoundCall.round_id)
             .where(SelectionRound.state != RoundState.WITHDRAWN))
    for round_id, updated in session.exec(calls.order_by(col(RoundCall.round_id))):
        yield f"/nop-ho-so/{round_id}", updated
    for slug in session.exec(select(Province.slug).order_by(col(Province.id))):
        yield f"/tinh/{slug}", None


def language_versions(base_url: str, path: str) -> tuple[tuple[str, str], ...]:
    """hreflang alternates of a page: each language's URL, then Vietnamese as x-default."""
    urls = tuple((lang, f"{base_url}{lang_prefix(lang)}{path}") for lang in LANGUAGES)
    return (*urls, ("x-default", f"{base_url}{lang_prefix(DEFAULT_LANG)}{path}"))


def sitemap_entries(*, session: Session, base_url: str) -> Iterator[SitemapEntry]:
    """Every public URL in every language, each naming all its language versions (Google's hreflang form)."""
    for path, updated in _public_paths(session):
        alternates = language_versions(base_url, path)
        for lang in LANGUAGES:
            yield SitemapEntry(f"{base_url}{lang_prefix(lang)}{path}", updated, alternates)


def sitemap_pages(entries: list[SitemapEntry], limit: int = SITEMAP_MAX_URLS) -> list[list[SitemapEntry]]:
    """The entries cut into files of at most `limit` URLs (one file: no index needed)."""
    return [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]

"""Shape search results and catalog reads into the API's JSON models."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.groups import ProductGroup
from app.domain.provinces import ProvinceInfo, province_by_slug, successor_of
from app.domain.standing import standing
from app.errors import InvalidInput, NotFound
from app.files.media import VARIANT_WIDTHS, variant_url
from app.models import Producer, Product, Province
from app.services.api.schemas import (
    CertificateList,
    CertificateOut,
    ImageOut,
    ProducerOut,
    ProductHit,
    ProductOut,
    ProductProvinces,
    ProductSearchResponse,
    ProvinceRef,
)
from app.services.catalog.changes import product_updated_at
from app.services.catalog.fallback import StatusTables, base_select, filter_conditions
from app.services.catalog.provenance import aware_utc, decision_ref
from app.services.catalog.reads import CertificateView, ImageView, find_certificates, get_product_detail
from app.services.verification.lookup import count_views
from search.document_builder import build_documents
from search.documents import ProductDocument
from search.engine import SearchHit, SearchQuery, SearchResult
from search.result_cache import LruCache


def province_ref(info: ProvinceInfo) -> ProvinceRef:
    """A province as the API shows it (a former one names its successor)."""
    now_in = None if info.is_current else successor_of(info).slug
    return ProvinceRef(slug=info.slug, name=info.name, code=info.code, now_in=now_in)


def _ref(slug: str) -> ProvinceRef:
    info = province_by_slug(slug)
    return province_ref(info) if info else ProvinceRef(slug=slug, name=slug)


def product_hit(doc: ProductDocument, *, query: SearchQuery, base_url: str) -> ProductHit:
    """One search document as an API hit, level and status evaluated on the query's day."""
    shown = standing(doc["validity"], on=query.today)
    return ProductHit(
        slug=doc["slug"],
        name=doc["name"],
        url=f"{base_url}/san-pham/{doc['slug']}",
        group=doc["group"],
        level=shown.level.value if shown.level else "",
        levels=doc["levels"],
        years=doc["years"],
        province=ProductProvinces(
            current=_ref(doc["province"]),
            at_certification=[_ref(slug) for slug in doc["certified_provinces"]],
        ),
        producer=doc["producer_name"],
        status=shown.status.value,
        valid_until=shown.until,
        image=f"{base_url}{variant_url(doc['image'], 640, 'jpg')}" if doc["image"] else None,
    )


FALLBACK_NOTICE = (
    "Tìm kiếm đang gặp sự cố; danh sách dưới đây lấy trực tiếp từ cơ sở dữ liệu, "
    "không xếp theo mức độ phù hợp."
)


def search_response(result: SearchResult, *, query: SearchQuery, base_url: str,
                    notice: str | None = None) -> ProductSearchResponse:
    """A page of results with facets, as the API returns it (`notice` when it is the fallback)."""
    return ProductSearchResponse(
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        hits=[product_hit(hit.document, query=query, base_url=base_url) for hit in result.hits],
        facets=result.facets,
        suggestion=result.suggestion,
        notice=notice,
    )


# JSON bodies by (SearchResult.cache_key, base URL): ~10 KB each, so 256 of them hold ~3 MB.
_SEARCH_JSON: LruCache[tuple[Hashable, str], bytes] = LruCache(256)


def search_response_json(result: SearchResult, *, query: SearchQuery, base_url: str,
                         notice: str | None = None) -> bytes:
    """`search_response` as JSON bytes, built once per cacheable result and base URL.

    Building and validating twenty hits' models, then serializing them, cost more than the
    cached search itself; the body depends only on the result (whose key holds the index
    generation, day and query, page included) and the base URL, so a repeated search answers
    with the stored bytes. Fallback answers (a notice, no key) are built every time.
    """
    key = (result.cache_key, base_url) if result.cache_key is not None and notice is None else None
    if key is not None and (body := _SEARCH_JSON.get(key)) is not None:
        return body
    body = search_response(result, query=query, base_url=base_url, notice=notice).model_dump_json().encode()
    if key is not None:
        _SEARCH_JSON.put(key, body)
    return body


def _row_ref(session: Session, province_id: int) -> ProvinceRef:
    row = session.get_one(Province, province_id)
    return _ref(row.slug)


def certificate_out(session: Session, view: CertificateView, *, base_url: str) -> CertificateOut:
    """A certificate with its status on the day the view was built for."""
    cert, decision = view.certificate, decision_ref(view.round, base_url)
    return CertificateOut(
        code=cert.code,
        number=cert.number,
        level=cert.level,
        level_label=view.level_label,
        issued_on=cert.issued_on,
        valid_until=cert.valid_until,
        status=view.status.value,
        status_label=view.status_label,
        revoked_on=cert.revoked_on,
        revoked_reason=cert.revoked_reason,
        score=cert.score,
        province=_row_ref(session, cert.province_id),
        decision_number=decision.number,
        decision_date=decision.day,
        decision_signer=decision.signer,
        decision_url=decision.pdf_url,
        updated_at=aware_utc(cert.updated_at),
        verify_url=f"{base_url}/v/{cert.code}",
        product_slug=view.product.slug,
        product_name=view.product.name,
    )


def _image_out(view: ImageView, base_url: str) -> ImageOut:
    urls = {
        f"{nominal}.{fmt}": f"{base_url}{url}"
        for nominal, source in zip(VARIANT_WIDTHS, view.sources, strict=True)
        for fmt, url in source.urls.items()
    }
    return ImageOut(alt=view.image.alt, width=view.image.width, height=view.image.height, urls=urls)


def _producer_out(session: Session, producer: Producer) -> ProducerOut:
    return ProducerOut(
        slug=producer.slug, name=producer.name, legal_form=producer.legal_form,
        address=producer.address, phone=producer.phone, email=producer.email,
        website=producer.website, province=_row_ref(session, producer.province_id),
    )


def product_out(*, session: Session, slug: str, on: date, base_url: str) -> ProductOut:
    """GET /products/{slug}: the product, its producer, photos and certificates."""
    detail = get_product_detail(session=session, slug=slug, today=on)
    product = detail.product
    return ProductOut(
        slug=product.slug,
        name=product.name,
        url=f"{base_url}/san-pham/{product.slug}",
        group=product.group,
        group_label=ProductGroup(product.group).label,
        description=product.description,
        level=detail.level.value if detail.level else None,
        status=detail.status.value,
        province=_ref(detail.province.slug),
        producer=_producer_out(session, detail.producer),
        images=[_image_out(view, base_url) for view in detail.images],
        certificates=[certificate_out(session, view, base_url=base_url) for view in detail.certificates],
        updated_at=detail.updated_at,
    )


def certificate_by_code(*, session: Session, code: str, on: date, base_url: str,
                        today: date) -> CertificateOut:
    """GET /certificates/{code}; NotFound when no certificate has this code. Counted on `today`."""
    views = find_certificates(session=session, code=code, number=None, today=on)
    if not views:
        raise NotFound("Không tìm thấy giấy chứng nhận có mã này.")
    count_views(session=session, views=views, day=today)
    return certificate_out(session, views[0], base_url=base_url)


def certificates_by_number(*, session: Session, number: str, on: date, base_url: str,
                           today: date) -> CertificateList:
    """GET /certificates?number=: every certificate printed with this number. Counted on `today`."""
    views = find_certificates(session=session, code=None, number=number, today=on)
    count_views(session=session, views=views, day=today)
    return CertificateList(
        number=number, on=on, certificates=[certificate_out(session, v, base_url=base_url) for v in views]
    )


UPDATED_SINCE_HELP = (
    "Incremental sync: only products changed at or after this instant (ISO 8601 date or datetime; "
    "no offset means UTC), counting changes to the product, any of its certificates and its producer. "
    "Hits are then sorted by that update time, oldest first, then by id; page through with `page`. "
    "Other filters still apply; `q` is then a plain word match on product and producer names."
)


# What the OpenAPI schema promises about `updated_since`: a date, a date-time, or empty (no filter).
UPDATED_SINCE_FORMATS: dict[str, object] = {
    "anyOf": [{"format": "date"}, {"format": "date-time"}, {"maxLength": 0}],
}


def parse_updated_since(value: str) -> datetime | None:
    """`updated_since` as an aware UTC instant (None when absent); InvalidInput names it when malformed.

    An instant whose UTC time falls outside the calendar Python can hold (0001-01-01T00:00+01:00)
    is clamped to the first or last representable one: it still means "since then".
    """
    if not value.strip():
        return None
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            "Tham số updated_since phải là ngày hoặc thời điểm ISO 8601, ví dụ 2026-11-21 "
            "hoặc 2026-11-21T08:00:00+07:00.", field="updated_since") from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        bound = datetime.min if instant.year == datetime.min.year else datetime.max
        return bound.replace(tzinfo=UTC)


def changed_products(*, session: Session, query: SearchQuery, since: datetime,
                     base_url: str) -> ProductSearchResponse:
    """GET /products?updated_since=: products changed since `since`, oldest change first (no facets)."""
    updated = product_updated_at()
    conditions = filter_conditions(query, StatusTables.on(query.today))
    matching = base_select([col(Product.id)], conditions).where(updated >= since)
    total = session.execute(select(sa.func.count()).select_from(matching.subquery())).scalar_one()
    page = matching.order_by(updated, col(Product.id)).limit(query.per_page).offset(query.offset)
    ids = [int(pid) for pid in session.execute(page).scalars()]
    documents = build_documents(session=session, product_ids=ids)
    hits = [SearchHit(document=documents[pid], name_highlighted=documents[pid]["name"])
            for pid in ids if pid in documents]
    result = SearchResult(total=int(total), hits=hits, facets={})
    return search_response(result, query=query, base_url=base_url)

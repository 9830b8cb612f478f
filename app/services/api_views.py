"""Shape search results and catalog reads into the API's JSON models."""

from __future__ import annotations

from app.domain.provinces import ProvinceInfo, province_by_slug, successor_of
from app.media import variant_url
from app.schemas import ProductHit, ProductProvinces, ProductSearchResponse, ProvinceRef
from search.documents import ProductDocument, document_status
from search.engine import SearchQuery, SearchResult


def province_ref(info: ProvinceInfo) -> ProvinceRef:
    """A province as the API shows it (a former one names its successor)."""
    now_in = None if info.is_current else successor_of(info).slug
    return ProvinceRef(slug=info.slug, name=info.name, code=info.code, now_in=now_in)


def _ref(slug: str) -> ProvinceRef:
    info = province_by_slug(slug)
    return province_ref(info) if info else ProvinceRef(slug=slug, name=slug)


def product_hit(doc: ProductDocument, *, query: SearchQuery, base_url: str) -> ProductHit:
    """One search document as an API hit, status evaluated on the query's day."""
    return ProductHit(
        slug=doc["slug"],
        name=doc["name"],
        url=f"{base_url}/san-pham/{doc['slug']}",
        group=doc["group"],
        level=doc["level"],
        levels=doc["levels"],
        years=doc["years"],
        province=ProductProvinces(
            current=_ref(doc["province"]),
            at_certification=[_ref(slug) for slug in doc["certified_provinces"]],
        ),
        producer=doc["producer_name"],
        status=document_status(doc, today=query.today).value,
        valid_until=doc["valid_until"] or None,
        image=f"{base_url}{variant_url(doc['image'], 640, 'jpg')}" if doc["image"] else None,
    )


def search_response(result: SearchResult, *, query: SearchQuery, base_url: str) -> ProductSearchResponse:
    """A page of results with facets, as the API returns it."""
    return ProductSearchResponse(
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        hits=[product_hit(hit.document, query=query, base_url=base_url) for hit in result.hits],
        facets=result.facets,
        suggestion=result.suggestion,
    )

"""The public JSON API under /api/v1: search, product detail, certificate lookup."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.deps import ClientKeyDep, LimitsDep, SearchDep, SessionDep, SettingsDep, TodayDep
from app.schemas import CertificateList, CertificateOut, ProductOut, ProductSearchResponse
from app.search_params import MAX_PAGE, RawSearchParams, build_search_query
from app.services import api_views
from app.services.catalog_search import search_or_fallback
from app.services.verification import check_lookup_rate
from search.engine import MAX_PER_PAGE, MAX_QUERY_LENGTH

router = APIRouter(prefix="/api/v1", tags=["api"])

ListParam = Annotated[list[str], Query()]
OnParam = Annotated[
    date | None, Query(description="Status as of this day (YYYY-MM-DD); default today in Vietnam")
]


def lookup_allowed(limits: LimitsDep, client: ClientKeyDep) -> None:
    """Certificate lookups share the page's per-client limit: 429 JSON with Retry-After when over."""
    check_lookup_rate(limits=limits, client=client)


@router.get("/products", response_model=ProductSearchResponse)
def search_products(
    settings: SettingsDep,
    session: SessionDep,
    search: SearchDep,
    today: TodayDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="Words, diacritics optional")] = "",
    province: ListParam = [],  # noqa: B006 - FastAPI copies list defaults per request
    group: ListParam = [],  # noqa: B006
    level: ListParam = [],  # noqa: B006
    year: ListParam = [],  # noqa: B006
    status: Annotated[str, Query(description="valid | expired | revoked | all")] = "all",
    sort: Annotated[str, Query(description="relevance | newest | name")] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    updated_since: Annotated[str, Query(max_length=64, description=api_views.UPDATED_SINCE_HELP)] = "",
) -> ProductSearchResponse | Response:
    """Search the catalog: filters within one facet are OR-ed, facets AND-ed; facet counts disjunctive.

    When the search engine is down the same filters are answered from the database, with a `notice`.
    With `updated_since` (incremental sync) the answer comes from the database, sorted by update time.
    A search answers with JSON bytes built once per distinct result (api_views.search_response_json).
    """
    raw = RawSearchParams(
        q=q, province=tuple(province), group=tuple(group), level=tuple(level), year=tuple(year),
        status=status, sort=sort, page=str(page), per_page=str(per_page),
    )
    query = build_search_query(raw, today=today)
    if (since := api_views.parse_updated_since(updated_since)) is not None:
        return api_views.changed_products(session=session, query=query, since=since,
                                          base_url=settings.public_base_url)
    result, fallback = search_or_fallback(session=session, engine=search, query=query)
    notice = api_views.FALLBACK_NOTICE if fallback else None
    base_url = settings.public_base_url
    body = api_views.search_response_json(result, query=query, base_url=base_url, notice=notice)
    return Response(body, media_type="application/json")


@router.get("/products/{slug}", response_model=ProductOut)
def get_product(
    slug: str, settings: SettingsDep, session: SessionDep, today: TodayDep, on: OnParam = None
) -> ProductOut:
    """A published product with its producer, photos and certificates (status on `on`)."""
    base_url = settings.public_base_url
    return api_views.product_out(session=session, slug=slug, on=on or today, base_url=base_url)


@router.get("/certificates/{code}", response_model=CertificateOut, dependencies=[Depends(lookup_allowed)])
def get_certificate(
    code: str, settings: SettingsDep, session: SessionDep, today: TodayDep, on: OnParam = None
) -> CertificateOut:
    """One certificate by its verification code (case, spaces and dashes ignored); 404 if unknown."""
    base_url = settings.public_base_url
    return api_views.certificate_by_code(
        session=session, code=code, on=on or today, base_url=base_url, today=today
    )


@router.get("/certificates", response_model=CertificateList, dependencies=[Depends(lookup_allowed)])
def find_certificates_by_number(
    settings: SettingsDep,
    session: SessionDep,
    today: TodayDep,
    number: Annotated[str, Query(min_length=1, max_length=100, description="Printed certificate number")],
    on: OnParam = None,
) -> CertificateList:
    """Certificates by printed number (several may share one); an empty list when none match."""
    return api_views.certificates_by_number(
        session=session, number=number, on=on or today, base_url=settings.public_base_url, today=today
    )

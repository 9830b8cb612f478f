"""The public JSON API under /api/v1: search, product detail, certificate lookup, list check."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BeforeValidator
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.services.api import views as api_views
from app.services.api.check_views import check_response
from app.services.api.schemas import (
    ApiError,
    CertificateList,
    CertificateOut,
    CheckRequest,
    CheckResponse,
    ProductOut,
    ProductSearchResponse,
)
from app.services.catalog.search_results import database_answer, engine_answer, search_or_fallback
from app.services.verification.bulk_check import BulkItem, check_items
from app.web.deps import ClientKeyDep, LimitsDep, SearchDep, SessionDep, SettingsDep, TodayDep
from app.web.loop_turns import runs_in_process, search_turns
from app.web.rate_limit import check_bulk_rate, check_lookup_rate
from app.web.search_params import MAX_PAGE, RawSearchParams, build_search_query, openapi_values
from search.engine import MAX_PER_PAGE, MAX_QUERY_LENGTH, SearchEngine, SearchQuery

# The error answers each route really gives, in the one shape the exception handlers write (ApiError),
# instead of FastAPI's default 422 body, which this API never sends. A NUL in the URL, or a URL over
# 16 KiB, is refused before routing (app.web.middleware), so every route can answer 400 and 414.
Responses = dict[int | str, dict[str, Any]]


def _error(status: int, description: str, **extra: object) -> Responses:
    """One documented error answer (ApiError body)."""
    return {status: {"model": ApiError, "description": description, **extra}}


BAD_URL = {**_error(400, "The URL holds a NUL character"),
           **_error(414, "The URL (path and query string) is longer than 16 KiB")}
INVALID = _error(422, "A parameter is malformed or out of range")
NOT_FOUND = _error(404, "Nothing published under this slug or code")
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
RATE_LIMITED = _error(429, "Too many lookups from this client; see Retry-After", headers=_RETRY_AFTER)
INVALID_BODY = _error(422, "The body is malformed: no items, more than 5,000, or an item over 200 characters")
# Sent by the admission control (app/web/admission.py) before the route runs, when every search slot
# of the process is taken for longer than CNNT_SEARCH_QUEUE_S.
BUSY = _error(503, "Too many searches at once; try again after Retry-After", headers=_RETRY_AFTER)
router = APIRouter(prefix="/api/v1", tags=["api"], responses=BAD_URL)
# 5,000 items of 200 characters, each up to 6 bytes as JSON writes it (`\\u1ea1`), quoted and separated.
MAX_CHECK_BODY_BYTES = 5000 * (200 * 6 + 4) + 1024
TOO_LARGE = _error(413, "The body is larger than 5,000 items of 200 characters can be")

SCHEMA = openapi_values()
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_NUL = r"^[^\x00]*$"  # declared on free-text parameters: a NUL anywhere in the URL is answered 400


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD reaches the date parser: pydantic would also read `0.0` as a Unix time (1970)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("ngày phải có dạng YYYY-MM-DD")
    return value


OnParam = Annotated[
    date | None, BeforeValidator(_iso_day),
    Query(description="Status as of this day (YYYY-MM-DD); default today in Vietnam"),
]


def lookup_allowed(limits: LimitsDep, client: ClientKeyDep) -> None:
    """Certificate lookups share the page's per-client limit: 429 JSON with Retry-After when over."""
    check_lookup_rate(limits=limits, client=client)


def bulk_check_allowed(limits: LimitsDep, client: ClientKeyDep) -> None:
    """List checks have their own per-client limit (a list is thousands of lookups): 429 with Retry-After."""
    check_bulk_rate(limits=limits, client=client)


@router.get("/products", response_model=ProductSearchResponse, responses={**INVALID, **BUSY})
async def search_products(
    settings: SettingsDep,
    session: SessionDep,
    search: SearchDep,
    today: TodayDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, pattern=NO_NUL,
                            description="Words, diacritics optional")] = "",
    # Lists: FastAPI copies list defaults per request (B006 does not apply).
    province: Annotated[list[str], Query(json_schema_extra=SCHEMA["province"])] = [],  # noqa: B006
    group: Annotated[list[str], Query(json_schema_extra=SCHEMA["group"])] = [],  # noqa: B006
    level: Annotated[list[str], Query(json_schema_extra=SCHEMA["level"])] = [],  # noqa: B006
    year: Annotated[list[str], Query(json_schema_extra=SCHEMA["year"])] = [],  # noqa: B006
    status: Annotated[str, Query(description="valid | expired | revoked | all",
                                 json_schema_extra=SCHEMA["status"])] = "all",
    sort: Annotated[str, Query(description="relevance | newest | name",
                               json_schema_extra=SCHEMA["sort"])] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    updated_since: Annotated[str, Query(max_length=64, description=api_views.UPDATED_SINCE_HELP,
                                        json_schema_extra=api_views.UPDATED_SINCE_FORMATS)] = "",
) -> ProductSearchResponse | Response:
    """Search the catalog: filters within one facet are OR-ed, facets AND-ed; facet counts disjunctive.

    When the search engine is down the same filters are answered from the database, with a `notice`.
    With `updated_since` (incremental sync) the answer comes from the database, sorted by update time.
    A search answers with JSON bytes built once per distinct result (api_views.search_response_json):
    a stored answer straight from the event loop, anything that may wait on a database or the
    engine in a worker thread.
    """
    raw = RawSearchParams(
        q=q, province=tuple(province), group=tuple(group), level=tuple(level), year=tuple(year),
        status=status, sort=sort, page=str(page), per_page=str(per_page),
    )
    query = build_search_query(raw, today=today)
    base_url = settings.public_base_url
    since = api_views.parse_updated_since(updated_since)
    if since is None and (stored := search.cached(query)) is not None:
        return json_bytes(api_views.search_response_json(stored, query=query, base_url=base_url))
    if since is None and runs_in_process(search):
        async with search_turns.turn():
            result = engine_answer(search, query)
            if result is not None:
                return json_bytes(api_views.search_response_json(result, query=query, base_url=base_url))
        return await run_in_threadpool(_fallback_products, session=session, query=query, base_url=base_url)
    return await run_in_threadpool(_search_products, session=session, search=search, query=query,
                                   since=since, base_url=base_url)


def _search_products(*, session: Session, search: SearchEngine, query: SearchQuery, since: datetime | None,
                     base_url: str) -> ProductSearchResponse | Response:
    """A remote engine's search, the database fallback or the incremental sync: blocking, in a thread."""
    if since is not None:
        return api_views.changed_products(session=session, query=query, since=since, base_url=base_url)
    result, fallback = search_or_fallback(session=session, engine=search, query=query)
    notice = api_views.FALLBACK_NOTICE if fallback else None
    return json_bytes(api_views.search_response_json(result, query=query, base_url=base_url, notice=notice))


def _fallback_products(*, session: Session, query: SearchQuery, base_url: str) -> Response:
    """The database's listing with its notice, when the in-process engine could not answer."""
    result = database_answer(session=session, query=query)
    return json_bytes(api_views.search_response_json(result, query=query, base_url=base_url,
                                                     notice=api_views.FALLBACK_NOTICE))


def json_bytes(body: bytes) -> Response:
    """An answer of JSON already serialized."""
    return Response(body, media_type="application/json")


@router.get("/products/{slug}", response_model=ProductOut, responses={**NOT_FOUND, **INVALID})
def get_product(
    slug: Annotated[str, Path(pattern=NO_NUL)], settings: SettingsDep, session: SessionDep, today: TodayDep,
    on: OnParam = None,
) -> ProductOut:
    """A published product with its producer, photos and certificates (status on `on`)."""
    base_url = settings.public_base_url
    return api_views.product_out(session=session, slug=slug, on=on or today, base_url=base_url)


# Before /certificates/{code}: the first route whose path matches names the methods of a 405's `Allow`,
# so OPTIONS /certificates/check answers `Allow: POST`, not the code lookup's `Allow: GET`.
@router.post("/certificates/check", response_model=CheckResponse, dependencies=[Depends(bulk_check_allowed)],
             responses={**INVALID_BODY, **TOO_LARGE, **RATE_LIMITED})
def check_certificates(body: CheckRequest, session: SessionDep, today: TodayDep) -> CheckResponse:
    """Check a list at once: each item's answer, in the items' order, as the verification page gives it.

    An item is a verification code, a printed certificate number or an exact product name (diacritics
    optional), tried in that order. `status` is `valid`, `expired`, `revoked`, `not_found` or `ambiguous`
    (several products or certificates fit: `candidates` names them); a certificate expiring within 90
    days is `valid` with `days_left` ≤ 90. Status is as of today in Vietnam. Checks are not counted as
    lookups of the certificates.
    """
    rows = check_items(session=session, items=[BulkItem(text=t) for t in body.items], today=today)
    return check_response(rows)

@router.get("/certificates/{code}", response_model=CertificateOut, dependencies=[Depends(lookup_allowed)],
            responses={**NOT_FOUND, **INVALID, **RATE_LIMITED})
def get_certificate(
    code: Annotated[str, Path(pattern=NO_NUL)], settings: SettingsDep, session: SessionDep, today: TodayDep,
    on: OnParam = None,
) -> CertificateOut:
    """One certificate by its verification code (case, spaces and dashes ignored); 404 if unknown."""
    base_url = settings.public_base_url
    found = api_views.certificate_by_code(
        session=session, code=code, on=on or today, base_url=base_url, today=today
    )
    session.commit()  # the lookup counts
    return found


@router.get("/certificates", response_model=CertificateList, dependencies=[Depends(lookup_allowed)],
            responses={**INVALID, **RATE_LIMITED})
def find_certificates_by_number(
    settings: SettingsDep,
    session: SessionDep,
    today: TodayDep,
    number: Annotated[str, Query(min_length=1, max_length=100, pattern=NO_NUL,
                                 description="Printed certificate number")],
    on: OnParam = None,
) -> CertificateList:
    """Certificates by printed number (several may share one); an empty list when none match."""
    found = api_views.certificates_by_number(
        session=session, number=number, on=on or today, base_url=settings.public_base_url, today=today
    )
    session.commit()  # the lookup counts
    return found


"""The catalog straight from the database, for when the search engine errors or times out.

Same filters and the same status rules as the engines (search.documents.document_status,
evaluated in SQL on `query.today`), the same sorts except relevance (→ newest: there is no
text ranking here), pagination, and disjunctive facet counts computed in SQL (a handful of
GROUP BY queries, cheap at catalog scale). Text is a plain folded match: every query word
must appear in the product's or the producer's folded name (no synonyms, no certificate
numbers, no ranking). Hits are real search documents (search.documents.build_documents),
so templates and the API mapping work unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from app.domain.provinces import province_by_slug
from app.domain.states import ProductState
from app.domain.text import fold
from app.models import Certificate, Producer, Product, Province
from search.documents import build_documents
from search.engine import FACET_FIELDS, SearchHit, SearchQuery, SearchResult, SortOrder, StatusFilter
from search.fts_query import query_words
from search.highlight import highlight_name

LIKE_ESCAPE = "\\"
Conditions = dict[str, ColumnElement[bool]]


class day_before(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it renders
    """`date - 1 day`, which SQLite and PostgreSQL spell differently."""

    type = sa.Date()
    inherit_cache = True


@compiles(day_before, "sqlite")
def _day_before_sqlite(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite stores dates as ISO text: date(x, '-1 day') keeps that form."""
    return f"date({compiler.process(element.clauses, **kw)}, '-1 day')"


@compiles(day_before)
def _day_before_default(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: date - integer is a date."""
    return f"({compiler.process(element.clauses, **kw)} - 1)"


def _status_table(today: date) -> sa.Subquery:
    """Product id → status on `today`, exactly as document_status decides it.

    The defining certificate is the one that ends last (effective_end, ties: newest issue,
    then lowest id); valid if it ends today or later, revoked if it was revoked by today.
    """
    revoked_on, valid_until = col(Certificate.revoked_on), col(Certificate.valid_until)
    end = sa.case(
        (sa.and_(revoked_on.is_not(None), revoked_on <= valid_until), day_before(revoked_on)),
        else_=valid_until,
    )
    rank = sa.func.row_number().over(
        partition_by=col(Certificate.product_id),
        order_by=(end.desc(), col(Certificate.issued_on).desc(), col(Certificate.id).asc()),
    )
    ranked = select(col(Certificate.product_id), col(Certificate.revoked_on), end.label("ends"),
                    rank.label("rank")).subquery("ranked")
    status = sa.case(
        (ranked.c.ends >= today, StatusFilter.valid.value),
        (sa.and_(ranked.c.revoked_on.is_not(None), ranked.c.revoked_on <= today), StatusFilter.revoked.value),
        else_=StatusFilter.expired.value,
    )
    return select(ranked.c.product_id, status.label("status")).where(ranked.c.rank == 1).subquery("status")


def _certified_with(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The product has a certificate matching `condition`."""
    return col(Product.id).in_(select(col(Certificate.product_id)).where(condition))


def _province_ids(slugs: list[str]) -> Any:
    """SELECT the ids of the province rows with these slugs."""
    return select(col(Province.id)).where(col(Province.slug).in_(slugs))


def _province_condition(slugs: tuple[str, ...]) -> ColumnElement[bool]:
    """A current province matches products now in it; a former one, products certified there."""
    former = [s for s in slugs if (p := province_by_slug(s)) is not None and not p.is_current]
    current = [s for s in slugs if s not in former]
    parts: list[ColumnElement[bool]] = []
    if current:
        parts.append(col(Product.province_id).in_(_province_ids(current)))
    if former:
        parts.append(_certified_with(col(Certificate.province_id).in_(_province_ids(former))))
    return sa.or_(*parts)


def _year_condition(years: tuple[int, ...]) -> ColumnElement[bool]:
    """Some certificate was issued in one of `years` (date ranges: portable and index-friendly)."""
    issued = col(Certificate.issued_on)
    return _certified_with(sa.or_(*(issued.between(date(y, 1, 1), date(y, 12, 31)) for y in years)))


def _like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards in `word` escaped, so they match themselves."""
    escaped = "".join(LIKE_ESCAPE + ch if ch in ("%", "_", LIKE_ESCAPE) else ch for ch in word)
    return f"%{escaped}%"


def _text_condition(text: str) -> ColumnElement[bool] | None:
    """Every folded word appears in the product's or the producer's folded name.

    Words as the engines read them (letters and digits only): a query of bare punctuation or
    syntax (`"`, `*`, `-`) is no word at all and lists everything, as the catalog page does.
    """
    words = [fold(word) for word in query_words(text)]
    if not words:
        return None
    like = [_like_pattern(w) for w in words]
    return sa.and_(*(sa.or_(col(Product.name_key).like(p, escape=LIKE_ESCAPE),
                            col(Producer.name_key).like(p, escape=LIKE_ESCAPE)) for p in like))


def filter_conditions(query: SearchQuery, status: sa.Subquery) -> Conditions:
    """Facet field → its condition, for the filters the query sets (text under key "text")."""
    conditions: Conditions = {}
    if query.provinces:
        conditions["province"] = _province_condition(query.provinces)
    if query.groups:
        conditions["group"] = col(Product.group).in_(query.groups)
    if query.levels:
        conditions["level"] = _certified_with(col(Certificate.level).in_(query.levels))
    if query.years:
        conditions["year"] = _year_condition(query.years)
    if query.status != StatusFilter.all:
        conditions["status"] = _status_column(status) == query.status.value
    if (text := _text_condition(query.text)) is not None:
        conditions["text"] = text
    return conditions


def _status_column(status: sa.Subquery) -> ColumnElement[str]:
    """A product's status; one without any certificate counts as expired, as in its document."""
    return sa.func.coalesce(status.c.status, StatusFilter.expired.value)


def _base(columns: list[Any], status: sa.Subquery, conditions: Conditions, *, skip: str | None = None) -> Any:
    """SELECT `columns` over published products passing every condition but `skip`'s."""
    stmt = (
        select(*columns)
        .select_from(Product)
        .join(Producer, col(Producer.id) == col(Product.producer_id))
        .outerjoin(status, status.c.product_id == col(Product.id))
        .where(col(Product.state) == ProductState.PUBLISHED)
    )
    return stmt.where(*(c for field, c in conditions.items() if field != skip))


def _facet(session: Session, field: str, status: sa.Subquery, conditions: Conditions) -> dict[str, int]:
    """Counts per value of `field` under every filter but its own (disjunctive)."""
    products = sa.func.count(sa.distinct(col(Product.id)))
    key: Any
    if field == "province":
        stmt = _base([col(Province.slug), products], status, conditions, skip=field).join(
            Province, col(Province.id) == col(Product.province_id)).group_by(col(Province.slug))
    elif field in ("level", "year"):
        key = col(Certificate.level) if field == "level" else sa.extract("year", col(Certificate.issued_on))
        stmt = _base([key, products], status, conditions, skip=field).join(
            Certificate, col(Certificate.product_id) == col(Product.id)).group_by(key)
    else:
        key = col(Product.group) if field == "group" else _status_column(status)
        stmt = _base([key, products], status, conditions, skip=field).group_by(key)
    rows = session.execute(stmt).all()
    return {str(int(value) if field == "year" else value): int(count) for value, count in rows}


def _order(session: Session, query: SearchQuery) -> list[Any]:
    """ORDER BY for the page: folded name, or newest certificate first (also for relevance)."""
    if query.sort == SortOrder.name:
        name: Any = col(Product.name_key)
        if session.get_bind().dialect.name == "postgresql":
            name = name.collate("C")  # the embedded engine compares folded names bytewise
        return [name, col(Product.id)]
    latest = select(sa.func.max(col(Certificate.issued_on))).where(
        col(Certificate.product_id) == col(Product.id)).scalar_subquery()
    return [latest.desc().nulls_last(), col(Product.id).desc()]


def fallback_search(*, session: Session, query: SearchQuery) -> SearchResult:
    """A page of the catalog from the database, with total and facet counts; no engine involved."""
    status = _status_table(query.today)
    conditions = filter_conditions(query, status)
    total = session.execute(select(sa.func.count()).select_from(
        _base([col(Product.id)], status, conditions).subquery())).scalar_one()
    page = _base([col(Product.id)], status, conditions).order_by(*_order(session, query))
    ids = [int(pid) for pid in session.execute(page.limit(query.per_page).offset(query.offset)).scalars()]
    documents = build_documents(session=session, product_ids=ids)
    words = query.text.split()
    hits = [SearchHit(document=documents[pid], name_highlighted=highlight_name(documents[pid]["name"], words))
            for pid in ids if pid in documents]
    facets = {field: _facet(session, field, status, conditions) for field in FACET_FIELDS}
    return SearchResult(total=int(total), hits=hits, facets=facets)

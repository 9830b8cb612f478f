"""The catalog straight from the database, for when the search engine errors or times out.

Same filters and the same status rules as the engines (app/domain/standing.py: a status at a
level, and the level a product is shown with, evaluated in SQL on `query.today`), the same
sorts except relevance (→ newest: there is no text ranking here), pagination, and
disjunctive facet counts computed in SQL (a handful of GROUP BY queries, cheap at catalog
scale). Text is a plain folded match: every query word
must appear in the product's or the producer's folded name (no synonyms, no certificate
numbers, no ranking). Hits are real search documents (search.document_builder.build_documents),
so templates and the API mapping work unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.domain.provinces import province_by_slug
from app.domain.states import ProductState
from app.domain.text import fold
from app.models import Certificate, Producer, Product, Province
from app.services.catalog.in_force import effective_end, in_force_on
from search.document_builder import build_documents
from search.engine import (
    FACET_FIELDS,
    LEVEL_STATUS,
    SearchHit,
    SearchQuery,
    SearchResult,
    SortOrder,
    StatusFilter,
)
from search.highlight import highlight_name
from search.text_query import query_words

LIKE_ESCAPE = "\\"
Conditions = dict[str, ColumnElement[bool]]


def _level_status_table(today: date) -> sa.Subquery:
    """(product, level) → status there on `today`, as app.domain.standing.status_at decides it.

    Valid if some certificate at the level is in force that day (issued by then, not ended);
    else the status of the one that ends last (latest end, then latest issue, then revoked).
    """
    end = effective_end()
    issued, revoked_on = col(Certificate.issued_on), col(Certificate.revoked_on)
    in_force = sa.case((in_force_on(today), 1), else_=0)
    per_level = (col(Certificate.product_id), col(Certificate.level))
    ranked = sa.select(
        col(Certificate.product_id), col(Certificate.level), revoked_on, end.label("ends"),
        sa.func.max(in_force).over(partition_by=per_level).label("valid"),
        sa.func.row_number().over(
            partition_by=per_level, order_by=(end.desc(), issued.desc(), revoked_on.desc().nulls_last()),
        ).label("rank"),
    ).subquery("ranked")
    status = sa.case(
        (ranked.c.valid == 1, StatusFilter.valid.value),
        (sa.and_(ranked.c.revoked_on.is_not(None), ranked.c.revoked_on <= today), StatusFilter.revoked.value),
        else_=StatusFilter.expired.value,
    )
    columns = (ranked.c.product_id, ranked.c.level, ranked.c.ends, ranked.c.valid, status.label("status"))
    return sa.select(*columns).where(ranked.c.rank == 1).subquery("level_status")


def _standing_table(levels: sa.Subquery) -> sa.Subquery:
    """Product → status at the level it is shown with (app.domain.standing.standing).

    That level is the highest valid one, else the highest ever; ties on rank: later end, then code.
    """
    rank = sa.case(*((levels.c.level == level.value, level.rank) for level in Level), else_=0)
    order = sa.func.row_number().over(partition_by=levels.c.product_id,
                                      order_by=(levels.c.valid.desc(), rank.desc(), levels.c.ends.desc(),
                                                levels.c.level.desc()))
    ranked = select(levels.c.product_id, levels.c.status, order.label("rank")).subquery("shown")
    return select(ranked.c.product_id, ranked.c.status).where(ranked.c.rank == 1).subquery("standing")


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


@dataclass(frozen=True, slots=True)
class StatusTables:
    """The day's status tables: per (product, level), and per product as shown."""

    levels: sa.Subquery
    shown: sa.Subquery

    @classmethod
    def on(cls, today: date) -> StatusTables:
        """Both tables for `today`."""
        levels = _level_status_table(today)
        return cls(levels, _standing_table(levels))

    def at_levels(self, levels: Sequence[str], status: str) -> ColumnElement[bool]:
        """The product has `status` at one of `levels`."""
        chosen = select(self.levels.c.product_id).where(self.levels.c.level.in_(levels),
                                                        self.levels.c.status == status)
        return col(Product.id).in_(chosen)

    def column(self) -> ColumnElement[str]:
        """A product's own status (the `shown` table outer-joined); one without any certificate
        counts as expired, as in its document."""
        return sa.func.coalesce(self.shown.c.status, StatusFilter.expired.value)

    def own(self, status: str) -> ColumnElement[bool]:
        """The product's own status is `status`, without joining: expired = no other status."""
        if status == StatusFilter.expired.value:
            others = select(self.shown.c.product_id).where(self.shown.c.status != status)
            return col(Product.id).not_in(others)
        return col(Product.id).in_(select(self.shown.c.product_id).where(self.shown.c.status == status))


def _level_status_condition(query: SearchQuery, status: StatusTables) -> ColumnElement[bool]:
    """A certificate at one of the chosen levels has the chosen status (app.domain.standing.matches)."""
    if query.status == StatusFilter.all:
        return _certified_with(col(Certificate.level).in_(query.levels))
    if query.levels:
        return status.at_levels(query.levels, query.status.value)
    return status.own(query.status.value)


def filter_conditions(query: SearchQuery, status: StatusTables) -> Conditions:
    """Facet field → its condition, for the filters the query sets (text under key "text";
    level and status together under LEVEL_STATUS)."""
    conditions: Conditions = {}
    if query.provinces:
        conditions["province"] = _province_condition(query.provinces)
    if query.groups:
        conditions["group"] = col(Product.group).in_(query.groups)
    if query.years:
        conditions["year"] = _year_condition(query.years)
    if query.levels or query.status != StatusFilter.all:
        conditions[LEVEL_STATUS] = _level_status_condition(query, status)
    if (text := _text_condition(query.text)) is not None:
        conditions["text"] = text
    return conditions


def base_select(columns: list[Any], conditions: Conditions, *, skip: str | None = None) -> Any:
    """SELECT `columns` over published products passing every condition but `skip`'s."""
    stmt = (
        select(*columns)
        .select_from(Product)
        .join(Producer, col(Producer.id) == col(Product.producer_id))
        .where(col(Product.state) == ProductState.PUBLISHED)
    )
    return stmt.where(*(c for field, c in conditions.items() if field != skip))


def _level_facet(query: SearchQuery, status: StatusTables, conditions: Conditions) -> Any:
    """Products per level: certified there, or (a status chosen) with that status there."""
    products = sa.func.count(sa.distinct(col(Product.id)))
    if query.status == StatusFilter.all:
        return base_select([col(Certificate.level), products], conditions, skip=LEVEL_STATUS).join(
            Certificate, col(Certificate.product_id) == col(Product.id)).group_by(col(Certificate.level))
    levels = status.levels
    return base_select([levels.c.level, products], conditions, skip=LEVEL_STATUS).join(
        levels, levels.c.product_id == col(Product.id)).where(
        levels.c.status == query.status.value).group_by(levels.c.level)


def _status_facet(query: SearchQuery, status: StatusTables, conditions: Conditions) -> Any:
    """Products per status: their own, or (levels chosen) at one of those levels."""
    products = sa.func.count(sa.distinct(col(Product.id)))
    if not query.levels:
        key = status.column()
        return base_select([key, products], conditions, skip=LEVEL_STATUS).outerjoin(
            status.shown, status.shown.c.product_id == col(Product.id)).group_by(key)
    levels = status.levels
    return base_select([levels.c.status, products], conditions, skip=LEVEL_STATUS).join(
        levels, levels.c.product_id == col(Product.id)).where(
        levels.c.level.in_(query.levels)).group_by(levels.c.status)


def _facet(session: Session, query: SearchQuery, field: str, status: StatusTables,
           conditions: Conditions) -> dict[str, int]:
    """Counts per value of `field` under every filter but its own (disjunctive)."""
    products = sa.func.count(sa.distinct(col(Product.id)))
    key: Any
    if field == "level":
        stmt = _level_facet(query, status, conditions)
    elif field == "status":
        stmt = _status_facet(query, status, conditions)
    elif field == "province":
        stmt = base_select([col(Province.slug), products], conditions, skip=field).join(
            Province, col(Province.id) == col(Product.province_id)).group_by(col(Province.slug))
    elif field == "year":
        key = sa.extract("year", col(Certificate.issued_on))
        stmt = base_select([key, products], conditions, skip=field).join(
            Certificate, col(Certificate.product_id) == col(Product.id)).group_by(key)
    else:
        key = col(Product.group)
        stmt = base_select([key, products], conditions, skip=field).group_by(key)
    rows = session.execute(stmt).all()
    return {str(int(value) if field == "year" else value): int(count) for value, count in rows if count}


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
    status = StatusTables.on(query.today)
    conditions = filter_conditions(query, status)
    total = session.execute(select(sa.func.count()).select_from(
        base_select([col(Product.id)], conditions).subquery())).scalar_one()
    page = base_select([col(Product.id)], conditions).order_by(*_order(session, query))
    ids = [int(pid) for pid in session.execute(page.limit(query.per_page).offset(query.offset)).scalars()]
    documents = build_documents(session=session, product_ids=ids)
    words = query.text.split()
    hits = [SearchHit(document=documents[pid], name_highlighted=highlight_name(documents[pid]["name"], words))
            for pid in ids if pid in documents]
    facets = {field: _facet(session, query, field, status, conditions) for field in FACET_FIELDS}
    return SearchResult(total=int(total), hits=hits, facets=facets)

"""Advice for a search that found nothing: which single filter to drop, and how many that would find.

Counting is one more search per filter value (a page of one hit): cheap on both engines and only
done for an empty answer, at most MAX_COUNTED of them; values past that get a link without a count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from search.engine import SearchEngine, SearchQuery, SearchUnavailable, StatusFilter

MAX_COUNTED = 8


@dataclass(frozen=True, slots=True)
class LooserQuery:
    """The query with one filter value (`name`, `value`) removed, and its total when counted."""

    name: str
    value: str
    query: SearchQuery
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ZeroResultAdvice:
    """What to suggest: drop one filter (most results first), or all of them when text is kept."""

    has_text: bool
    drop_one: list[LooserQuery]
    drop_all: LooserQuery | None = None  # text + several filters: keep only the text

    @property
    def has_filters(self) -> bool:
        """Whether any filter narrowed the search."""
        return bool(self.drop_one)


def _without(query: SearchQuery, name: str, value: str) -> SearchQuery:
    """`query` on its first page without one value of one filter."""
    first = replace(query, page=1)
    if name == "status":
        return replace(first, status=StatusFilter.all)
    if name == "year":
        return replace(first, years=tuple(y for y in query.years if str(y) != value))
    if name == "province":
        return replace(first, provinces=tuple(v for v in query.provinces if v != value))
    if name == "group":
        return replace(first, groups=tuple(v for v in query.groups if v != value))
    return replace(first, levels=tuple(v for v in query.levels if v != value))


def _filter_values(query: SearchQuery) -> list[tuple[str, str]]:
    """Every applied filter value as (parameter, value), in the catalog's order."""
    values = [("province", v) for v in query.provinces] + [("group", v) for v in query.groups]
    values += [("level", v) for v in query.levels] + [("year", str(v)) for v in query.years]
    return values + ([("status", query.status.value)] if query.status != StatusFilter.all else [])


def _counted(engine: SearchEngine | None, query: SearchQuery) -> int | None:
    """How many products `query` finds, or None when the engine cannot say now."""
    if engine is None:
        return None
    try:
        return engine.search(replace(query, per_page=1)).total
    except SearchUnavailable:
        return None


def zero_result_advice(*, engine: SearchEngine | None, query: SearchQuery) -> ZeroResultAdvice:
    """The filters to drop for a query that found nothing; `engine` None: links without counts."""
    values = _filter_values(query)
    drop_one = [
        LooserQuery(name, value, looser, _counted(engine, looser) if i < MAX_COUNTED else None)
        for i, (name, value) in enumerate(values)
        for looser in [_without(query, name, value)]
    ]
    drop_one.sort(key=lambda item: -1 if item.total is None else -item.total)  # stable: ties keep order
    drop_all = None
    if query.text and len(values) > 1:
        bare = SearchQuery(today=query.today, text=query.text, sort=query.sort, per_page=query.per_page)
        drop_all = LooserQuery("", "", bare, _counted(engine, bare))
    return ZeroResultAdvice(has_text=bool(query.text), drop_one=drop_one, drop_all=drop_all)

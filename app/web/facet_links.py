"""Facet, sort and page links for the catalog, computed on the server (datasette style).

Every facet value is a plain link whose URL toggles that value in the current query, so
the catalog works without JavaScript; htmx only makes following the links faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from app.domain.groups import ProductGroup
from app.domain.levels import LEVELS_DESCENDING, Level
from app.domain.provinces import current_provinces, display_name, province_by_slug
from app.domain.validity import STATUS_LABELS, CertificateStatus
from app.i18n import gettext as _
from app.i18n import lang_url
from search.engine import SearchQuery, SearchResult, SortOrder, StatusFilter

CATALOG_PATH = "/san-pham"
DEFAULT_PER_PAGE = 20
Params = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class FacetItem:
    """One value of a facet: label, count, whether selected, and the URL that toggles it."""

    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True, slots=True)
class Facet:
    """A facet with its title and items (selected first)."""

    name: str
    title: str
    items: list[FacetItem]


def query_params(query: SearchQuery, *, page: int = 1) -> Params:
    """The URL parameters that reproduce `query` (defaults left out)."""
    params: Params = [("q", query.text)] if query.text else []
    params += [("province", v) for v in query.provinces]
    params += [("group", v) for v in query.groups]
    params += [("level", v) for v in query.levels]
    params += [("year", str(v)) for v in query.years]
    if query.status != StatusFilter.all:
        params.append(("status", query.status.value))
    if query.sort != SortOrder.relevance:
        params.append(("sort", query.sort.value))
    if query.per_page != DEFAULT_PER_PAGE:
        params.append(("per_page", str(query.per_page)))
    if page > 1:
        params.append(("page", str(page)))
    return params


def catalog_url(params: Params) -> str:
    """The catalog URL for these parameters, in the page's language."""
    path = lang_url(CATALOG_PATH)
    return f"{path}?{urlencode(params)}" if params else path


def page_url(query: SearchQuery, page: int) -> str:
    """Link to another page of the same results."""
    return catalog_url(query_params(query, page=page))


def suggestion_url(query: SearchQuery, text: str) -> str:
    """Link for "did you mean": the same filters with the suggested text."""
    params = [(k, v) for k, v in query_params(query) if k != "q"]
    return catalog_url([("q", text), *params])


@dataclass(frozen=True, slots=True)
class _Toggles:
    """The toggle links of one query's facet values, its parameters percent-encoded once.

    A page has sixty facet links, each the query's parameters with one value added or removed;
    encoding them all again for every link (urlencode) was a tenth of a catalog page's render.
    Each link is written as urlencode writes it: `name=value` pairs, quote_plus, joined by `&`.
    """

    query: SearchQuery
    path: str  # the catalog's path in the page's language
    pairs: tuple[tuple[str, str, str], ...]  # (name, value, encoded "name=value") of each parameter

    @classmethod
    def of(cls, query: SearchQuery) -> _Toggles:
        """The toggles of `query`'s facet values, on the page being rendered."""
        pairs = tuple((k, v, _encoded(k, v)) for k, v in query_params(query))
        return cls(query=query, path=lang_url(CATALOG_PATH), pairs=pairs)

    def url(self, name: str, value: str, selected: bool, *, single: bool = False) -> str:
        """The query with `value` of `name` removed if `selected`, else added (replacing any if `single`)."""
        kept = [pair for k, v, pair in self.pairs if not (k == name and (single or v == value))]
        if not selected:
            kept.append(_encoded(name, value))
        return f"{self.path}?{'&'.join(kept)}" if kept else self.path

    def item(self, name: str, value: str, label: str, counts: dict[str, int], selected: bool, *,
             single: bool = False) -> FacetItem:
        """One facet value with its count and toggle URL."""
        return FacetItem(value=value, label=label, count=counts.get(value, 0), selected=selected,
                         url=self.url(name, value, selected, single=single))


def _encoded(name: str, value: str) -> str:
    """One URL parameter as urlencode writes it."""
    return f"{quote_plus(name)}={quote_plus(value)}"


def _selected_first(items: list[FacetItem]) -> list[FacetItem]:
    return [i for i in items if i.selected] + [i for i in items if not i.selected]


def _province_facet(toggles: _Toggles, counts: dict[str, int]) -> Facet:
    query = toggles.query
    items = [toggles.item("province", p.slug, p.name, counts, p.slug in query.provinces)
             for p in current_provinces()]
    current = {p.slug for p in current_provinces()}
    for slug in query.provinces:
        info = province_by_slug(slug)
        if slug not in current and info is not None:
            items.append(toggles.item("province", slug, display_name(info, translate=_), counts, True))
    return Facet("province", _("Tỉnh, thành phố"), _selected_first(items))


def _status_facet(toggles: _Toggles, counts: dict[str, int]) -> Facet:
    status = toggles.query.status.value
    items = [toggles.item("status", s.value, _(STATUS_LABELS[s]), counts, status == s.value, single=True)
             for s in CertificateStatus]
    return Facet("status", _("Hiệu lực"), items)


def build_facets(query: SearchQuery, result: SearchResult) -> list[Facet]:
    """Every facet of the catalog with counts from the engine and toggle URLs."""
    counts, toggles = result.facets, _Toggles.of(query)
    groups = [toggles.item("group", g.value, _(g.label), counts.get("group", {}), g.value in query.groups)
              for g in ProductGroup]
    levels = [toggles.item("level", lv.value, _(lv.label), counts.get("level", {}), lv.value in query.levels)
              for lv in LEVELS_DESCENDING]
    levels = [i for i in levels if i.count or i.selected]
    year_values = sorted({*counts.get("year", {}), *map(str, query.years)}, reverse=True)
    years = [toggles.item("year", y, y, counts.get("year", {}), int(y) in query.years) for y in year_values]
    return [
        _status_facet(toggles, counts.get("status", {})),
        _province_facet(toggles, counts.get("province", {})),
        Facet("group", _("Nhóm sản phẩm"), _selected_first(groups)),
        Facet("level", _("Cấp chứng nhận"), _selected_first(levels)),
        Facet("year", _("Năm chứng nhận"), _selected_first(years)),
    ]


def hidden_filters(query: SearchQuery) -> Params:
    """The filters the search form carries along when the text or sort changes."""
    return [(k, v) for k, v in query_params(query) if k not in ("q", "sort")]


def filter_label(name: str, value: str) -> str:
    """A filter value in words, as its facet shows it ("Bắc Giang (nay thuộc Bắc Ninh)", "Cấp tỉnh")."""
    if name == "province":
        info = province_by_slug(value)
        return display_name(info, translate=_) if info is not None else value
    if name == "group":
        return _(ProductGroup(value).label)
    if name == "level":
        return _(Level(value).label)
    if name == "status":
        return _(STATUS_LABELS[CertificateStatus(value)])
    return value


def active_filter_count(query: SearchQuery) -> int:
    """How many filter values are applied (for a "clear all" link)."""
    extra = 0 if query.status == StatusFilter.all else 1
    return len(query.provinces) + len(query.groups) + len(query.levels) + len(query.years) + extra

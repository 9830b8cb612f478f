"""Turn catalog query parameters (page URL or API) into a SearchQuery, or say what is wrong.

One parser for both the HTML catalog and /api/v1/products, so a link copied from one
works on the other. Messages name the parameter, in the page's language (the API's are Vietnamese).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from app.domain.groups import ProductGroup, parse_group
from app.domain.levels import Level, parse_level
from app.domain.provinces import all_provinces, resolve_province
from app.errors import InvalidInput
from app.i18n import gettext
from search.engine import MAX_PER_PAGE, MAX_QUERY_LENGTH, SearchQuery, SortOrder, StatusFilter

MAX_PAGE = 1000
MAX_VALUES_PER_FILTER = 40
FIRST_YEAR, LAST_YEAR = 2000, 2100
E = TypeVar("E", StatusFilter, SortOrder)


@dataclass(frozen=True, slots=True)
class RawSearchParams:
    """Query parameters as received; lists hold repeated parameters (?province=a&province=b)."""

    q: str = ""
    province: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    status: str = ""
    sort: str = ""
    page: str = ""
    per_page: str = ""


def _split(values: tuple[str, ...], name: str) -> list[str]:
    items = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if len(items) > MAX_VALUES_PER_FILTER:
        raise InvalidInput(gettext("Quá nhiều giá trị cho tham số %(name)s.") % {"name": name}, field=name)
    return items


def _provinces(values: tuple[str, ...]) -> tuple[str, ...]:
    slugs = []
    for value in _split(values, "province"):
        found = resolve_province(value)
        if found is None:
            message = gettext("Không có tỉnh/thành phố nào tên “%(value)s”.") % {"value": value[:60]}
            raise InvalidInput(message, field="province")
        slugs.append(found.slug)
    return tuple(dict.fromkeys(slugs))


def _groups(values: tuple[str, ...]) -> tuple[str, ...]:
    found: list[ProductGroup] = []
    for value in _split(values, "group"):
        group = parse_group(value)
        if group is None:
            message = gettext("Nhóm sản phẩm “%(value)s” không hợp lệ.") % {"value": value[:60]}
            raise InvalidInput(message, field="group")
        found.append(group)
    return tuple(dict.fromkeys(g.value for g in found))


def _levels(values: tuple[str, ...]) -> tuple[str, ...]:
    found: list[Level] = []
    for value in _split(values, "level"):
        level = parse_level(value)
        if level is None:
            message = gettext("Cấp “%(value)s” không hợp lệ.") % {"value": value[:60]}
            raise InvalidInput(message, field="level")
        found.append(level)
    return tuple(dict.fromkeys(lv.value for lv in found))


def _years(values: tuple[str, ...]) -> tuple[int, ...]:
    years = []
    for value in _split(values, "year"):
        if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
            raise InvalidInput(gettext("Năm “%(value)s” không hợp lệ.") % {"value": value[:20]}, field="year")
        years.append(int(value))
    return tuple(sorted(set(years)))


def _bounded_int(value: str, name: str, *, default: int, low: int, high: int) -> int:
    if not value.strip():
        return default
    if not value.strip().isdigit() or not low <= int(value) <= high:
        message = gettext("Tham số %(name)s phải là số từ %(low)s đến %(high)s.")
        raise InvalidInput(message % {"name": name, "low": low, "high": high}, field=name)
    return int(value)


def _choice(value: str, enum: type[E], name: str, default: E) -> E:
    if not value.strip():
        return default
    try:
        return enum(value.strip())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        message = gettext("Tham số %(name)s phải là một trong: %(allowed)s.")
        raise InvalidInput(message % {"name": name, "allowed": allowed}, field=name) from None


def openapi_values() -> dict[str, dict[str, object]]:
    """JSON Schema of each filter parameter for the API's OpenAPI document: the canonical values.

    Declared so generated clients (and schema-driven tests) know what is valid; the parser is more
    forgiving (names with or without diacritics, Vietnamese labels, comma-separated lists). An empty
    value is valid everywhere and means "no filter" (what a plain HTML form sends for "all").
    """
    provinces = [p.slug for p in all_provinces()] + sorted({p.code for p in all_provinces() if p.code})
    groups = [g.value for g in ProductGroup] + [str(g.number) for g in ProductGroup]
    years = {"anyOf": [{"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}, {"const": ""}]}
    return {
        "province": {"items": {"type": "string", "enum": ["", *provinces]}},
        "group": {"items": {"type": "string", "enum": ["", *groups]}},
        "level": {"items": {"type": "string", "enum": ["", *(lv.value for lv in Level)]}},
        "year": {"items": years},
        "status": {"enum": ["", *(s.value for s in StatusFilter)]},
        "sort": {"enum": ["", *(s.value for s in SortOrder)]},
    }


def build_search_query(raw: RawSearchParams, *, today: date, default_per_page: int = 20) -> SearchQuery:
    """Validate every parameter; raise InvalidInput naming the first bad one."""
    if len(raw.q) > MAX_QUERY_LENGTH:
        message = gettext("Từ khóa quá dài (tối đa %(max)s ký tự).") % {"max": MAX_QUERY_LENGTH}
        raise InvalidInput(message, field="q")
    return SearchQuery(
        today=today,
        text=" ".join(raw.q.split()),
        provinces=_provinces(raw.province),
        groups=_groups(raw.group),
        levels=_levels(raw.level),
        years=_years(raw.year),
        status=_choice(raw.status, StatusFilter, "status", StatusFilter.all),
        sort=_choice(raw.sort, SortOrder, "sort", SortOrder.relevance),
        page=_bounded_int(raw.page, "page", default=1, low=1, high=MAX_PAGE),
        per_page=_bounded_int(raw.per_page, "per_page", default=default_per_page, low=1, high=MAX_PER_PAGE),
    )

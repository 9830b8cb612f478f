"""Facet toggle links (app/web/facet_links.py) are the query's parameters with one value added or
removed, written exactly as urlencode writes them, though the parameters are encoded once per page."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

from app.i18n import speaking
from app.web.facet_links import build_facets, catalog_url, query_params
from app.web.search_params import RawSearchParams, build_search_query
from search.engine import SearchQuery, SearchResult

COUNTS = {"province": {"ha-noi": 3, "hue": 1}, "group": {"che_bien": 2}, "level": {"tinh": 1},
          "year": {"2024": 2, "2021": 1}, "status": {"valid": 3}}


def _query(**raw: object) -> SearchQuery:
    fields = {"q": "", "province": (), "group": (), "level": (), "year": (), "status": "", "sort": "",
              "page": "", "per_page": "", **raw}
    return build_search_query(RawSearchParams(**fields), today=date(2026, 1, 1))  # type: ignore[arg-type]


def _expected(query: SearchQuery, name: str, value: str, selected: bool, single: bool) -> str:
    """The toggle link as the whole query's parameters, urlencoded again."""
    params = [(k, v) for k, v in query_params(query) if not (k == name and (single or v == value))]
    return catalog_url(params if selected else [*params, (name, value)])


def test_every_toggle_link_is_the_urlencoded_query_with_one_value_toggled() -> None:
    queries = [
        _query(),
        _query(q="bánh tráng & mắm 100%+", province=("ha-noi", "bac-giang"), year=("2024",), status="valid",
               sort="newest", page="3"),
        _query(group=("che_bien",), level=("tinh", "quoc_gia"), per_page="50"),
    ]
    for lang in ("vi", "en"):
        with speaking(lang):
            for query in queries:
                links = 0
                for facet in build_facets(query, SearchResult(total=5, hits=[], facets=COUNTS)):
                    for item in facet.items:
                        single = facet.name == "status"
                        assert item.url == _expected(query, facet.name, item.value, item.selected, single)
                        links += 1
                assert links > 40


def test_a_toggle_link_keeps_the_text_as_typed() -> None:
    query = _query(q="bánh tráng & mắm", province=("ha-noi",))
    province = next(f for f in build_facets(query, SearchResult(total=1, hits=[], facets=COUNTS))
                    if f.name == "province")
    hanoi = next(i for i in province.items if i.value == "ha-noi")
    url = urlsplit(hanoi.url)
    assert url.path == "/san-pham" and parse_qsl(url.query) == [("q", "bánh tráng & mắm")]

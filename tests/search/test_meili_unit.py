"""The Meilisearch engine's pure parts, without a server: filters, escaping, settings, mapping, requests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import run_check
from app.config import Settings
from app.domain.levels import Level
from app.domain.standing import MAX_RUNS
from search.engine import MARK_END, MARK_START, SearchQuery, SortOrder, StatusFilter
from search.factory import SearchConfigurationError, open_search_engine
from search.meili_filters import MATCH_NOTHING, filter_clauses, in_clause, is_quotable, quote_value
from search.meili_keys import covers
from search.meili_query import (
    build_requests,
    known_word_probes,
    parse_responses,
    search_text,
    typo_candidates,
)
from search.meili_settings import (
    DOCUMENT_FIELDS,
    SEARCHABLE_ATTRIBUTES,
    index_settings,
    meili_document,
    settings_diff,
)
from tests.search.contract_data import make_doc

TODAY = date(2025, 12, 31)


def parse_quoted(expression: str) -> tuple[str, str]:
    """Meilisearch's quoted-string rule (milli filter-parser `quoted_by`): (value, rest after the quote)."""
    assert expression.startswith('"')
    body, i, escaped = expression[1:], 0, False
    while i < len(body):
        if body[i] == '"':
            token = body[:i]
            return (token.replace('\\"', '"') if escaped else token), body[i + 1:]
        if body[i] == "\\":
            if i + 1 == len(body):
                raise ValueError("malformed value")
            escaped |= body[i + 1] == '"'
            i += 1
        i += 1
    raise ValueError("unterminated string")


@given(st.text())
def test_quoted_values_read_back_exactly(value: str) -> None:
    quoted = quote_value(value)
    if quoted is None:
        assert not is_quotable(value) and "\\" in value
        return
    assert parse_quoted(quoted) == (value, "")


@given(st.text(alphabet='"\\ab OR=', max_size=12))
def test_quote_and_backslash_mixes_read_back_or_are_refused(value: str) -> None:
    quoted = quote_value(value)
    if quoted is not None:
        assert parse_quoted(quoted) == (value, "")


@pytest.mark.parametrize("value", ['" OR province = "x', 'a"b', "a\\b", "\\\\", 'x\\\\"y', "đà-nẵng"])
def test_hostile_values_stay_one_literal(value: str) -> None:
    clause = in_clause("province", [value])
    inner = clause.removeprefix("province IN [").removesuffix("]")
    assert parse_quoted(inner) == (value, "")


@pytest.mark.parametrize("value", ["a\\", 'a\\"b', "\\"])
def test_unwritable_values_match_nothing(value: str) -> None:
    assert quote_value(value) is None
    assert in_clause("group", [value]) == MATCH_NOTHING
    assert in_clause("group", [value, "khac"]) == 'group IN ["khac"]'


def test_filters_for_every_query_field() -> None:
    query = SearchQuery(today=TODAY, provinces=("bac-ninh", "bac-giang", "nowhere"),
                        groups=("co_khi", "khac"),
                        levels=("tinh",), years=(2023, 2025), status=StatusFilter.valid)
    assert filter_clauses(query) == {
        "province": '(province IN ["bac-ninh", "nowhere"] OR certified_provinces IN ["bac-giang"])',
        "group": '(group IN ["co_khi", "khac"])',
        "year": "(years IN [2023, 2025])",
        "level_status": "((" + " OR ".join(
            f"(valid_runs.tinh.r{n}.first <= 20251231 AND valid_runs.tinh.r{n}.last >= 20251231)"
            for n in range(MAX_RUNS)) + "))",
    }
    assert filter_clauses(SearchQuery(today=TODAY, levels=("tinh", "xa")))["level_status"] == \
        '(levels IN ["tinh", "xa"])'
    assert filter_clauses(SearchQuery(today=TODAY)) == {}


def test_former_province_alone_filters_certified_provinces() -> None:
    assert filter_clauses(SearchQuery(today=TODAY, provinces=("bac-giang",)))["province"] == \
        '(certified_provinces IN ["bac-giang"])'


def _runs(key: str) -> str:
    """The clause "a run of `key` holds 31/12/2025"."""
    runs = (f"(valid_runs.{key}.r{n}.first <= 20251231 AND valid_runs.{key}.r{n}.last >= 20251231)"
            for n in range(MAX_RUNS))
    return "(" + " OR ".join(runs) + ")"


REVOKED_BY = "(valid_runs.{0}.revoked_on >= 1 AND valid_runs.{0}.revoked_on <= 20251231)"


@pytest.mark.parametrize(("status", "levels", "expected"), [
    (StatusFilter.valid, (), f"({_runs('all')})"),
    (StatusFilter.revoked, (), f"(({REVOKED_BY.format('all')} AND NOT {_runs('all')}))"),
    (StatusFilter.expired, (), f"((NOT {_runs('all')} AND NOT {REVOKED_BY.format('all')}))"),
    (StatusFilter.expired, ("khu_vuc",),
     f'((levels IN ["khu_vuc"] AND NOT {_runs("khu_vuc")} AND NOT {REVOKED_BY.format("khu_vuc")}))'),
    (StatusFilter.valid, ("tinh", "khu_vuc"), f"({_runs('tinh')} OR {_runs('khu_vuc')})"),
    # a level code is part of a field name: anything but a known code matches nothing
    (StatusFilter.valid, ('tinh.r0.first > 0 OR id', "all"), MATCH_NOTHING),
])
def test_status_filters_use_the_query_day_at_the_chosen_levels(status: StatusFilter, levels: tuple[str, ...],
                                                                expected: str) -> None:
    query = SearchQuery(today=TODAY, status=status, levels=levels)
    assert filter_clauses(query)["level_status"] == expected


def test_settings_content() -> None:
    settings = index_settings()
    searchable = settings["searchableAttributes"]
    assert searchable[:2] == ["name", "name_folded"]
    assert searchable.index("certificate_numbers") < searchable.index("producer_name") \
        < searchable.index("province_names") < searchable.index("description")
    assert set(settings["filterableAttributes"]) >= {"province", "certified_provinces", "group", "levels",
                                                     "years", "valid_runs"}
    assert set(settings["sortableAttributes"]) >= {"latest_issued", "name_sort"}
    assert "exactness" in settings["rankingRules"]
    synonyms = settings["synonyms"]
    assert "quảng nam" in synonyms["đà nẵng"] and "bắc giang" in synonyms["bắc ninh"]
    assert "quảng nam" not in synonyms and "bắc giang" not in synonyms  # former names stay narrow
    assert synonyms["mỳ"] == ["mì"] and synonyms["mì"] == ["mỳ"] and synonyms["trà"] == ["chè"]
    assert set(settings["typoTolerance"]["disableOnAttributes"]) >= {
        "certificate_numbers", "certificate_codes", "decision_numbers"}
    assert set(settings["displayedAttributes"]) == set(DOCUMENT_FIELDS)
    assert set(SEARCHABLE_ATTRIBUTES) <= set(meili_document(make_doc(1, "x")))


def test_settings_diff_is_empty_when_equal_and_names_only_changes() -> None:
    desired = index_settings()
    current: dict[str, Any] = {**desired,
                               "filterableAttributes": list(reversed(desired["filterableAttributes"])),
                               "typoTolerance": {**desired["typoTolerance"],
                                                 "minWordSizeForTypos": {"oneTypo": 5}},
                               "faceting": {**desired["faceting"], "sortFacetValuesBy": {"*": "alpha"}},
                               "stopWords": []}
    assert settings_diff(desired, current) == {}
    current["searchableAttributes"] = ["*"]
    current["synonyms"] = {}
    assert set(settings_diff(desired, current)) == {"searchableAttributes", "synonyms"}
    assert settings_diff(desired, {}) == desired


def test_document_mapping_adds_folded_fields_and_sort_key() -> None:
    doc = make_doc(7, "Đường phèn Quảng Ngãi", producer_name="HTX Đồng Tâm", description="Đặc sản",
                   province="bac-ninh", province_name="Bắc Ninh", certified_provinces=["bac-giang"],
                   certificate_numbers=["123/QĐ-UBND"])
    mapped = meili_document(doc)
    assert {k: mapped[k] for k in doc} == doc
    assert mapped["name_folded"] == "duong phen quang ngai" == mapped["name_sort"]
    assert (mapped["producer_name_folded"], mapped["description_folded"]) == ("htx dong tam", "dac san")
    assert mapped["province_names"] == ["Bắc Ninh", "Bắc Giang"]
    assert mapped["province_names_folded"] == ["bac ninh", "bac giang"]
    assert "123qdubnd" in mapped["numbers_compact"]


def test_search_text_keeps_words_only() -> None:
    assert search_text('" OR province = "x') == "or province x"
    assert search_text("NEAR( -mì") == "near mì"
    assert len(search_text("x" * 10_000)) == 200


def test_multi_search_requests_for_active_filters() -> None:
    query = SearchQuery(today=TODAY, text="Nón lá", provinces=("hue",), years=(2023,),
                        status=StatusFilter.expired, sort=SortOrder.name, page=3, per_page=10)
    requests = build_requests(query, "products")
    levels = [f"level:{level.value}" for level in Level]
    labels = [r.label for r in requests]
    assert labels == ["main", "facet:province", *levels, "facet:year", "status:valid", "status:expired",
                      "status:revoked"]
    main = requests[0].body
    assert main["q"] == "nón lá" and (main["page"], main["hitsPerPage"]) == (3, 10)
    assert main["sort"] == ["name_sort:asc", "id:asc"] and main["matchingStrategy"] == "all"
    assert main["facets"] == ["group"]  # a level's count under a status is a query of its own
    assert (main["highlightPreTag"], main["highlightPostTag"]) == (MARK_START, MARK_END)
    assert main["filter"].startswith("(province IN") and "NOT ((valid_runs.all.r0" in main["filter"]
    assert requests[1].body["facets"] == ["province"] and "province IN" not in requests[1].body["filter"]
    year = requests[labels.index("facet:year")].body
    assert year["facets"] == ["years"] and "years IN" not in year["filter"]
    for request in requests[1:]:
        assert request.body["hitsPerPage"] == 0 and request.body["indexUid"] == "products"
    national = requests[labels.index("level:quoc_gia")].body["filter"]
    assert 'levels IN ["quoc_gia"]' in national and "valid_runs.quoc_gia.r3.last" in national
    status_valid = requests[labels.index("status:valid")].body["filter"]
    assert status_valid.endswith(f"({_runs('all')})") and "revoked_on" not in status_valid


@pytest.mark.parametrize(("sort", "text", "expected"), [
    (SortOrder.relevance, "nón", None),
    (SortOrder.relevance, "", ["latest_issued:desc", "id:desc"]),
    (SortOrder.newest, "nón", ["latest_issued:desc", "id:desc"]),
    (SortOrder.name, "", ["name_sort:asc", "id:asc"]),
])
def test_sort_orders(sort: SortOrder, text: str, expected: list[str] | None) -> None:
    main = build_requests(SearchQuery(today=TODAY, text=text, sort=sort), "p")[0].body
    assert main.get("sort") == expected


def test_response_maps_to_a_search_result() -> None:
    query = SearchQuery(today=TODAY, text="non", groups=("khac",))
    requests = build_requests(query, "products")
    doc = make_doc(3, "Nón lá")
    hit = {**doc, "_formatted": {**doc, "id": "3", "name": f"{MARK_START}Nón{MARK_END} lá"}}
    results = [
        {"hits": [hit], "totalHits": 41, "facetDistribution": {
            "province": {"hue": 40, "ha-noi": 1}, "levels": {"tinh": 41}, "years": {"2023": 41}}},
        {"hits": [], "totalHits": 50, "facetDistribution": {"group": {"khac": 41, "che_bien": 9}}},
        {"hits": [], "totalHits": 30}, {"hits": [], "totalHits": 11}, {"hits": [], "totalHits": 0},
    ]
    result = parse_responses(requests, results)
    assert result.total == 41 and result.suggestion is None
    assert result.hits[0].document == doc
    assert result.hits[0].name_highlighted == f"{MARK_START}Nón{MARK_END} lá"
    assert result.facets == {"province": {"hue": 40, "ha-noi": 1}, "group": {"khac": 41, "che_bien": 9},
                             "level": {"tinh": 41}, "year": {"2023": 41},
                             "status": {"valid": 30, "expired": 11}}
    assert list(result.facets) == ["province", "group", "level", "year", "status"]
    with pytest.raises(ValueError, match="expected 5 results"):
        parse_responses(requests, results[:2])


def test_unreachable_server_gives_one_clear_message(tmp_path: Path) -> None:
    settings = Settings(meili_url="http://127.0.0.1:9", data_dir=tmp_path)
    with pytest.raises(SearchConfigurationError) as caught:
        open_search_engine(settings)
    message = str(caught.value)
    assert "Không dùng được Meilisearch tại http://127.0.0.1:9" in message
    assert "Cannot use Meilisearch at http://127.0.0.1:9" in message and "CNNT_MEILI_URL" in message


def test_search_check_prints_the_message_and_exits_1(tmp_path: Path) -> None:
    lines: list[str] = []
    settings = Settings(meili_url="http://127.0.0.1:9", data_dir=tmp_path)
    assert run_check(settings, echo=lines.append) == 1
    assert len(lines) == 1 and "Cannot use Meilisearch at http://127.0.0.1:9" in lines[0]


def test_long_query_words_are_probed_folded_once_each() -> None:
    """Words of 5+ letters a typo could reach, folded (đ → d), once each; numbers and short words never."""
    assert typo_candidates("Đường đường phèn 123qdubnd trà Quảng") == ["duong", "quang"]
    probes = known_word_probes(["duong"], "products")
    assert probes[0]["filter"] == 'known_words IN ["duong"]' and probes[0]["hitsPerPage"] == 0


def test_known_words_must_be_in_the_document_as_typed() -> None:
    """A known word filters the main, facet and status queries alike; the document lists its words."""
    query = SearchQuery(today=date(2025, 12, 31), text="duong", levels=("tinh",))
    requests = build_requests(query, "products", known=["duong"])
    assert all('known_words IN ["duong"]' in str(r.body.get("filter")) for r in requests)
    doc = meili_document(make_doc(1, "Đường phèn Quảng Ngãi", description="Kết tinh từ mía"))
    assert {"duong", "quang"} <= set(doc["known_words"]) and "tinh" not in doc["known_words"]  # 4 letters


@pytest.mark.parametrize(("pattern", "index", "expected"), [
    ("*", "products", True), ("products", "products", True), ("products", "products_next_1", False),
    ("products_next_*", "products_next_ab12", True), ("products_next_*", "products", False),
    ("prod*", "products", True), ("products", "productsX", False),
])
def test_key_index_patterns_are_exact_names_or_prefixes(pattern: str, index: str, expected: bool) -> None:
    assert covers(pattern, index) is expected

"""One SearchQuery → one Meilisearch multi-search request, and its response → SearchResult.

Pure functions: the engine sends what `build_requests` returns and hands the answer to
`parse_responses`, so both are tested without a server. The request holds the main query,
one count query per facet with an active filter (its own filter removed: disjunctive
counts), three status count queries (valid, expired, revoked on the query's today) and,
when a status is chosen, one count query per level (products whose certificate at that
level has that status: a facet distribution cannot say it).
Before it, `known_word_probes` asks which long query words the index knows: those are
matched as typed (a filter on `known_words`), so typo tolerance only widens unknown words.
A relevance search for words typed with diacritics gets its page of hits from a federated
search instead (`exact_page`), where documents holding those exact spellings come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from app.domain.levels import Level
from app.domain.text import fold, normalize
from search.documents import ProductDocument, date_key
from search.embedded_typos import MIN_TYPO_WORD
from search.engine import (
    LEVEL_STATUS,
    MARK_END,
    MARK_START,
    SearchHit,
    SearchQuery,
    SearchResult,
    SortOrder,
    StatusFilter,
)
from search.glossary import covered_words
from search.meili_filters import (
    FACET_ATTRIBUTES,
    combine,
    filter_clauses,
    in_clause,
    level_status_clause,
)
from search.meili_settings import DOCUMENT_FIELDS
from search.synonyms import synonyms_of
from search.text_query import query_words

STATUS_VALUES = (StatusFilter.valid, StatusFilter.expired, StatusFilter.revoked)
# Weight of the exact-spelling query in a federated search: ranking scores are at most 1, so
# any exact match (score × 1000) outranks every other match (score × 1).
EXACT_WEIGHT = 1000.0
_ATTRIBUTE_FACETS = {attribute: field for field, attribute in FACET_ATTRIBUTES.items()}


@dataclass(frozen=True, slots=True)
class LabelledRequest:
    """One query of the multi-search and what its answer is for: main, facet:<f> or status:<s>."""

    label: str
    body: dict[str, Any]


def search_text(text: str) -> str:
    """The words of the typed text only: quotes and minus signs never reach Meilisearch's syntax.

    Words keep their diacritics rather than being folded: the folded document fields already
    match unaccented input, and the typed spelling is what ranks an exact match first.
    """
    return " ".join(query_words(text))


def sort_expression(query: SearchQuery, *, has_text: bool) -> list[str] | None:
    """Meilisearch `sort`: None for relevance with text (ranking rules decide), else the order."""
    if query.sort == SortOrder.name:
        return ["name_sort:asc", "id:asc"]
    if query.sort == SortOrder.relevance and has_text:
        return None
    return ["latest_issued:desc", "id:desc"]


def _count_body(index_uid: str, q: str, filter_: str | None, facets: list[str]) -> dict[str, Any]:
    """A query returning no hits, only the exact total (and the facet counts asked for)."""
    body: dict[str, Any] = {"indexUid": index_uid, "q": q, "page": 1, "hitsPerPage": 0,
                            "matchingStrategy": "all"}
    if filter_ is not None:
        body["filter"] = filter_
    if facets:
        body["facets"] = facets
    return body


def _main_body(query: SearchQuery, index_uid: str, q: str, filter_: str | None,
               facets: list[str], *, with_hits: bool) -> dict[str, Any]:
    """The page of hits, exact total (page/hitsPerPage) and the facets without a filter of their own."""
    body = _count_body(index_uid, q, filter_, facets)
    body.update(page=max(query.page, 1), hitsPerPage=max(query.per_page, 0) if with_hits else 0,
                attributesToHighlight=["name"], highlightPreTag=MARK_START, highlightPostTag=MARK_END)
    sort = sort_expression(query, has_text=bool(q))
    if sort is not None:
        body["sort"] = sort
    return body


def typo_candidates(text: str) -> list[str]:
    """The folded query words a typo could reach (5+ letters, letters only), once each, in order.

    Words of an English glossary phrase are left out: required as typed, they would drop the
    products that only hold the phrase's Vietnamese words.
    """
    words = query_words(text)
    glossary = covered_words(words)
    folded = (fold(word) for word in words if word not in glossary)
    return list(dict.fromkeys(w for w in folded if len(w) >= MIN_TYPO_WORD and w.isalpha()))


def known_word_probes(words: list[str], index_uid: str) -> list[dict[str, Any]]:
    """One count query per word: a total above 0 means some document has the word as typed."""
    return [_count_body(index_uid, "", in_clause("known_words", [word]), []) for word in words]


def known_words_clause(known: list[str]) -> str:
    """Each known word must be in the document as typed (or as one of its synonyms)."""
    return " AND ".join(in_clause("known_words", [word, *sorted(fold(s) for s in synonyms_of(word))])
                        for word in known)


def typed_diacritic_words(query: SearchQuery) -> list[str]:
    """The words typed with diacritics (or đ) in a relevance search: they decide the exact tier."""
    if query.sort != SortOrder.relevance:
        return []
    words = (normalize(word) for word in query_words(query.text))
    return list(dict.fromkeys(w for w in words if fold(w) != w))


def _query_clauses(query: SearchQuery, known: list[str] | None) -> dict[str, str]:
    """The query's filter clauses, plus the known-words clause."""
    clauses = filter_clauses(query)
    if known:
        clauses["known_words"] = known_words_clause(known)
    return clauses


def exact_page(query: SearchQuery, index_uid: str, *, known: list[str] | None,
               exact: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Queries and federation options of a page where documents with every exact spelling come first."""
    base = combine(_query_clauses(query, known))
    tier = " AND ".join(in_clause("exact_words", [word]) for word in exact)
    hits_options = {"indexUid": index_uid, "q": search_text(query.text), "matchingStrategy": "all",
                    "attributesToHighlight": ["name"], "highlightPreTag": MARK_START,
                    "highlightPostTag": MARK_END}
    queries = [{**hits_options, "filter": f"({base}) AND {tier}" if base else tier,
                "federationOptions": {"weight": EXACT_WEIGHT}},
               {**hits_options, **({"filter": base} if base else {}), "federationOptions": {"weight": 1.0}}]
    per_page = max(query.per_page, 0)
    return queries, {"offset": (max(query.page, 1) - 1) * per_page, "limit": per_page}


def page_hits(answer: dict[str, Any]) -> list[SearchHit]:
    """The hits of a federated answer."""
    return [_hit(hit) for hit in answer.get("hits", [])]


def build_requests(query: SearchQuery, index_uid: str, *, known: list[str] | None = None,
                   with_hits: bool = True) -> list[LabelledRequest]:
    """Every query of the one multi-search call that answers `query` (`known`: words matched as typed;
    without hits when `exact_page` brings the page)."""
    q = search_text(query.text)
    clauses = _query_clauses(query, known)
    own = {field: LEVEL_STATUS if field == "level" else field for field in FACET_ATTRIBUTES}
    plain = [attr for field, attr in FACET_ATTRIBUTES.items() if own[field] not in clauses]
    main = _main_body(query, index_uid, q, combine(clauses), plain, with_hits=with_hits)
    requests = [LabelledRequest("main", main)]
    day = date_key(query.today)
    for field, attribute in FACET_ATTRIBUTES.items():
        if own[field] not in clauses:
            continue
        if field == "level" and query.status != StatusFilter.all:
            for level in Level:
                extra = level_status_clause([level], query.status, day)
                body = _count_body(index_uid, q, combine(clauses, skip=LEVEL_STATUS, extra=extra), [])
                requests.append(LabelledRequest(f"level:{level.value}", body))
        else:
            body = _count_body(index_uid, q, combine(clauses, skip=own[field]), [attribute])
            requests.append(LabelledRequest(f"facet:{field}", body))
    for status in STATUS_VALUES:
        filter_ = combine(clauses, skip=LEVEL_STATUS, extra=level_status_clause(query.levels, status, day))
        requests.append(LabelledRequest(f"status:{status.value}", _count_body(index_uid, q, filter_, [])))
    return requests


def _document(hit: dict[str, Any]) -> ProductDocument:
    """The ProductDocument fields of a hit (extra indexed fields are not displayed anyway)."""
    return cast(ProductDocument, {key: hit[key] for key in DOCUMENT_FIELDS if key in hit})


def _hit(hit: dict[str, Any]) -> SearchHit:
    """A hit with its highlighted name (Meilisearch's `_formatted`, markers as pre/post tags)."""
    formatted = hit.get("_formatted") or {}
    document = _document(hit)
    return SearchHit(document=document, name_highlighted=str(formatted.get("name", document["name"])))


def _distribution(result: dict[str, Any], attribute: str) -> dict[str, int]:
    """Non-zero counts per value of one facet attribute, values as strings."""
    counts = (result.get("facetDistribution") or {}).get(attribute) or {}
    return {str(value): int(count) for value, count in counts.items() if int(count) > 0}


def parse_responses(requests: list[LabelledRequest], results: list[dict[str, Any]]) -> SearchResult:
    """The SearchResult of a multi-search answer, facets keyed as search.engine.FACET_FIELDS."""
    if len(results) != len(requests):
        raise ValueError(f"expected {len(requests)} results, got {len(results)}")
    by_label = {request.label: result for request, result in zip(requests, results, strict=True)}
    main = by_label["main"]
    facets: dict[str, dict[str, int]] = {}
    for field, attribute in FACET_ATTRIBUTES.items():
        source = by_label.get(f"facet:{field}", main)
        facets[field] = _distribution(source, attribute)
    per_level = {level.value: int(by_label[f"level:{level.value}"].get("totalHits", 0))
                 for level in Level if f"level:{level.value}" in by_label}
    if per_level:
        facets["level"] = {level: count for level, count in sorted(per_level.items()) if count > 0}
    status_counts = {s.value: int(by_label[f"status:{s.value}"].get("totalHits", 0)) for s in STATUS_VALUES}
    facets["status"] = {value: count for value, count in status_counts.items() if count > 0}
    hits = [_hit(hit) for hit in main.get("hits", [])]
    return SearchResult(total=int(main.get("totalHits", 0)), hits=hits, facets=facets)

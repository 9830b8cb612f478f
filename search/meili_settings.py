"""Meilisearch index settings declared in code, the document mapping, and the settings diff.

Meilisearch drops most diacritics itself but not đ on every version, so each text field also
gets a folded copy (app.domain.text.fold); the exact fields come first in the searchable
order, so the attribute rule ranks a match on the typed spelling above a folded one.
"""

from __future__ import annotations

from typing import Any

from app.domain.provinces import all_provinces, formers_of, province_by_slug
from app.domain.text import fold, normalize
from search.documents import ProductDocument, address_words, valid_through
from search.embedded_typos import MIN_TYPO_WORD, vocabulary_words
from search.glossary import synonym_settings as glossary_synonyms
from search.highlight import WORD_PATTERN
from search.synonyms import SYNONYM_GROUPS
from search.text_query import compact_number

DOCUMENT_FIELDS: tuple[str, ...] = tuple(ProductDocument.__annotations__)
# Order is the attribute ranking: the name decides most (typed spelling, then folded); printed
# numbers, codes and decisions come next because a match there identifies one certificate;
# then the producer, the provinces (current and at certification), the long description, and
# last the words of the producer's address: a match there ranks after a match anywhere else.
SEARCHABLE_ATTRIBUTES = (
    "name", "name_folded",
    "certificate_numbers", "certificate_codes", "decision_numbers", "numbers_compact",
    "producer_name", "producer_name_folded",
    "province_names", "province_names_folded",
    "description", "description_folded",
    "address_words", "address_words_folded",
)
FILTERABLE_ATTRIBUTES = (
    "province", "certified_provinces", "group", "levels", "years", "valid_runs", "id",
    "known_words", "exact_words",
)
# `id` breaks ties, so pages never overlap when names or dates are equal.
SORTABLE_ATTRIBUTES = ("latest_issued", "name_sort", "id")
# `sort` first: an explicit sort (newest, name) orders the whole result, as in the embedded
# engine; relevance sends no sort, so words → typo → proximity → attribute → exactness rank,
# and the custom rules last break relevance ties: products valid longest first (`valid_through`,
# search/documents.py: valid today before expired, without going stale), then the newest certificate.
RANKING_RULES = ("sort", "words", "typo", "proximity", "attribute", "exactness", "valid_through:desc",
                 "latest_issued:desc")
# Printed numbers and codes must match as typed: one wrong digit is another certificate.
TYPO_OFF_ATTRIBUTES = ("certificate_numbers", "certificate_codes", "decision_numbers", "numbers_compact")
MAX_TOTAL_HITS = 1_000_000  # totals stay exact for any catalog size (pagination.maxTotalHits)
MAX_VALUES_PER_FACET = 500  # 63 province slugs, a few levels, groups and years


def province_names(doc: ProductDocument) -> list[str]:
    """The current province's name and the names of the provinces at certification."""
    names = [doc["province_name"]]
    for slug in doc["certified_provinces"]:
        province = province_by_slug(slug)
        if province is not None and province.name not in names:
            names.append(province.name)
    return names


def known_words(doc: ProductDocument, names: list[str]) -> list[str]:
    """The folded words of 5+ letters a typo could reach: a query word among them is taken as typed.

    The embedded engine's rule (search/embedded_typos.py): typo tolerance widens only words
    the index does not know, so "duong" finds đường and dương but never "Đông Hồ".
    """
    texts = (doc["name"], doc["producer_name"], doc["description"], *names, address_words(doc["address"]))
    return sorted(w for w in vocabulary_words(fold(text) for text in texts) if len(w) >= MIN_TYPO_WORD)


def exact_words(doc: ProductDocument, names: list[str]) -> list[str]:
    """The words written with diacritics (or đ), as written: a query word among them is an exact match.

    Meilisearch folds diacritics itself, so it cannot rank "đường" above "dương"; the engine
    asks for these documents first instead (search/meili_query.py, `exact_page`). The address is
    left out: "trà" typed exactly must not lift a product on a "Trà …" street above one named "Chè …".
    """
    texts = (doc["name"], doc["producer_name"], doc["description"], *names)
    return sorted({w for text in texts for w in WORD_PATTERN.findall(normalize(text)) if fold(w) != w})


def valid_runs(doc: ProductDocument) -> dict[str, dict[str, Any]]:
    """The validity summary in a shape Meilisearch can filter: one object per run.

    A filter on an array of arrays would compare each number alone (any start before the day
    and any end after it, not the same run's), so runs become fields r0, r1, … each with its
    own `first` and `last` (search/meili_filters.py asks each in turn).
    """
    return {level: {**{f"r{n}": {"first": run[0], "last": run[1]} for n, run in enumerate(record["runs"])},
                    "revoked_on": record["revoked_on"]}
            for level, record in doc["validity"].items()}


def meili_document(doc: ProductDocument) -> dict[str, Any]:
    """The document as indexed: every ProductDocument field plus folded copies and sort keys."""
    names = province_names(doc)
    numbers = [*doc["certificate_numbers"], *doc["certificate_codes"], *doc["decision_numbers"]]
    address = address_words(doc["address"])
    return {
        **doc,
        "name_folded": fold(doc["name"]),
        "producer_name_folded": fold(doc["producer_name"]),
        "description_folded": fold(doc["description"]),
        "province_names": names,
        "province_names_folded": [fold(name) for name in names],
        "numbers_compact": [compact_number(number) for number in numbers],
        "address_words": address,
        "address_words_folded": fold(address),
        "name_sort": fold(doc["name"]),
        "known_words": known_words(doc, names),
        "exact_words": exact_words(doc, names),
        "valid_runs": valid_runs(doc),
        "valid_through": valid_through(doc),
    }


def _add_synonyms(synonyms: dict[str, set[str]], words: set[str]) -> None:
    """Make every word of `words` a synonym of each other one."""
    for word in words:
        synonyms.setdefault(word, set()).update(words - {word})


def synonym_settings() -> dict[str, list[str]]:
    """Spelling variants (mỳ ↔ mì …) both ways; current province → its former names, one way;
    English glossary phrase → its Vietnamese words, one way (search/glossary.py).

    One way on purpose (DESIGN.md): "Bắc Ninh" also finds what was certified in former Bắc
    Giang, but "Bắc Giang" finds only that, as on the embedded engine. Glossary values keep
    their diacritics: Meilisearch normalizes a synonym as it does the typed words, so they match
    the exact fields as "nước mắm" typed would (and the folded copies as far as it folds).
    """
    synonyms: dict[str, set[str]] = {english: set(words) for english, words in glossary_synonyms().items()}
    for group in SYNONYM_GROUPS:
        _add_synonyms(synonyms, {normalize(word) for word in group})
    for province in all_provinces():
        if not province.is_current:
            continue
        formers = {normalize(former.name) for former in formers_of(province)}
        if formers:
            synonyms.setdefault(normalize(province.name), set()).update(formers)
    return {word: sorted(others) for word, others in sorted(synonyms.items())}


def index_settings() -> dict[str, Any]:
    """Every setting this engine relies on, in the shape of PATCH /indexes/{uid}/settings."""
    return {
        "searchableAttributes": list(SEARCHABLE_ATTRIBUTES),
        "displayedAttributes": list(DOCUMENT_FIELDS),
        "filterableAttributes": list(FILTERABLE_ATTRIBUTES),
        "sortableAttributes": list(SORTABLE_ATTRIBUTES),
        "rankingRules": list(RANKING_RULES),
        "synonyms": synonym_settings(),
        "typoTolerance": {"enabled": True, "disableOnAttributes": list(TYPO_OFF_ATTRIBUTES)},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET},
    }


_UNORDERED = {"filterableAttributes", "sortableAttributes"}


def _canonical(key: str, value: Any) -> Any:
    """A setting in a form where equal meaning compares equal (order-free sets, sorted synonyms)."""
    if key in _UNORDERED and isinstance(value, list):
        return sorted(str(v) for v in value)
    if key == "synonyms" and isinstance(value, dict):
        return {str(k).lower(): sorted(str(s).lower() for s in v) for k, v in value.items()}
    if key == "typoTolerance" and isinstance(value, dict):
        return {"enabled": value.get("enabled"),
                "disableOnAttributes": sorted(value.get("disableOnAttributes") or [])}
    if isinstance(value, dict):
        return {k: value.get(k) for k in sorted(value)}
    return value


def settings_diff(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The desired settings whose current value differs: what an idempotent update must send."""
    changed: dict[str, Any] = {}
    for key, value in desired.items():
        wanted = _canonical(key, value)
        have = current.get(key)
        if isinstance(wanted, dict) and isinstance(have, dict) and key not in {"synonyms", "typoTolerance"}:
            have = {k: have.get(k) for k in wanted}
        if wanted != _canonical(key, have):
            changed[key] = value
    return changed

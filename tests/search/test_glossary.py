"""The English glossary (app/data/glossary_en.csv): its size and form, that its Vietnamese words are
what the catalog holds, and that no Vietnamese query ever meets one of its keys."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.text import fold, normalize
from app.services.demo.words import BRANDS, GROUP_SENTENCES, PEOPLE, PRODUCTS
from search.glossary import SCOPES, Segment, entries, key_forms, phrase_index, segments
from search.meili_query import typo_candidates
from search.meili_settings import synonym_settings
from search.text_query import parse_query, query_words
from tests.search.contract_data import ADDRESS_DOCUMENTS, DOCUMENTS, STANDING_DOCUMENTS
from tests.search.relevance_judgments import JUDGMENTS

ROOT = Path(__file__).resolve().parents[2]
# A Vietnamese syllable typed without diacritics: initial consonant, then a rhyme of the language.
INITIALS = ("ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x|")
RHYMES = (
    "a|ac|ach|ai|am|an|ang|anh|ao|ap|at|au|ay|e|ec|em|en|eng|eo|ep|et|eu|i|ia|ich|iec|iem|ien|ieng|iep|"
    "iet|ieu|im|in|inh|ip|it|iu|o|oa|oac|oach|oai|oan|oang|oanh|oao|oap|oat|oay|oc|oe|oem|oen|oeo|oet|oi|"
    "om|on|ong|ooc|oong|op|ot|u|ua|uan|uang|uat|uay|uc|ue|uech|uen|uenh|uet|ui|um|un|ung|uo|uoc|uoi|uom|"
    "uon|uong|uop|uot|up|ut|uu|uy|uya|uych|uyen|uyet|uynh|uyt|uyu|y|yen|yet|yeu"
)
VIETNAMESE_SYLLABLE = re.compile(f"(?:{INITIALS})(?:{RHYMES})")
# Vietnamese words and phrases rightly written without any diacritic (reviewed one by one).
PLAIN_VIETNAMESE = frozenset({"actiso", "atiso", "ca cao", "dao", "gang", "khay", "khoai lang", "men lam",
                              "nem chua", "nhang", "ong", "rang", "than", "thanh long", "tranh", "tre"})
# English words of Vietnamese syllable shape that are no Vietnamese word ("soạp" is none).
NOT_VIETNAMESE = frozenset({"soap"})


def looks_vietnamese(word: str) -> bool:
    """True if `word` could be a Vietnamese syllable typed without diacritics ("mat", "hat", "che")."""
    return word not in NOT_VIETNAMESE and VIETNAMESE_SYLLABLE.fullmatch(fold(word)) is not None


def test_looks_vietnamese_tells_the_risky_words() -> None:
    assert all(map(looks_vietnamese, ["mat", "hat", "che", "dao", "tre", "lac", "me", "nghieng", "quyen"]))
    assert not any(map(looks_vietnamese, ["tea", "honey", "silk", "mats", "hats", "rice", "sauce", "box"]))


def test_glossary_is_large_and_well_formed() -> None:
    """At least 150 entries, English keys unique (plural forms too), lowercase ASCII."""
    rows = entries()
    assert len(rows) >= 150
    forms = [form for entry in rows for form in key_forms(entry.english)]
    assert len(forms) == len(set(forms)), sorted({f for f in forms if forms.count(f) > 1})
    for entry in rows:
        assert re.fullmatch(r"[a-z]+( [a-z]+)*", entry.english), entry
        assert entry.scope in SCOPES, entry
        assert entry.vietnamese, entry


def test_file_has_the_documented_columns() -> None:
    with (ROOT / "app" / "data" / "glossary_en.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["english", "vietnamese", "scope", "note"]


def test_vietnamese_side_is_nfc_with_diacritics() -> None:
    """Each value is NFC lowercase and written with its diacritics (unaccented only where the
    Vietnamese word has none, from a short reviewed list)."""
    for entry in entries():
        for value in entry.vietnamese:
            assert value == unicodedata.normalize("NFC", value) == normalize(value), entry
            assert fold(value) != value or value in PLAIN_VIETNAMESE, entry
            assert query_words(value) == value.split(" "), entry


def test_no_key_could_be_vietnamese_typed_without_diacritics() -> None:
    """A key (or its plural) made only of Vietnamese-looking words could be a Vietnamese query."""
    for key in phrase_index():
        assert not all(looks_vietnamese(word) for word in key), key


def _demo_texts() -> Iterator[str]:
    """Every product and producer name the demo data can hold, and the group sentences."""
    for stems in PRODUCTS.values():
        for stem, trade in stems:
            yield stem
            yield trade
    yield from GROUP_SENTENCES.values()
    with (ROOT / "app" / "data" / "sample_products.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield row["product_name"]
            yield row["producer"]


def _contains_phrase(text_words: list[str], phrase: list[str]) -> bool:
    """True if the words of `phrase` stand side by side in `text_words`."""
    n = len(phrase)
    return any(text_words[i:i + n] == phrase for i in range(len(text_words) - n + 1))


def test_catalog_entries_find_demo_products() -> None:
    """A `catalog` entry's Vietnamese side is in the demo data (as whole words); the rest are `general`."""
    texts = [query_words(text) for text in _demo_texts()]
    for entry in entries():
        found = any(_contains_phrase(words, v.split(" ")) for v in entry.vietnamese for words in texts)
        assert found == (entry.scope == "catalog"), entry


def _vietnamese_texts() -> Iterator[str]:
    """Vietnamese text people type or read: judged queries, demo and contract names and producers."""
    yield from (j.query for j in JUDGMENTS if j.category != "english")
    yield from _demo_texts()
    yield from BRANDS
    yield from PEOPLE
    for doc in [*DOCUMENTS, *STANDING_DOCUMENTS, *ADDRESS_DOCUMENTS]:
        yield from (doc["name"], doc["producer_name"], doc["address"], doc["description"])


@pytest.mark.parametrize("folded", [False, True], ids=["as-written", "folded"])
def test_vietnamese_text_never_meets_a_key(folded: bool) -> None:
    """No Vietnamese text, with or without diacritics, holds a glossary key: parsed exactly as before."""
    for text in _vietnamese_texts():
        words = query_words(fold(text) if folded else text)
        assert all(not s.vietnamese for s in segments(words)), text


def test_longest_phrase_wins_and_plurals_count() -> None:
    words = ["sticky", "rice", "wine", "and", "conical", "hats"]
    found = segments(words)
    assert [(s.start, s.end) for s in found] == [(0, 3), (3, 4), (4, 6)]
    assert found[0].vietnamese == ("rượu nếp",)
    assert found[2].vietnamese == ("nón",)
    assert segments(["rice", "papers"]) == [Segment(0, 2, ("bánh tráng", "bánh đa nem"))]


def _terms(text: str) -> list[tuple[str, bool]]:
    """(term, prefix) of every alternative the embedded engine looks up for `text`."""
    return [(term.text, term.prefix) for clause in parse_query(text).clauses for term in clause.alternatives]


def test_embedded_match_keeps_typed_words_and_adds_vietnamese() -> None:
    parsed = parse_query("Fish Sauce")
    assert [len(group.typed) for group in parsed.groups] == [2]  # one phrase: typed words or Vietnamese
    assert {("fish", False), ("sauce", True), ("nước mắm", False)} <= set(_terms("Fish Sauce"))
    plain = parse_query("nuoc mam")
    assert [len(group.translations) for group in plain.groups] == [0, 0]  # unchanged: word by word
    alternatives = [len(clause.alternatives) for group in plain.groups for clause in group.typed]
    assert alternatives == [2, 2]  # exact, folded


def test_meilisearch_synonyms_are_one_way_with_plurals() -> None:
    synonyms = synonym_settings()
    assert synonyms["fish sauce"] == ["nước mắm"]
    assert synonyms["conical hats"] == ["nón"]
    assert "nước mắm" not in synonyms
    assert synonyms["chè"] == ["trà"]


def test_glossary_words_are_not_required_as_known_words() -> None:
    """Meilisearch asks which long words the index knows, then requires them: never a glossary word."""
    assert typo_candidates("fish sauces quảng ngãi") == ["quang"]
    assert typo_candidates("sauces quảng ngãi") == ["sauces", "quang"]


def test_vietnamese_queries_parse_exactly_as_without_the_glossary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every judged Vietnamese query, as typed and folded, parses the same either way."""
    queries = [q for j in JUDGMENTS if j.category != "english" for q in (j.query, fold(j.query))]
    with_glossary = [parse_query(q) for q in queries]
    monkeypatch.setattr("search.text_query.segments",
                        lambda words: [Segment(i, i + 1) for i in range(len(words))])
    assert [parse_query(q) for q in queries] == with_glossary
    assert ("nước mắm", False) not in _terms("fish sauce")  # the glossary was really off

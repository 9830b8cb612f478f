"""Typed search text → a safe FTS5 MATCH expression for the embedded engine.

User text never reaches FTS5 as syntax: only letter-and-digit words are extracted, each is
quoted, and every word must match (AND) in its exact form, its folded form, a synonym or
(when the engine found it misspelt) an indexed term one edit away.
The last word matches as a prefix, since people search as they type. A run of words that is an
English glossary phrase (search/glossary.py) may match its Vietnamese words instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.text import fold
from search.engine import MAX_QUERY_LENGTH
from search.glossary import Segment, segments
from search.highlight import WORD_PATTERN
from search.synonyms import synonyms_of

# FTS5 columns: each searchable field in its exact form (NFC, lowercase, diacritics kept) and
# folded (no diacritics, đ → d), plus `compact`: certificate numbers without separators.
# `address` holds the words of the producer's address (commune, district, former district).
EXACT_COLUMNS = ("name", "producer", "numbers", "description", "province", "address")
FOLDED_COLUMNS = ("name_f", "producer_f", "numbers_f", "description_f", "province_f", "address_f", "compact")
ADDRESS_COLUMNS = frozenset({"address", "address_f"})
FTS_COLUMNS = (
    "name", "name_f", "producer", "producer_f", "numbers", "numbers_f",
    "description", "description_f", "province", "province_f", "address", "address_f", "compact",
)
# bm25 weights in FTS_COLUMNS order: the name counts most, an exact form above its folded form;
# the address least (and a match only there ranks after every other match: search/embedded_text.py).
COLUMN_WEIGHTS = (10.0, 5.0, 4.0, 2.0, 6.0, 3.0, 1.0, 0.5, 2.0, 1.0, 0.3, 0.15, 6.0)
MAX_WORDS = 24


def query_words(text: str) -> list[str]:
    """The distinct words of the typed text (NFC, lowercase), in order, bounded in number."""
    clipped = unicodedata.normalize("NFC", text[:MAX_QUERY_LENGTH]).lower()
    words: list[str] = []
    for word in WORD_PATTERN.findall(clipped):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _phrase(term: str, *, prefix: bool) -> str:
    """A quoted FTS5 string (words never contain quotes), with `*` for a prefix match."""
    return f'"{term}"*' if prefix else f'"{term}"'


def _columns(names: Sequence[str], *, address: bool) -> str:
    """An FTS5 column filter of `names`, without the address columns unless `address`."""
    return "{" + " ".join(c for c in names if address or c not in ADDRESS_COLUMNS) + "}"


def _word_clause(word: str, *, prefix: bool, typos: Sequence[str] = (), address: bool = True) -> str:
    """The word in exact columns OR folded in folded columns OR a synonym OR a typo correction.

    Synonyms match in their exact form only: folded, "mỳ" would also find every "mỹ".
    Typo corrections are folded indexed terms and match as whole words.
    """
    exact = _columns(EXACT_COLUMNS, address=address)
    folded = _columns(FOLDED_COLUMNS, address=address)
    alternatives = [f"{exact} : {_phrase(word, prefix=prefix)}"]
    folded_word = fold(word)
    if WORD_PATTERN.fullmatch(folded_word):
        alternatives.append(f"{folded} : {_phrase(folded_word, prefix=prefix)}")
    alternatives += [f"{exact} : {_phrase(synonym, prefix=prefix)}" for synonym in sorted(synonyms_of(word))]
    alternatives += [f"{folded} : {_phrase(term, prefix=False)}" for term in typos]
    return "(" + " OR ".join(dict.fromkeys(alternatives)) + ")"


def _segment_clause(segment: Segment, clauses: Sequence[str], *, address: bool) -> str:
    """A plain word's clause; for an English glossary phrase, its words as typed OR any of its
    Vietnamese words (exact form, as written on products; whole words, never a prefix)."""
    typed = " AND ".join(clauses[segment.start:segment.end])
    if not segment.vietnamese:
        return typed
    exact = _columns(EXACT_COLUMNS, address=address)
    vietnamese = [f"{exact} : {_phrase(phrase, prefix=False)}" for phrase in segment.vietnamese]
    return "((" + typed + ") OR " + " OR ".join(vietnamese) + ")"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The words of a query and the MATCH expression built from them ('' when no words)."""

    words: list[str]
    match: str


def parse_query(text: str, typos: Mapping[str, Sequence[str]] | None = None, *,
                address: bool = True, prefix_last: bool = True) -> ParsedQuery:
    """Words and MATCH expression; several words also try the certificate-number compact form.

    `typos` maps a query word to the indexed terms that also count for it (typo tolerance);
    `address=False` leaves the address columns out (what matches elsewhere ranks first);
    `prefix_last=False` matches the last word whole too.
    """
    words = query_words(text)
    if not words:
        return ParsedQuery(words=[], match="")
    corrections = typos or {}
    last = len(words) - 1 if prefix_last else -1
    clauses = [_word_clause(w, prefix=i == last, typos=corrections.get(w, ()), address=address)
               for i, w in enumerate(words)]
    expression = " AND ".join(_segment_clause(s, clauses, address=address) for s in segments(words))
    if len(words) > 1:
        compact = fold("".join(words))
        if WORD_PATTERN.fullmatch(compact):
            expression = f"({expression}) OR ({{compact}} : {_phrase(compact, prefix=True)})"
    return ParsedQuery(words=words, match=expression)


def compact_number(text: str) -> str:
    """A printed number without separators, folded: '123/QĐ-UBND' → '123qdubnd'."""
    return "".join(WORD_PATTERN.findall(fold(text)))


def phrase_match(words: list[str]) -> str:
    """Several words side by side, as typed (last one a prefix), in any exact or folded column.

    Used only to rank: "dien bien" should put products from Điện Biên before those whose
    description merely holds "biến" somewhere and a name with "Điền".
    """
    if len(words) < 2:
        return ""
    exact = "{" + " ".join(EXACT_COLUMNS) + "} : " + _phrase(" ".join(words), prefix=True)
    folded_words = [fold(word) for word in words]
    if not all(WORD_PATTERN.fullmatch(word) for word in folded_words):
        return exact
    folded = "{" + " ".join(FOLDED_COLUMNS) + "} : " + _phrase(" ".join(folded_words), prefix=True)
    return f"({exact}) OR ({folded})"

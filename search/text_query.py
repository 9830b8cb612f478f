"""Typed search text → what the embedded engine looks up: words, their alternatives, phrases.

User text never becomes syntax: only letter-and-digit words are extracted, and every word must
match (AND) in its exact form, its folded form, a synonym or (when the engine found it
misspelt) an indexed term one edit away. The last word matches as a prefix, since people
search as they type. A run of words that is an English glossary phrase (search/glossary.py)
may match its Vietnamese words instead. The plan is data (terms and the columns each counts
in), evaluated over per-term bitmaps by search/embedded_text.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.text import fold
from search.engine import MAX_QUERY_LENGTH
from search.glossary import segments
from search.highlight import WORD_PATTERN
from search.synonyms import synonyms_of

# Indexed columns: each searchable field in its exact form (NFC, lowercase, diacritics kept) and
# folded (no diacritics, đ → d), plus `compact`: certificate numbers without separators.
# `address` holds the words of the producer's address (commune, district, former district).
COLUMNS = (
    "name", "name_f", "producer", "producer_f", "numbers", "numbers_f",
    "description", "description_f", "province", "province_f", "address", "address_f", "compact",
)
# bm25 weights in COLUMNS order: the name counts most, an exact form above its folded form;
# the address least (and a match only there ranks after every other match: search/embedded_text.py).
COLUMN_WEIGHTS = (10.0, 5.0, 4.0, 2.0, 6.0, 3.0, 1.0, 0.5, 2.0, 1.0, 0.3, 0.15, 6.0)
EXACT = frozenset(range(0, 12, 2))
FOLDED = frozenset({*range(1, 12, 2), 12})  # the folded forms, and compact numbers
ADDRESS = frozenset({COLUMNS.index("address"), COLUMNS.index("address_f")})
COMPACT = COLUMNS.index("compact")
EVERY_COLUMN = frozenset(range(len(COLUMNS)))
MAX_WORDS = 24


def query_words(text: str) -> list[str]:
    """The distinct words of the typed text (NFC, lowercase), in order, bounded in number."""
    clipped = unicodedata.normalize("NFC", text[:MAX_QUERY_LENGTH]).lower()
    words: list[str] = []
    for word in WORD_PATTERN.findall(clipped):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


@dataclass(frozen=True, slots=True)
class Term:
    """Indexed words to look up (one, or several side by side), whole or the last one as a prefix,
    counted only in `columns`."""

    text: str
    prefix: bool
    columns: frozenset[int]

    @property
    def words(self) -> list[str]:
        """The words of the term."""
        return self.text.split(" ")


@dataclass(frozen=True, slots=True)
class Clause:
    """A product matches when any alternative does."""

    alternatives: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """Query words that must all match (`typed`), or instead any of an English phrase's
    Vietnamese translations (`translations`, empty for plain words)."""

    typed: tuple[Clause, ...]
    translations: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The words of a query and what matching them means: every group, or else (several words
    typed) a printed number written without its separators (`compact`)."""

    words: list[str]
    groups: tuple[Group, ...] = ()
    compact: Clause | None = None

    @property
    def match(self) -> bool:
        """True when there is anything to match."""
        return bool(self.groups)

    @property
    def clauses(self) -> list[Clause]:
        """Every clause, each counted once in the bm25 score."""
        found = [c for group in self.groups for c in (*group.typed, *group.translations)]
        return found + ([self.compact] if self.compact else [])


def word_clause(word: str, *, prefix: bool, typos: Sequence[str] = ()) -> Clause:
    """The word in exact columns OR folded in folded columns OR a synonym OR a typo correction.

    Synonyms match in their exact form only: folded, "mỳ" would also find every "mỹ".
    Typo corrections are folded indexed terms and match as whole words.
    """
    alternatives = [Term(word, prefix, EXACT)]
    folded_word = fold(word)
    if WORD_PATTERN.fullmatch(folded_word):
        alternatives.append(Term(folded_word, prefix, FOLDED))
    alternatives += [Term(synonym, prefix, EXACT) for synonym in sorted(synonyms_of(word))]
    alternatives += [Term(term, False, FOLDED) for term in typos]
    return Clause(tuple(dict.fromkeys(alternatives)))


def parse_query(text: str, typos: Mapping[str, Sequence[str]] | None = None, *,
                prefix_last: bool = True) -> ParsedQuery:
    """Words and what to match; several words also try the certificate-number compact form.

    `typos` maps a query word to the indexed terms that also count for it (typo tolerance);
    `prefix_last=False` matches the last word whole too.
    """
    words = query_words(text)
    if not words:
        return ParsedQuery(words=[])
    corrections = typos or {}
    last = len(words) - 1 if prefix_last else -1
    clauses = [word_clause(w, prefix=i == last, typos=corrections.get(w, ())) for i, w in enumerate(words)]
    groups = tuple(
        Group(tuple(clauses[s.start:s.end]),
              tuple(Clause((Term(phrase, False, EXACT),)) for phrase in s.vietnamese))
        for s in segments(words))
    compact = None
    if len(words) > 1:
        joined = fold("".join(words))
        if WORD_PATTERN.fullmatch(joined):
            compact = Clause((Term(joined, True, frozenset({COMPACT})),))
    return ParsedQuery(words=words, groups=groups, compact=compact)


def compact_number(text: str) -> str:
    """A printed number without separators, folded: '123/QĐ-UBND' → '123qdubnd'."""
    return "".join(WORD_PATTERN.findall(fold(text)))


def phrase_clause(words: list[str]) -> Clause | None:
    """Several words side by side, as typed (last one a prefix), in any exact or folded column.

    Used only to rank: "dien bien" should put products from Điện Biên before those whose
    description merely holds "biến" somewhere and a name with "Điền".
    """
    if len(words) < 2:
        return None
    alternatives = [Term(" ".join(words), True, EXACT)]
    folded_words = [fold(word) for word in words]
    if all(WORD_PATTERN.fullmatch(word) for word in folded_words):
        alternatives.append(Term(" ".join(folded_words), True, FOLDED))
    return Clause(tuple(alternatives))

"""Text matching of the embedded engine: the products the words match, as bitmaps, and what
ranks them.

Each clause of the query (search/text_query.py) becomes, per column, the union of its terms'
bitmaps (search/embedded_terms.py); the match is then ANDs and ORs of those in C. Ranking
needs no pass over the matches here: it is the tiers (words side by side, other exact or
prefix matches, typo-only matches; each split into matches outside the address, then
address-only ones) as bitmaps, and each clause's per-column bitmaps for bm25, scored later
for the selected products only (search/embedded_rank.py). A text's match is kept per index
generation (`TextCache`): real traffic asks the same words with many filters and pages.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from app.domain.text import fold
from search.embedded_bits import EMPTY, FacetBits
from search.embedded_rank import ScoredClause, idf
from search.embedded_terms import TermReader, union
from search.embedded_typos import typo_expansions
from search.highlight import WORD_PATTERN
from search.result_cache import LruCache
from search.synonyms import synonyms_of
from search.text_query import (
    ADDRESS,
    COLUMN_WEIGHTS,
    COMPACT,
    EVERY_COLUMN,
    Clause,
    ParsedQuery,
    Term,
    parse_query,
    phrase_clause,
)

TEXT_CACHE_ENTRIES = 256  # texts kept per engine: bitmaps, compressed
PREFIX_LETTERS = 2  # a lone word this short is answered from bitmaps (`initials` in embedded_bits)
_ELSEWHERE = EVERY_COLUMN - ADDRESS


@dataclass(frozen=True, slots=True)
class TextMatch:
    """The products the words match, the ones matching without typo corrections, and (when
    sorting by relevance) the tiers and clauses that rank them."""

    bits: BitMap
    strict: BitMap
    typos: dict[str, list[str]]
    tiers: tuple[BitMap, ...] | None = None
    clauses: tuple[ScoredClause, ...] = ()


TextKey = tuple[int, tuple[str, ...], bool]  # generation, words, relevance


class TextCache(LruCache[TextKey, TextMatch]):
    """Text matches by (generation, words, relevance); older generations' entries age out."""


class _Clauses:
    """Per-column bits of each clause of one query, each looked up once."""

    def __init__(self, reader: TermReader) -> None:
        self.reader = reader
        self._columns: dict[Clause, dict[int, BitMap]] = {}

    def columns(self, clause: Clause) -> dict[int, BitMap]:
        """Column → products where any alternative of the clause matches there."""
        found = self._columns.get(clause)
        if found is None:
            parts: dict[int, list[BitMap]] = defaultdict(list)
            for term in clause.alternatives:
                for column, bits in self.reader.columns(term).items():
                    parts[column].append(bits)
            found = self._columns[clause] = {column: union(bits) for column, bits in parts.items()}
        return found

    def bits(self, clause: Clause, allowed: frozenset[int] = EVERY_COLUMN) -> BitMap:
        """Products the clause matches in the allowed columns."""
        return union(bits for column, bits in self.columns(clause).items() if column in allowed)

    def matched(self, parsed: ParsedQuery, allowed: frozenset[int] = EVERY_COLUMN) -> BitMap:
        """Products matching every group (its typed words, or a translation), or the compact number."""
        result: BitMap | None = None
        for group in parsed.groups:
            typed: BitMap | None = None
            for clause in group.typed:
                typed = self.bits(clause, allowed) if typed is None else typed & self.bits(clause, allowed)
                if not typed:
                    break
            found = (typed or EMPTY) | union(self.bits(c, allowed) for c in group.translations)
            result = found if result is None else result & found
            if not result:
                break
        if parsed.compact is not None:
            result = (result or EMPTY) | self.bits(parsed.compact, allowed)
        return result if result is not None else EMPTY

    def scored(self, parsed: ParsedQuery, count: int) -> tuple[ScoredClause, ...]:
        """Every clause with its idf and per-column bits, for bm25."""
        return tuple(ScoredClause(idf(count, len(self.bits(clause))), self.weighted(clause))
                     for clause in parsed.clauses)

    def weighted(self, clause: Clause) -> tuple[tuple[float, BitMap], ...]:
        """(column weight, products) of each column the clause matches in."""
        return tuple((COLUMN_WEIGHTS[column], bits) for column, bits in sorted(self.columns(clause).items()))


def _tier_sets(matched: BitMap, strict: BitMap, phrase: BitMap, primary: BitMap) -> tuple[BitMap, ...]:
    """The six tiers: side by side, other exact or prefix matches, typo-only; each split into
    matches outside the address, then address-only ones."""
    groups = (phrase, strict - phrase, matched - strict)
    return tuple(part for group in groups for part in (group & primary, group - primary))


def _full_match(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, count: int, *,
                relevance: bool, prefix_last: bool = True) -> TextMatch:
    """Match every word, widened by typo corrections for words the index does not know; with
    `relevance`, also the tiers and scored clauses."""
    typos = typo_expansions(conn, parsed.words, prefix_last=prefix_last)
    widened = parse_query(text, typos, prefix_last=prefix_last) if typos else parsed
    clauses = _Clauses(TermReader(conn))
    matched = clauses.matched(widened)
    strict = clauses.matched(parsed) if typos else matched
    if not relevance:
        return TextMatch(bits=matched, strict=strict, typos=typos)
    together = phrase_clause(parsed.words)
    phrase = clauses.bits(together) & strict if together else strict
    primary = clauses.matched(widened, _ELSEWHERE)
    tiers = _tier_sets(matched, strict, phrase, primary)
    scored = clauses.scored(widened, count)
    return TextMatch(bits=matched, strict=strict, typos=typos, tiers=tiers, clauses=scored)


def _compact_ids(conn: sqlite3.Connection, words: list[str]) -> BitMap:
    """Products with a printed number that starts with the words typed together ("123 q")."""
    compact = fold("".join(words))
    if len(words) < 2 or not WORD_PATTERN.fullmatch(compact):
        return EMPTY
    return union(TermReader(conn).columns(Term(compact, True, frozenset({COMPACT}))).values())


def _with_letter(conn: sqlite3.Connection, parsed: ParsedQuery, initial: BitMap, count: int, *,
                 relevance: bool) -> TextMatch:
    """Words then a last word of one letter: the words matched whole, kept where a word starts
    with the letter; a printed number typed with spaces first."""
    text = " ".join(parsed.words[:-1])
    inner = _full_match(conn, text, parse_query(text, prefix_last=False), count, relevance=relevance,
                        prefix_last=False)
    number = _compact_ids(conn, parsed.words) - (inner.bits & initial)
    matched = (inner.bits & initial) | number
    tiers = None if inner.tiers is None else (number, *(tier & matched for tier in inner.tiers))
    strict = (inner.strict & initial) | number
    return TextMatch(bits=matched, strict=strict, typos=inner.typos, tiers=tiers, clauses=inner.clauses)


def match_text(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, facets: FacetBits, *,
               relevance: bool) -> TextMatch:
    """The products matching the words and, with `relevance`, what ranks them.

    A last word of one letter (or a lone word of two) comes from the first-letters bitmaps
    (search/embedded_bits.py) rather than a prefix range, which would read every indexed word
    that starts so. A lone short word ranks products with such a word in the name first, then
    by standing (bm25 over most of the catalog says little).
    """
    count = len(facets.everything)
    last = parsed.words[-1]
    short = fold(last)
    if not (last.isalpha() and len(short) == len(last)) or synonyms_of(last):  # variants match exactly
        return _full_match(conn, text, parsed, count, relevance=relevance)
    if len(parsed.words) == 1 and len(last) <= PREFIX_LETTERS:
        initial = facets.values.get((f"initial{len(short)}", short), EMPTY)
        in_name = facets.values.get((f"name_initial{len(short)}", short), EMPTY)
        tiers = (initial & in_name, initial - in_name) if relevance else None
        return TextMatch(bits=initial, strict=initial, typos={}, tiers=tiers)
    if len(last) == 1:
        initial = facets.values.get(("initial1", short), EMPTY)
        return _with_letter(conn, parsed, initial, count, relevance=relevance)
    return _full_match(conn, text, parsed, count, relevance=relevance)

"""Text matching of the embedded engine: FTS5 matches as bitmaps, and the relevance order of them.

A text's matches and their whole relevance order are computed once per index generation and
kept (`TextCache`): real traffic asks the same words with many filters and pages, and the
FTS5 part (bm25 over every match) is the costly one. bm25 is computed and sorted by SQLite
(`ORDER BY`, in C); the tiers (words side by side, address-only, typo-only matches) are
bitmap differences, so Python only walks the few ids a page needs.
"""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from app.domain.text import fold
from search.embedded_bits import EMPTY, FacetBits, bits_of
from search.embedded_typos import typo_expansions
from search.fts_query import COLUMN_WEIGHTS, ParsedQuery, parse_query, phrase_match
from search.highlight import WORD_PATTERN
from search.result_cache import LruCache

TEXT_CACHE_ENTRIES = 64  # texts kept per engine; a match order costs 16 bytes per matching product
_RANK = f"bm25(doc_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)})"
TIERS = 6


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every match in relevance order: `order` tier by tier, bm25 within a tier; `ranks` the bm25
    of each and `tier_ends` where each tier ends in `order`, so that ties can be found."""

    order: array[int]
    ranks: array[float] | None  # None: a total order (no ties), the position is the rank
    tier_ends: tuple[int, ...]

    def key(self, position: int) -> tuple[int, float]:
        """(tier, bm25) of the match at `position`: equal keys are equally relevant."""
        tier = next(t for t, end in enumerate(self.tier_ends) if position < end)
        return tier, (position if self.ranks is None else self.ranks[position])

    def within(self, bits: BitMap) -> Ranking:
        """The ranking of the matches in `bits` only, same order."""
        keep = [i for i, pid in enumerate(self.order) if pid in bits]
        ends = tuple(bisect_left(keep, end) for end in self.tier_ends)
        ranks = None if self.ranks is None else array("d", (self.ranks[i] for i in keep))
        return Ranking(array("q", (self.order[i] for i in keep)), ranks, ends)


@dataclass(frozen=True, slots=True)
class TextMatch:
    """The products the words match, the ones matching without typo corrections, and (when
    sorting by relevance) their ranking."""

    bits: BitMap
    strict: BitMap
    typos: dict[str, list[str]]
    ranking: Ranking | None = None


TextKey = tuple[int, tuple[str, ...], bool]  # generation, words, relevance


class TextCache(LruCache[TextKey, TextMatch]):
    """Text matches by (generation, words, relevance); older generations' entries age out."""


def _match_ids(conn: sqlite3.Connection, expression: str) -> list[int]:
    """Row ids matching a MATCH expression, unranked (cheap)."""
    return [row[0] for row in conn.execute("SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?", (expression,))]


def _tier_sets(matched: BitMap, strict: BitMap, phrase: BitMap, primary: BitMap) -> list[BitMap]:
    """The six tiers: side by side, other exact or prefix matches, typo-only; each split into
    matches outside the address, then address-only ones."""
    groups = (phrase, strict - phrase, matched - strict)
    return [part for group in groups for part in (group & primary, group - primary)]


def _ordered(ranked: list[tuple[int, float]], tiers: list[BitMap]) -> Ranking:
    """`ranked` (in bm25 order) regrouped tier by tier, bm25 order kept within each tier."""
    order: array[int] = array("q")
    ranks: array[float] = array("d")
    ends: list[int] = []
    one_tier = sum(1 for tier in tiers if tier) == 1
    for tier in tiers:
        if tier:
            rows = ranked if one_tier else [row for row in ranked if row[0] in tier]
            order.extend(pid for pid, _ in rows)
            ranks.extend(rank for _, rank in rows)
        ends.append(len(order))
    return Ranking(order, ranks, tuple(ends))


def _full_match(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, *, relevance: bool,
                prefix_last: bool = True) -> TextMatch:
    """Match every word through FTS5, widened by typo corrections for words the index does not
    know; with `relevance`, also the ranking of every match."""
    typos = typo_expansions(conn, parsed.words, prefix_last=prefix_last)
    expression = parse_query(text, typos, prefix_last=prefix_last).match if typos else parsed.match
    if not relevance:
        matched = bits_of(_match_ids(conn, expression))
        strict = bits_of(_match_ids(conn, parsed.match)) if typos else matched
        return TextMatch(bits=matched, strict=strict, typos=typos)
    ranked = conn.execute(f"SELECT rowid, {_RANK} AS r FROM doc_fts WHERE doc_fts MATCH ? ORDER BY r",  # noqa: S608 - constant SQL, values bound
                          (expression,)).fetchall()
    matched = bits_of([pid for pid, _ in ranked])
    strict = bits_of(_match_ids(conn, parsed.match)) if typos else matched
    together = phrase_match(parsed.words)
    phrase = bits_of(_match_ids(conn, together)) & strict if together else strict
    elsewhere = parse_query(text, typos, address=False, prefix_last=prefix_last).match
    primary = bits_of(_match_ids(conn, elsewhere))
    return TextMatch(bits=matched, strict=strict, typos=typos,
                     ranking=_ordered(ranked, _tier_sets(matched, strict, phrase, primary)))


def _compact_ids(conn: sqlite3.Connection, words: list[str]) -> BitMap:
    """Products with a printed number that starts with the words typed together ("123 q")."""
    compact = fold("".join(words))
    if len(words) < 2 or not WORD_PATTERN.fullmatch(compact):
        return EMPTY
    return bits_of(_match_ids(conn, f'{{compact}} : "{compact}"*'))


def _short_prefix_match(conn: sqlite3.Connection, parsed: ParsedQuery, facets: FacetBits,
                        standing: Callable[[], array[int]], *, relevance: bool) -> TextMatch:
    """A last word of one letter, from the first-letter bitmaps instead of FTS5 (which would
    enumerate every indexed word with that letter): the other words match through FTS5 and rank
    by bm25; a letter alone ranks products with a name word of that letter first, then valid
    longest and newest first."""
    letter, others = fold(parsed.words[-1]), parsed.words[:-1]
    initial = facets.values.get(("initial", letter), EMPTY)
    if others:
        text = " ".join(others)
        inner = _full_match(conn, text, parse_query(text, prefix_last=False), relevance=relevance,
                            prefix_last=False)
        number = _compact_ids(conn, parsed.words) - (inner.bits & initial)
        matched = (inner.bits & initial) | number
        ranking = inner.ranking.within(matched) if inner.ranking is not None else None
        if ranking is not None and number:  # a printed number typed with spaces: first
            ranks = None if ranking.ranks is None else array("d", [0.0] * len(number)) + ranking.ranks
            ranking = Ranking(array("q", number) + ranking.order, ranks,
                              (len(number), *(end + len(number) for end in ranking.tier_ends)))
        return TextMatch(bits=matched, strict=(inner.strict & initial) | number, typos=inner.typos,
                         ranking=ranking)
    if not relevance:
        return TextMatch(bits=initial, strict=initial, typos={})
    in_name = facets.values.get(("name_initial", letter), EMPTY)
    order = standing()
    first = array("q", (pid for pid in order if pid in in_name))
    rest = array("q", (pid for pid in order if pid in initial and pid not in in_name))
    ranking = Ranking(first + rest, None, (len(first), len(first) + len(rest)))
    return TextMatch(bits=initial, strict=initial, typos={}, ranking=ranking)


def match_text(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, facets: FacetBits,
               standing: Callable[[], array[int]], *, relevance: bool) -> TextMatch:
    """The products matching the words and, with `relevance`, their ranking; `standing` gives
    every product id, valid longest and newest first (ranking a lone letter)."""
    if len(parsed.words[-1]) == 1 and parsed.words[-1].isalpha():
        return _short_prefix_match(conn, parsed, facets, standing, relevance=relevance)
    return _full_match(conn, text, parsed, relevance=relevance)

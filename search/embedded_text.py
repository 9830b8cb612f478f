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
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TypeAlias

from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from app.domain.text import fold
from search.embedded_bits import EMPTY, FacetBits, bits_of
from search.embedded_typos import typo_expansions
from search.fts_query import COLUMN_WEIGHTS, ParsedQuery, parse_query, phrase_match
from search.highlight import WORD_PATTERN
from search.result_cache import LruCache
from search.synonyms import synonyms_of

TEXT_CACHE_ENTRIES = 64  # texts kept per engine; a match order costs 16 bytes per matching product
_RANK = f"bm25(doc_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)})"
PREFIX_LETTERS = 2  # a lone word this short is answered from bitmaps (`initials` in embedded_bits)


@dataclass(frozen=True, slots=True)
class Standing:
    """Every product id valid longest, then newest, then higher id first (`order`), and each id's
    place in it (`position`, indexed by id): how equally relevant matches are ordered."""

    order: array[int]
    position: array[int]

    @classmethod
    def of(cls, order: array[int]) -> Standing:
        """The standing of ids already in that order."""
        position = array("q", bytes(8 * (max(order, default=0) + 1)))
        for place, pid in enumerate(order):
            position[pid] = place
        return cls(order, position)


# Ids in order, kept only where in the bitmap; None: the ids are exactly the text's matches.
Segment: TypeAlias = "tuple[array[int], BitMap | None]"


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every match in relevance order, ties already broken, as segments one after the other:
    a page is a slice, or a walk that skips whole segments by count and stops once full."""

    segments: tuple[Segment, ...]

    def within(self, bits: BitMap) -> Ranking:
        """The ranking of the matches in `bits` only, same order (nothing is copied)."""
        return Ranking(tuple((order, bits if only is None else only & bits) for order, only in self.segments))


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


def _ordered(ranked: list[tuple[int, float]], tiers: list[BitMap], standing: Standing) -> Ranking:
    """`ranked` (in bm25 order) regrouped tier by tier, bm25 order kept within each tier, equal
    ranks in the standing order (valid longest, then newest, then the higher id)."""
    order: array[int] = array("q")
    position = standing.position
    one_tier = sum(1 for tier in tiers if tier) == 1
    for tier in tiers:
        if not tier:
            continue
        rows = ranked if one_tier else [row for row in ranked if row[0] in tier]
        for _, group in groupby(rows, itemgetter(1)):
            ids = [pid for pid, _ in group]
            if len(ids) > 1:
                ids.sort(key=position.__getitem__)
            order.extend(ids)
    return Ranking(((order, None),))


def _full_match(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, standing: Callable[[], Standing], *,
                relevance: bool, prefix_last: bool = True) -> TextMatch:
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
    tiers = _tier_sets(matched, strict, phrase, primary)
    return TextMatch(bits=matched, strict=strict, typos=typos, ranking=_ordered(ranked, tiers, standing()))


def _compact_ids(conn: sqlite3.Connection, words: list[str]) -> BitMap:
    """Products with a printed number that starts with the words typed together ("123 q")."""
    compact = fold("".join(words))
    if len(words) < 2 or not WORD_PATTERN.fullmatch(compact):
        return EMPTY
    return bits_of(_match_ids(conn, f'{{compact}} : "{compact}"*'))


def _with_letter(conn: sqlite3.Connection, parsed: ParsedQuery, initial: BitMap,
                 standing: Callable[[], Standing], *, relevance: bool) -> TextMatch:
    """Words then a last word of one letter: the words through FTS5 (whole words, ranked by bm25),
    kept where a word starts with the letter; a printed number typed with spaces first."""
    others = parsed.words[:-1]
    text = " ".join(others)
    inner = _full_match(conn, text, parse_query(text, prefix_last=False), standing, relevance=relevance,
                        prefix_last=False)
    number = _compact_ids(conn, parsed.words) - (inner.bits & initial)
    matched = (inner.bits & initial) | number
    ranking = None
    if inner.ranking is not None:
        ranking = Ranking(((array("q", number), number), *inner.ranking.within(matched).segments))
    strict = (inner.strict & initial) | number
    return TextMatch(bits=matched, strict=strict, typos=inner.typos, ranking=ranking)


def _alone(initial: BitMap, in_name: BitMap, standing: Standing, *, relevance: bool) -> TextMatch:
    """A lone word of one or two letters: products with a word starting so, those with one in the
    name first, then valid longest and newest first (bm25 over most of the catalog says little)."""
    ranking = None
    if relevance:
        ranking = Ranking(((standing.order, initial & in_name), (standing.order, initial - in_name)))
    return TextMatch(bits=initial, strict=initial, typos={}, ranking=ranking)


def match_text(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, facets: FacetBits,
               standing: Callable[[], Standing], *, relevance: bool) -> TextMatch:
    """The products matching the words and, with `relevance`, their ranking.

    A last word of one letter (or a lone word of two) comes from the first-letters bitmaps
    (search/embedded_bits.py) rather than FTS5, which would enumerate every indexed word that
    starts so: tens of thousands of matches, each ranked.
    """
    last = parsed.words[-1]
    short = fold(last)
    if not (last.isalpha() and len(short) == len(last)) or synonyms_of(last):  # variants match exactly: FTS5
        return _full_match(conn, text, parsed, standing, relevance=relevance)
    if len(parsed.words) == 1 and len(last) <= PREFIX_LETTERS:
        initial = facets.values.get((f"initial{len(short)}", short), EMPTY)
        in_name = facets.values.get((f"name_initial{len(short)}", short), EMPTY)
        return _alone(initial, in_name, standing(), relevance=relevance)
    if len(last) == 1:
        initial = facets.values.get(("initial1", short), EMPTY)
        return _with_letter(conn, parsed, initial, standing, relevance=relevance)
    return _full_match(conn, text, parsed, standing, relevance=relevance)

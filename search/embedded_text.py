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
from dataclasses import dataclass

from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from search.embedded_bits import bits_of
from search.embedded_typos import typo_expansions
from search.fts_query import COLUMN_WEIGHTS, ParsedQuery, parse_query, phrase_match
from search.result_cache import LruCache

TEXT_CACHE_ENTRIES = 64  # texts kept per engine; a match order costs 16 bytes per matching product
_RANK = f"bm25(doc_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)})"
TIERS = 6


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every match in relevance order: `order` tier by tier, bm25 within a tier; `ranks` the bm25
    of each and `tier_ends` where each tier ends in `order`, so that ties can be found."""

    order: array[int]
    ranks: array[float]
    tier_ends: tuple[int, ...]

    def key(self, position: int) -> tuple[int, float]:
        """(tier, bm25) of the match at `position`: equal keys are equally relevant."""
        tier = next(t for t, end in enumerate(self.tier_ends) if position < end)
        return tier, self.ranks[position]


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


def match_text(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, *, relevance: bool) -> TextMatch:
    """Match the words, widened by typo corrections for words the index does not know; with
    `relevance`, also the order of every match."""
    typos = typo_expansions(conn, parsed.words)
    expression = parse_query(text, typos).match if typos else parsed.match
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
    primary = bits_of(_match_ids(conn, parse_query(text, typos, address=False).match))
    return TextMatch(bits=matched, strict=strict, typos=typos,
                     ranking=_ordered(ranked, _tier_sets(matched, strict, phrase, primary)))

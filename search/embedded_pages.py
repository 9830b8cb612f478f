"""The embedded engine's read path: text matching, page selection and hits, on one snapshot.

Kept apart from search/embedded.py (the engine: connections, transactions, writes) so each
stays small; every function takes the snapshot's connection and never writes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import cast

from search.documents import ProductDocument
from search.embedded_bits import FacetBits, bits_of, bytes_of, contains, ids_of
from search.embedded_sql import ORDER_COLUMNS
from search.embedded_typos import typo_expansions
from search.engine import SearchHit, SearchQuery, SortOrder
from search.fts_query import COLUMN_WEIGHTS, ParsedQuery, parse_query, phrase_match
from search.highlight import highlight_name

WALK_FACTOR = 4  # walk a sort index up to 4× the rows expected before sorting the ids instead
_RANK = f"bm25(doc_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)})"


@dataclass(frozen=True, slots=True)
class TextMatch:
    """The products the words match, the ones matching without typo corrections, and ranks."""

    bits: int
    strict: int
    phrase: int  # matches with the words side by side (== strict for one word)
    primary: int  # matches without the address (== bits when sorting otherwise than by relevance)
    ranked: list[tuple[int, float]] | None  # (id, bm25) of every match, when sorting by relevance
    typos: dict[str, list[str]]


def _match_ids(conn: sqlite3.Connection, expression: str) -> list[int]:
    """Row ids matching a MATCH expression, unranked (cheap)."""
    return [row[0] for row in conn.execute("SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?", (expression,))]


def match_text(conn: sqlite3.Connection, text: str, parsed: ParsedQuery, *, relevance: bool) -> TextMatch:
    """Match the words, widened by typo corrections for words the index does not know."""
    typos = typo_expansions(conn, parsed.words)
    expression = parse_query(text, typos).match if typos else parsed.match
    ranked: list[tuple[int, float]] | None = None
    if relevance:
        ranked = conn.execute(f"SELECT rowid, {_RANK} FROM doc_fts WHERE doc_fts MATCH ?",  # noqa: S608 - constant SQL, values bound
                              (expression,)).fetchall()
        matched = bits_of(pid for pid, _ in ranked)
    else:
        matched = bits_of(_match_ids(conn, expression))
    strict = bits_of(_match_ids(conn, parsed.match)) if typos else matched
    together = phrase_match(parsed.words) if relevance else ""
    phrase = bits_of(_match_ids(conn, together)) & strict if together else strict
    elsewhere = parse_query(text, typos, address=False).match if relevance else ""
    primary = bits_of(_match_ids(conn, elsewhere)) if elsewhere else matched
    return TextMatch(bits=matched, strict=strict, phrase=phrase, primary=primary, ranked=ranked, typos=typos)


def _tie_keys(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Product id → (valid_through, latest_issued), for breaking relevance ties (later first)."""
    return {pid: (through, issued) for pid, through, issued in conn.execute(
        "SELECT d.id, d.valid_through, d.latest_issued FROM json_each(?) AS j "
        "CROSS JOIN doc AS d ON d.id = j.value",
        (json.dumps(ids),))}


def _relevance_page(conn: sqlite3.Connection, text: TextMatch, ranked: list[tuple[int, float]],
                    selected: int, offset: int, limit: int) -> list[int]:
    """Words side by side first, then other exact and prefix matches, then typo-only ones; within
    each, matches only in the address after the others; bm25 within each tier; ties valid longest
    first (valid today before expired or revoked), then newest."""
    mask = None if selected == text.bits else bytes_of(selected)
    strict = None if text.strict == text.bits else bytes_of(text.strict)
    phrase = None if text.phrase == text.strict else bytes_of(text.phrase)
    primary = None if text.primary == text.bits else bytes_of(text.primary)

    def tier(pid: int) -> int:
        address_only = int(primary is not None and not contains(primary, pid))
        if strict is not None and not contains(strict, pid):
            return 4 + address_only
        return (0 if phrase is None or contains(phrase, pid) else 2) + address_only

    keyed = sorted((tier(pid), rank, pid) for pid, rank in ranked if mask is None or contains(mask, pid))
    end = min(offset + limit, len(keyed))
    while 0 < end < len(keyed) and keyed[end][:2] == keyed[end - 1][:2]:
        end += 1
    window = keyed[:end]
    ties = _tie_keys(conn, [pid for _, _, pid in window])
    window.sort(key=lambda k: (k[0], k[1], *(-v for v in ties.get(k[2], (0, 0))), -k[2]))
    return [pid for _, _, pid in window[offset:offset + limit]]


def _walk(conn: sqlite3.Connection, order: str, mask: bytes, need: int, budget: int) -> list[int] | None:
    """The first `need` ids of `mask` in index order, or None when more than `budget` rows pass by."""
    cursor = conn.execute(f"SELECT d.id FROM doc d ORDER BY {order}")  # noqa: S608 - constant SQL
    found: list[int] = []
    try:
        for scanned, (pid,) in enumerate(cursor):
            if contains(mask, pid):
                found.append(pid)
                if len(found) == need:
                    return found
            if scanned >= budget:
                return None
        return found
    finally:
        cursor.close()


def _ordered_page(conn: sqlite3.Connection, order: str, selected: int, *, total: int, population: int,
                  offset: int, limit: int) -> list[int]:
    """A page of `selected` in `order`: walk the sort index when dense, else sort the few ids."""
    need = offset + limit
    expected = need * population // max(total, 1)
    if expected < total:
        found = _walk(conn, order, bytes_of(selected), need, budget=max(WALK_FACTOR * expected, 1000))
        if found is not None:
            return found[offset:]
    rows = conn.execute(
        f"SELECT d.id FROM json_each(?) AS j CROSS JOIN doc AS d ON d.id = j.value ORDER BY {order} "  # noqa: S608 - constant SQL, values bound
        "LIMIT ? OFFSET ?", (json.dumps(ids_of(selected)), limit, offset))
    return [row[0] for row in rows]


def page_ids(conn: sqlite3.Connection, query: SearchQuery, text: TextMatch | None, selected: int, *,
              total: int, everything: FacetBits, filtered: bool) -> list[int]:
    """Ids of the requested page, in the query's order."""
    offset, limit = max(query.offset, 0), max(query.per_page, 0)
    if total == 0 or limit == 0:
        return []
    if text is not None and text.ranked is not None:
        return _relevance_page(conn, text, text.ranked, selected, offset, limit)
    order = ORDER_COLUMNS["name" if query.sort == SortOrder.name else "newest"]
    if text is None and not filtered:
        rows = conn.execute(f"SELECT d.id FROM doc d ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset))  # noqa: S608 - constant SQL, values bound
        return [row[0] for row in rows]
    return _ordered_page(conn, order, selected, total=total, population=everything.everything.bit_count(),
                         offset=offset, limit=limit)


def page_hits(conn: sqlite3.Connection, ids: list[int], words: list[str],
          typos: dict[str, list[str]]) -> list[SearchHit]:
    """The page's documents, from their JSON bodies, with highlighted names."""
    bodies = dict(conn.execute(
        "SELECT b.id, b.body FROM json_each(?) AS j CROSS JOIN doc_body AS b ON b.id = j.value",
        (json.dumps(ids),)).fetchall())
    documents = [cast(ProductDocument, json.loads(bodies[i])) for i in ids if i in bodies]
    return [SearchHit(document=doc, name_highlighted=highlight_name(doc["name"], words, typos))
            for doc in documents]

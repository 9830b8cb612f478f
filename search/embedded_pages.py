"""The embedded engine's read path after matching (search/embedded_text.py): page selection
and hits, on one snapshot.

Kept apart from search/embedded.py (the engine: connections, transactions, writes) so each
stays small; every function takes the snapshot's connection and never writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from itertools import islice
from typing import cast

from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from search.documents import ProductDocument
from search.embedded_bits import FacetBits, ids_of
from search.embedded_sql import ORDER_COLUMNS
from search.embedded_text import Ranking, TextMatch
from search.engine import SearchHit, SearchQuery, SortOrder
from search.highlight import highlight_name

WALK_FACTOR = 4  # walk a sort index up to 4× the rows expected before sorting the ids instead


def _relevance_page(ranking: Ranking, everything: bool, selected: BitMap, offset: int,
                    limit: int) -> list[int]:
    """The page of `selected` in the ranking's order (search/embedded_text.py): a slice when nothing
    is filtered out, else a walk that skips whole segments by their count and stops once full."""
    page: list[int] = []
    for order, only in ranking.segments:
        keep = selected if only is None else only & selected
        if offset >= len(keep):  # `only` None: the segment holds exactly the text's matches
            offset -= len(keep)
            continue
        whole = only is None and everything
        chosen: Iterable[int] = order if whole else (pid for pid in order if pid in keep)
        page += islice(chosen, offset, offset + limit - len(page))
        offset = 0
        if len(page) == limit:
            break
    return page


def _walk(conn: sqlite3.Connection, order: str, mask: BitMap, need: int, budget: int) -> list[int] | None:
    """The first `need` ids of `mask` in index order, or None when more than `budget` rows pass by."""
    cursor = conn.execute(f"SELECT d.id FROM doc d ORDER BY {order}")  # noqa: S608 - constant SQL
    found: list[int] = []
    try:
        for scanned, (pid,) in enumerate(cursor):
            if pid in mask:
                found.append(pid)
                if len(found) == need:
                    return found
            if scanned >= budget:
                return None
        return found
    finally:
        cursor.close()


def _ordered_page(conn: sqlite3.Connection, order: str, selected: BitMap, *, total: int, population: int,
                  offset: int, limit: int) -> list[int]:
    """A page of `selected` in `order`: walk the sort index when dense, else sort the few ids."""
    need = offset + limit
    expected = need * population // max(total, 1)
    if expected < total:
        found = _walk(conn, order, selected, need, budget=max(WALK_FACTOR * expected, 1000))
        if found is not None:
            return found[offset:]
    rows = conn.execute(
        f"SELECT d.id FROM json_each(?) AS j CROSS JOIN doc AS d ON d.id = j.value ORDER BY {order} "  # noqa: S608 - constant SQL, values bound
        "LIMIT ? OFFSET ?", (json.dumps(ids_of(selected)), limit, offset))
    return [row[0] for row in rows]


def page_ids(conn: sqlite3.Connection, query: SearchQuery, text: TextMatch | None, selected: BitMap, *,
              total: int, everything: FacetBits, filtered: bool) -> list[int]:
    """Ids of the requested page, in the query's order."""
    offset, limit = max(query.offset, 0), max(query.per_page, 0)
    if total == 0 or limit == 0:
        return []
    if text is not None and text.ranking is not None:
        return _relevance_page(text.ranking, selected == text.bits, selected, offset, limit)
    order = ORDER_COLUMNS["name" if query.sort == SortOrder.name else "newest"]
    if text is None and not filtered:
        rows = conn.execute(f"SELECT d.id FROM doc d ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset))  # noqa: S608 - constant SQL, values bound
        return [row[0] for row in rows]
    return _ordered_page(conn, order, selected, total=total, population=len(everything.everything),
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

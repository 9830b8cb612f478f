"""The embedded engine's read path after matching (search/embedded_text.py): page selection
and hits, on one snapshot.

Kept apart from search/embedded.py (the engine: connections, transactions, writes) so each
stays small; nothing here writes, and hits are read on the query's snapshot.
"""

from __future__ import annotations

import sqlite3
from typing import cast

import orjson
from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from search.documents import ProductDocument
from search.embedded_rank import Corpus, ranked_page, sorted_page
from search.embedded_text import TextMatch
from search.engine import SearchHit, SearchQuery, SortOrder
from search.highlight import highlight_name


def page_ids(query: SearchQuery, text: TextMatch | None, selected: BitMap, corpus: Corpus) -> list[int]:
    """Ids of the requested page, in the query's order: relevance when the text has tiers, else
    newest first or by name (search/embedded_rank.py)."""
    offset, limit = max(query.offset, 0), max(query.per_page, 0)
    if not selected or limit == 0 or offset >= len(selected):
        return []
    if text is not None and text.tiers is not None:
        return ranked_page(selected, text.tiers, text.clauses, corpus, offset, limit)
    return sorted_page(selected, "name" if query.sort == SortOrder.name else "newest", corpus, offset, limit)


def page_hits(conn: sqlite3.Connection, ids: list[int], words: list[str],
          typos: dict[str, list[str]]) -> list[SearchHit]:
    """The page's documents, from their JSON bodies, with highlighted names."""
    bodies = dict(conn.execute(
        "SELECT b.id, b.body FROM json_each(?) AS j CROSS JOIN doc_body AS b ON b.id = j.value",
        (orjson.dumps(ids).decode(),)).fetchall())
    documents = [cast(ProductDocument, orjson.loads(bodies[i])) for i in ids if i in bodies]
    return [SearchHit(document=doc, name_highlighted=highlight_name(doc["name"], words, typos))
            for doc in documents]

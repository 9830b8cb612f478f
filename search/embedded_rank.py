"""Pages of the embedded engine: the chosen products put in order, in C (numpy).

Every sort is a per-generation array from product id to place (`Corpus`), so a page of any
sort is a partial sort of the selected ids by their places, whatever the filters. Relevance
ranks by tier (search/embedded_text.py), then a bm25 score computed only for the selected
products from the per-column bitmaps of each clause, then standing (valid longest, newest,
higher id first). The cost grows with the matches in C, never with a Python loop over them.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from search.embedded_sql import ORDERS

Ids = npt.NDArray[np.int64]
K1, B = 1.2, 0.75  # bm25's usual constants (SQLite FTS5 and Lucene use the same)
TIER_SPAN = 1e6  # above any score: a tier always outranks the next one


@dataclass(frozen=True, slots=True)
class Corpus:
    """Per index generation: each product's length in words and its place in every sort order."""

    count: int
    average_length: float
    length: npt.NDArray[np.float64]
    places: dict[str, Ids]  # sort order name (embedded_sql.ORDERS) → place, indexed by product id
    orders: dict[str, Ids]  # sort order name → every product id in that order

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Corpus:
        """Read the lengths and the three orders (three index scans of `doc`)."""
        rows = conn.execute("SELECT id, tokens FROM doc").fetchall()
        size = max((pid for pid, _ in rows), default=0) + 1
        length = np.zeros(size, dtype=np.float64)
        if rows:
            pairs = np.array(rows, dtype=np.int64)
            length[pairs[:, 0]] = pairs[:, 1]
        places: dict[str, Ids] = {}
        orders: dict[str, Ids] = {}
        for name, order in ORDERS.items():
            ids = np.fromiter((row[0] for row in conn.execute(f"SELECT d.id FROM doc d ORDER BY {order}")),  # noqa: S608 - constant SQL
                              dtype=np.int64, count=len(rows))
            place = np.zeros(size, dtype=np.int64)
            place[ids] = np.arange(len(ids), dtype=np.int64)
            places[name] = place
            orders[name] = ids
        average = float(length.sum() / len(rows)) if rows else 1.0
        return cls(len(rows), max(average, 1.0), length, places, orders)


@dataclass(frozen=True, slots=True)
class ScoredClause:
    """One clause of the query as bm25 counts it: its idf and the products per column weight."""

    idf: float
    columns: tuple[tuple[float, BitMap], ...]


def idf(count: int, matching: int) -> float:
    """bm25's inverse document frequency, kept positive as FTS5 does for very common words."""
    value = math.log((count - matching + 0.5) / (matching + 0.5))
    return value if value > 0 else 1e-6


def array_of(bits: BitMap) -> Ids:
    """The ids of a bitmap, ascending, as an array (copied in C)."""
    return np.asarray(bits.to_array(), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Selection:
    """The selected ids (ascending) and, by id, where each sits among them."""

    bits: BitMap
    ids: Ids
    where: Ids

    @classmethod
    def of(cls, bits: BitMap, size: int) -> _Selection:
        """Index `bits` (`size`: one more than the largest id of the corpus)."""
        ids = array_of(bits)
        where = np.empty(max(size, int(ids[-1]) + 1 if len(ids) else 0), dtype=np.int64)
        where[ids] = np.arange(len(ids), dtype=np.int64)
        return cls(bits, ids, where)

    def positions(self, bits: BitMap) -> Ids:
        """Where the selected members of `bits` sit in `ids`."""
        return self.where[array_of(bits & self.bits)]


def _scores(selection: _Selection, clauses: tuple[ScoredClause, ...],
            corpus: Corpus) -> npt.NDArray[np.float64]:
    """bm25 of each selected product: per clause, the weights of the columns it matches in (as
    FTS5's bm25 weighs columns, each match counted once), over the product's length."""
    total = np.zeros(len(selection.ids), dtype=np.float64)
    if not clauses:
        return total
    norm = K1 * (1 - B + B * corpus.length[selection.ids] / corpus.average_length)
    for clause in clauses:
        weight = np.zeros(len(selection.ids), dtype=np.float64)
        for column_weight, bits in clause.columns:
            weight[selection.positions(bits)] += column_weight
        total += clause.idf * weight * (K1 + 1) / (weight + norm)
    return total


def _top(primary: npt.NDArray[np.float64], place: Ids, offset: int, limit: int) -> Ids:
    """Indexes of the page `offset`..`offset + limit` by `primary` ascending, ties by `place`.

    Only what can reach the page is fully sorted: everything ranked before the page's last
    primary value, and of the ties at that value only as many as fit, by place (a lone letter's
    tier can hold half the catalog, all tied).
    """
    need = offset + limit
    candidates = np.arange(len(primary))
    if need < len(primary):
        bound = np.partition(primary, need - 1)[need - 1]
        before = np.flatnonzero(primary < bound)
        ties = np.flatnonzero(primary == bound)
        room = need - len(before)
        if len(ties) > room:
            ties = ties[np.argpartition(place[ties], room - 1)[:room]]
        candidates = np.concatenate((before, ties))
    ordered = candidates[np.lexsort((place[candidates], primary[candidates]))]
    return ordered[offset:need]


def ranked_page(selected: BitMap, tiers: tuple[BitMap, ...], clauses: tuple[ScoredClause, ...],
                corpus: Corpus, offset: int, limit: int) -> list[int]:
    """A page of `selected` by tier, then bm25, then standing."""
    selection = _Selection.of(selected, len(corpus.length))
    ids = selection.ids
    tier = np.full(len(ids), len(tiers), dtype=np.float64)
    for number, bits in enumerate(tiers):
        tier[selection.positions(bits)] = number
    primary = tier * TIER_SPAN - _scores(selection, clauses, corpus)
    chosen = _top(primary, corpus.places["standing"][ids], offset, limit)
    return [int(pid) for pid in ids[chosen]]


def sorted_page(selected: BitMap, order: str, corpus: Corpus, offset: int, limit: int) -> list[int]:
    """A page of `selected` in one of the stored orders (places are unique: no ties); the whole
    catalog (no text, no filter: the default listing) is a slice of the order itself."""
    if len(selected) == corpus.count:
        return [int(pid) for pid in corpus.orders[order][offset:offset + limit]]
    ids = array_of(selected)
    place = corpus.places[order][ids]
    need = offset + limit
    if need < len(ids):
        candidates = np.argpartition(place, need - 1)[:need]
    else:
        candidates = np.arange(len(ids))
    chosen = candidates[np.argsort(place[candidates])][offset:need]
    return [int(pid) for pid in ids[chosen]]

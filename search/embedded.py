"""The embedded search engine: an FTS5 index in its own SQLite file, zero set-up.

Documents live in a plain table (filter columns indexed), multi-valued fields in
`doc_value`, and text in an FTS5 table with an exact and a folded column per field. A
search materialises the text matches and the filtered ids in per-connection temp tables,
then counts facets from them. Each thread gets its own connection (FastAPI's threadpool).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from app.domain.provinces import province_by_slug
from app.domain.text import fold, normalize
from search.documents import ProductDocument, date_key
from search.embedded_sql import (
    DROP_SCHEMA,
    SCHEMA,
    SCHEMA_VERSION,
    TEMP_SCHEMA,
    Condition,
    did_you_mean,
    facet_statement,
    filter_conditions,
)
from search.engine import FACET_FIELDS, SearchHit, SearchQuery, SearchResult, SearchUnavailable, SortOrder
from search.fts_query import COLUMN_WEIGHTS, FTS_COLUMNS, compact_number, parse_query
from search.highlight import highlight_name

BUSY_TIMEOUT_SECONDS = 5.0
_INSERT_FTS = (
    f"INSERT INTO doc_fts (rowid, {', '.join(FTS_COLUMNS)}) "  # noqa: S608 - constant SQL, values bound
    f"VALUES (?, {', '.join('?' for _ in FTS_COLUMNS)})"
)
_RANK = f"bm25(doc_fts, {', '.join(str(w) for w in COLUMN_WEIGHTS)})"


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    """Turn any SQLite error into SearchUnavailable, the one error callers handle."""
    try:
        yield
    except sqlite3.Error as error:
        raise SearchUnavailable(f"embedded search index error: {error}") from error


def _fts_row(doc: ProductDocument) -> tuple[object, ...]:
    """The FTS5 values of a document, in FTS_COLUMNS order."""
    numbers = [*doc["certificate_numbers"], *doc["certificate_codes"], *doc["decision_numbers"]]
    province_names = [doc["province_name"]]
    for slug in doc["certified_provinces"]:
        former = province_by_slug(slug)
        if former is not None and former.name not in province_names:
            province_names.append(former.name)
    fields = (doc["name"], doc["producer_name"], " ".join(numbers), doc["description"],
              " ".join(province_names))
    pairs = [(normalize(text), fold(text)) for text in fields]
    compact = " ".join(compact_number(n) for n in numbers)
    return (doc["id"], *(value for pair in pairs for value in pair), compact)


def _value_rows(doc: ProductDocument) -> list[tuple[str, str, int]]:
    """(field, value, id) rows of the multi-valued fields that filters and facets use."""
    rows = [("level", level, doc["id"]) for level in doc["levels"]]
    rows += [("year", str(year), doc["id"]) for year in doc["years"]]
    rows += [("certified_province", slug, doc["id"]) for slug in doc["certified_provinces"]]
    return rows


def _doc_row(doc: ProductDocument) -> tuple[object, ...]:
    """The narrow `doc` row (filter and sort columns) that facet scans read."""
    return (doc["id"], doc["province"], doc["group"], doc["valid_through"], doc["revoked_on"],
            doc["latest_issued"], fold(doc["name"]), doc["fingerprint"])


def _order_by(query: SearchQuery, *, has_text: bool) -> str:
    """ORDER BY clause: bm25 then newest, newest, or folded name."""
    if query.sort == SortOrder.name:
        return "d.name_key, d.id"
    if query.sort == SortOrder.relevance and has_text:
        return "m.rank, d.latest_issued DESC, d.id DESC"
    return "d.latest_issued DESC, d.id DESC"


def _source(conditions: dict[str, Condition], *, has_text: bool,
            skip: str | None = None) -> tuple[str | None, list[object]]:
    """A query of the ids passing the text match and every filter but `skip`; None: every document."""
    parts = [(sql, params) for field, (sql, params) in conditions.items() if field != skip]
    if not has_text and not parts:
        return None, []
    join = " JOIN temp.matched m ON m.id = d.id" if has_text else ""
    where = " AND ".join(sql for sql, _ in parts) or "1"
    return f"SELECT d.id FROM doc d{join} WHERE {where}", [p for _, ps in parts for p in ps]  # noqa: S608 - constant SQL, values bound


def _page(conn: sqlite3.Connection, query: SearchQuery, *, has_text: bool, everything: bool,
          words: list[str]) -> list[SearchHit]:
    """The requested page: ids from the narrow tables first, then only those bodies."""
    joins = "" if everything else " JOIN temp.selected s ON s.id = d.id"
    joins += " JOIN temp.matched m ON m.id = d.id" if has_text else ""
    ids = [row[0] for row in conn.execute(
        f"SELECT d.id FROM doc d{joins} ORDER BY {_order_by(query, has_text=has_text)} LIMIT ? OFFSET ?",  # noqa: S608 - constant SQL, values bound
        (max(query.per_page, 0), max(query.offset, 0)),
    )]
    bodies = dict(conn.execute(
        f"SELECT id, body FROM doc_body WHERE id IN ({', '.join('?' for _ in ids)})", ids,  # noqa: S608 - constant SQL, values bound
    ).fetchall())
    documents = [cast(ProductDocument, json.loads(bodies[i])) for i in ids]
    return [SearchHit(document=doc, name_highlighted=highlight_name(doc["name"], words)) for doc in documents]


def _facets(conn: sqlite3.Connection, query: SearchQuery, conditions: dict[str, Condition], *,
            has_text: bool, everything: bool) -> dict[str, dict[str, int]]:
    """Counts per value of every facet field, under every filter but the field's own."""
    facets: dict[str, dict[str, int]] = {}
    for field in FACET_FIELDS:
        source: str | None
        if field in conditions:
            source, params = _source(conditions, has_text=has_text, skip=field)
        else:
            source, params = (None if everything else "SELECT id FROM temp.selected"), []
        sql, all_params = facet_statement(field, source, params, date_key(query.today))
        facets[field] = {str(value): int(count) for value, count in conn.execute(sql, all_params)}
    return facets


class EmbeddedEngine:
    """SearchEngine over a local SQLite FTS5 file (WAL), one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        path.parent.mkdir(parents=True, exist_ok=True)
        with _unavailable_on_error():
            self._create_schema(self._connection())

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        """Create the tables; a file of another schema version is emptied (it is derived data)."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version != SCHEMA_VERSION:
            conn.executescript(DROP_SCHEMA)
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        if self._closed:
            raise SearchUnavailable("the embedded search engine is closed")
        conn = cast(sqlite3.Connection | None, getattr(self._local, "conn", None))
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.executescript(TEMP_SCHEMA)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection; SQLite errors become SearchUnavailable."""
        with _unavailable_on_error():
            conn = self._connection()
            conn.execute(begin)
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def upsert(self, documents: Sequence[ProductDocument]) -> None:
        """Add or replace documents by `id`, all in one transaction."""
        if not documents:
            return
        with self._transaction() as conn:
            self._delete_rows(conn, [doc["id"] for doc in documents])
            conn.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [_doc_row(doc) for doc in documents])
            conn.executemany("INSERT INTO doc_body (id, body) VALUES (?, ?)",
                             [(doc["id"], json.dumps(doc, ensure_ascii=False)) for doc in documents])
            conn.executemany("INSERT INTO doc_value (field, value, doc_id) VALUES (?, ?, ?)",
                             [row for doc in documents for row in _value_rows(doc)])
            conn.executemany(_INSERT_FTS, [_fts_row(doc) for doc in documents])

    @staticmethod
    def _delete_rows(conn: sqlite3.Connection, ids: list[int]) -> None:
        """Remove these ids from every table (inside the caller's transaction)."""
        params = [(i,) for i in ids]
        conn.executemany("DELETE FROM doc_fts WHERE rowid = ?", params)
        conn.executemany("DELETE FROM doc_value WHERE doc_id = ?", params)
        conn.executemany("DELETE FROM doc_body WHERE id = ?", params)
        conn.executemany("DELETE FROM doc WHERE id = ?", params)

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by product id; missing ids are ignored."""
        id_list = list(ids)
        if id_list:
            with self._transaction() as conn:
                self._delete_rows(conn, id_list)

    def clear(self) -> None:
        """Remove every document (before a full reindex)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM doc_fts")
            conn.execute("DELETE FROM doc_value")
            conn.execute("DELETE FROM doc_body")
            conn.execute("DELETE FROM doc")

    def fingerprints(self) -> dict[int, str]:
        """Product id → fingerprint of every indexed document."""
        with self._transaction("BEGIN") as conn:
            return dict(conn.execute("SELECT id, fingerprint FROM doc").fetchall())

    def search(self, query: SearchQuery) -> SearchResult:
        """Text match, filters, disjunctive facets, sort and page, from one read snapshot."""
        parsed = parse_query(query.text)
        with self._transaction("BEGIN") as conn:
            has_text = bool(parsed.match)
            if has_text:
                rank = _RANK if query.sort == SortOrder.relevance else "0"
                conn.execute("DELETE FROM temp.matched")
                conn.execute(f"INSERT INTO temp.matched (id, rank) SELECT rowid, {rank} FROM doc_fts "  # noqa: S608 - constant SQL, values bound
                             "WHERE doc_fts MATCH ?", (parsed.match,))
            conditions = filter_conditions(query)
            source, params = _source(conditions, has_text=has_text)
            if source is not None:
                conn.execute("DELETE FROM temp.selected")
                conn.execute(f"INSERT INTO temp.selected (id) {source}", params)
            selected = "doc" if source is None else "temp.selected"
            total = int(conn.execute(f"SELECT count(*) FROM {selected}").fetchone()[0])  # noqa: S608 - constant SQL
            hits = _page(conn, query, has_text=has_text, everything=source is None, words=parsed.words)
            facets = _facets(conn, query, conditions, has_text=has_text, everything=source is None)
            suggestion = did_you_mean(conn, parsed.words) if total == 0 and parsed.words else None
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def close(self) -> None:
        """Close every thread's connection; later calls raise SearchUnavailable."""
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()

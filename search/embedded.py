"""The embedded search engine: roaring bitmaps in its own SQLite file, zero set-up.

Text matches are ANDs and ORs of per-word bitmaps (search/embedded_terms.py,
search/embedded_text.py); filters and disjunctive facet counts are AND/OR/cardinality over
per-value bitmaps (search/embedded_bits.py) cached per index generation; a page is a partial
sort in numpy of the selected ids by tier, bm25 and standing, or by a stored order
(search/embedded_rank.py). Nothing walks the matches in Python, so a query's cost hardly
grows with how many products match. Whole results are kept per process
(search/result_cache.py), keyed on the generation and the day. Each thread gets its own
connection (FastAPI's threadpool).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import orjson

from search.collector import collector_paused
from search.documents import ProductDocument, date_key, valid_through
from search.embedded_bits import (
    FacetBits,
    StatusBits,
    add_bit_values,
    facet_counts,
    filter_bits,
    intersect,
    load_facet_bits,
    status_bits,
    update_facet_bits,
    validity_rows,
    write_new_facet_bits,
)
from search.embedded_build import DocRow, builder_for, doc_row, sent
from search.embedded_pages import page_hits, page_ids
from search.embedded_rank import Corpus
from search.embedded_sql import (
    BUMP_GENERATION,
    CONNECTION_PRAGMAS,
    DROP_SCHEMA,
    INDEXES,
    READ_GENERATION,
    SCHEMA,
    SCHEMA_VERSION,
    SEED_META,
    TABLES,
)
from search.embedded_terms import (
    TEXT_COLUMNS,
    IndexedText,
    texts_of,
    update_text_bits,
)
from search.embedded_text import TEXT_CACHE_ENTRIES, TextCache, TextMatch, match_text
from search.embedded_typos import add_terms, did_you_mean, vocabulary_words
from search.engine import SearchQuery, SearchResult, SearchUnavailable, SortOrder
from search.result_cache import DEFAULT_MAX_ENTRIES, ResultCache, result_key
from search.text_query import ParsedQuery, parse_query, query_words

BUSY_TIMEOUT_SECONDS = 5.0
_INSTANCES = itertools.count(1)  # tells engine instances apart in result cache keys


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    """Turn any SQLite error into SearchUnavailable, the one error callers handle."""
    try:
        yield
    except sqlite3.Error as error:
        raise SearchUnavailable(f"embedded search index error: {error}") from error


def _statements(script: str) -> list[str]:
    """The statements of a schema script (no statement of ours holds a semicolon)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def _delete_rows(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Remove these ids from the row tables (inside the caller's transaction)."""
    params = [(i,) for i in ids]
    conn.executemany("DELETE FROM doc_body WHERE id = ?", params)
    conn.executemany("DELETE FROM doc_run WHERE id = ?", params)
    conn.executemany("DELETE FROM doc_level WHERE id = ?", params)
    conn.executemany("DELETE FROM doc WHERE id = ?", params)


def _insert_rows(conn: sqlite3.Connection, documents: Sequence[ProductDocument],
                 lengths: Sequence[int]) -> None:
    """Insert the rows of documents not in the index yet (inside the caller's transaction);
    `lengths`: each document's length in words."""
    _insert_docs(conn, [(*doc_row(doc, valid_through(doc)), length)
                        for doc, length in zip(documents, lengths, strict=True)])
    _insert_details(conn, documents)


def _insert_docs(conn: sqlite3.Connection, rows: Sequence[DocRow]) -> None:
    """Insert `doc` rows (search/embedded_build.py `doc_row`, then the length in words)."""
    conn.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _insert_details(conn: sqlite3.Connection, documents: Sequence[ProductDocument]) -> None:
    """Insert the validity rows and bodies of documents not in the index yet."""
    validity = [validity_rows(doc) for doc in documents]
    conn.executemany("INSERT INTO doc_run VALUES (?, ?, ?, ?)", [r for runs, _ in validity for r in runs])
    conn.executemany("INSERT INTO doc_level VALUES (?, ?, ?)", [r for _, lv in validity for r in lv])
    conn.executemany("INSERT INTO doc_body (id, body) VALUES (?, ?)",
                     [(doc["id"], orjson.dumps(doc)) for doc in documents])  # bytes: no decoding, either way


def _stored_rows(conn: sqlite3.Connection, ids: list[int]) -> _Rows:
    """The stored versions of these documents, with their indexed text: what a write must clear."""
    rows = conn.execute("SELECT b.id, b.body FROM json_each(?) AS j CROSS JOIN doc_body AS b "
                        "ON b.id = j.value", (json.dumps(ids),))
    return _Rows.of([cast(ProductDocument, orjson.loads(body)) for _, body in rows])


def _bit_values(rows: _Rows) -> dict[tuple[str, str], list[int]]:
    """(field, value) → ids of the documents of `rows` in that bitset."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    add_bit_values(found, rows.documents, rows.folded)
    return found


@dataclass(frozen=True)
class _Rows:
    """Documents with their indexed text and vocabulary words, ready to write."""

    documents: Sequence[ProductDocument]
    texts: dict[int, IndexedText]
    words: set[str]

    @property
    def folded(self) -> list[Sequence[frozenset[str]]]:
        """The words of each document's folded searchable texts, name first (first-letter bitmaps)."""
        return [self.texts[doc["id"]].folded for doc in self.documents]

    @classmethod
    def of(cls, documents: Sequence[ProductDocument]) -> _Rows:
        """Build the rows of `documents`."""
        texts = texts_of(documents)
        words: set[str] = set()
        for text in texts.values():
            words.update(*(text.words[column] for column in TEXT_COLUMNS))
        return cls(documents, texts, vocabulary_words(words))


class EmbeddedEngine:
    """SearchEngine over a local SQLite file of bitmaps (WAL), one connection per thread."""

    def __init__(self, path: Path, *, cache_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.path = path
        self.results = ResultCache(cache_entries)
        self._texts = TextCache(TEXT_CACHE_ENTRIES)
        self._instance = next(_INSTANCES)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self._bits: FacetBits | None = None
        self._status: tuple[tuple[int, int], StatusBits] | None = None
        self._corpus: tuple[int, Corpus] | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        with _unavailable_on_error():
            self._create_schema(self._connection())

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        """Create the tables; a file of another schema version is emptied (it is derived data).

        A file already at this version is only read: opening the engine never takes the write
        lock, so it neither waits for a running reindex nor holds up one.
        """
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == SCHEMA_VERSION:  # set last, after the whole schema was written
            return
        conn.executescript(DROP_SCHEMA)  # another version, or a creation cut short: derived data
        conn.executescript(SCHEMA)
        conn.execute(SEED_META)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        if self._closed:
            raise SearchUnavailable("the embedded search engine is closed")
        conn = cast(sqlite3.Connection | None, getattr(self._local, "conn", None))
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
            for pragma in CONNECTION_PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _nowait_connection(self) -> sqlite3.Connection:
        """This thread's read-only connection that never waits for a lock (busy timeout 0)."""
        conn = cast(sqlite3.Connection | None, getattr(self._local, "nowait", None))
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only=1")
            self._local.nowait = conn
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
        rows = _Rows.of(documents)  # built before the write lock is taken
        with self._transaction() as conn:
            self._write_rows(conn, rows)

    @staticmethod
    def _write_rows(conn: sqlite3.Connection, rows: _Rows) -> None:
        """Add or replace the documents of `rows` (inside the caller's transaction)."""
        ids = [doc["id"] for doc in rows.documents]
        stored = _stored_rows(conn, ids)
        _delete_rows(conn, ids)
        _insert_rows(conn, rows.documents, [rows.texts[pid].length for pid in ids])
        update_text_bits(conn, stored.texts, rows.texts)
        add_terms(conn, rows.words)
        update_facet_bits(conn, _bit_values(stored), _bit_values(rows))
        conn.execute(BUMP_GENERATION)

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by product id; missing ids are ignored."""
        id_list = list(ids)
        if id_list:
            with self._transaction() as conn:
                stored = _stored_rows(conn, id_list)
                update_text_bits(conn, stored.texts, {})
                _delete_rows(conn, id_list)
                update_facet_bits(conn, _bit_values(stored), {})
                conn.execute(BUMP_GENERATION)

    def clear(self) -> None:
        """Remove every document."""
        with self._transaction() as conn:
            self._clear_rows(conn)

    @staticmethod
    def _clear_rows(conn: sqlite3.Connection, *, indexes: bool = True) -> None:
        """Empty every table, the generation moving on (inside the caller's transaction); without
        `indexes`, the caller creates them (INDEXES) once it has filled the tables."""
        generation = int(conn.execute(READ_GENERATION).fetchone()[0])
        for statement in _statements(DROP_SCHEMA + (SCHEMA if indexes else TABLES)):  # faster than deleting
            conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('generation', ?)", (generation + 1,))

    def replace_all(self, batches: Iterable[Sequence[ProductDocument]]) -> int:
        """Empty the index and fill it from `batches`, all in one write transaction.

        WAL readers (the site) keep answering from the old index until the commit, and a
        killed or failing reindex rolls back to it whole. Other writers wait for the lock
        meanwhile; the app's indexing gives up after its busy timeout and leaves its outbox
        rows for the next replay.
        """
        written = 0
        # The transaction innermost: it commits while the second process ends (frees its memory).
        with (collector_paused(), builder_for(batches) as (builder, batches_read),  # no cycles, many objects
              self._transaction() as conn):
            # Emptied here, not from the writer thread below: dropping the tables there while the
            # first batches were sent cost 75 MB more peak memory and saved no time (measured).
            self._clear_rows(conn, indexes=False)
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-rows") as rows_writer:
                writing: Future[None] | None = None
                for documents in batches_read:  # an empty index: nothing to delete, the rest at the end
                    if documents:
                        builder.add([sent(doc) for doc in documents])  # first: the other process starts on it
                        if writing is not None:
                            writing.result()  # the batch before is in (or its error raised here)
                        # SQLite writes without holding Python's lock: the next batch is built meanwhile.
                        writing = rows_writer.submit(_insert_details, conn, documents)
                        written += len(documents)
                if writing is not None:
                    writing.result()
            _insert_docs(conn, builder.docs())  # and every index, while a second process makes the text rows
            for statement in _statements(INDEXES):
                conn.execute(statement)
            built = builder.finish(lambda table, found: conn.executemany(
                f"INSERT INTO {table} (term, col, bits) VALUES (?, ?, ?)", found))  # noqa: S608 - our tables
            add_terms(conn, built.vocabulary)
            write_new_facet_bits(conn, built.facets)
            conn.execute(BUMP_GENERATION)
        return written

    def fingerprints(self) -> dict[int, str]:
        """Product id → fingerprint of every indexed document."""
        with self._transaction("BEGIN") as conn:
            return dict(conn.execute("SELECT id, fingerprint FROM doc").fetchall())

    def _facet_bits(self, conn: sqlite3.Connection) -> FacetBits:
        """The bitsets of the snapshot's generation, read once per generation."""
        generation = int(conn.execute(READ_GENERATION).fetchone()[0])
        cached = self._bits
        if cached is None or cached.generation != generation:
            cached = self._bits = load_facet_bits(conn, generation)
        return cached

    def _status_bits(self, conn: sqlite3.Connection, bits: FacetBits, today: int) -> StatusBits:
        """Status bitsets of `today`, computed once per generation and day."""
        key = (bits.generation, today)
        cached = self._status
        if cached is None or cached[0] != key:
            cached = self._status = (key, status_bits(conn, bits, today))
        return cached[1]

    def _corpus_of(self, conn: sqlite3.Connection, generation: int) -> Corpus:
        """Lengths and sort places of the products, read once per generation."""
        cached = self._corpus
        if cached is None or cached[0] != generation:
            cached = self._corpus = (generation, Corpus.load(conn))
        return cached[1]

    def _text_match(self, conn: sqlite3.Connection, generation: int, query: SearchQuery,
                    parsed: ParsedQuery) -> TextMatch:
        """The text's matches (and order) at this generation: computed once, shared by every
        filter and page of the same words."""
        relevance = query.sort == SortOrder.relevance
        key = (generation, tuple(parsed.words), relevance)
        text = self._texts.get(key)
        if text is None:
            text = match_text(conn, query.text, parsed, self._facet_bits(conn), relevance=relevance)
            self._texts.put(key, text)
        return text

    def search(self, query: SearchQuery) -> SearchResult:
        """Text match, filters, disjunctive facets, sort and page; from the result cache when the
        index is at the generation the stored result was computed on (one cheap read), else computed."""
        with _unavailable_on_error():
            generation = int(self._connection().execute(READ_GENERATION).fetchone()[0])
        cached = self.results.get(result_key(self._instance, generation, query, query_words(query.text)))
        return cached if cached is not None else self._computed(query)

    def cached(self, query: SearchQuery) -> SearchResult | None:
        """The stored result of `query` while the index is at its generation; None otherwise.

        Safe on the event loop: the generation is read on a connection with a zero busy
        timeout, so a locked, closed or broken file answers None at once (the caller then
        searches in a worker thread, which waits or raises as `search` does).
        """
        if self._closed:
            return None
        try:
            row = self._nowait_connection().execute(READ_GENERATION).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        return self.results.get(result_key(self._instance, int(row[0]), query, query_words(query.text)))

    def _computed(self, query: SearchQuery) -> SearchResult:
        """Run the query on one read snapshot and store the result under that snapshot's generation."""
        parsed = parse_query(query.text)
        with self._transaction("BEGIN") as conn:
            bits = self._facet_bits(conn)
            key = result_key(self._instance, bits.generation, query, parsed.words)
            status = self._status_bits(conn, bits, date_key(query.today))
            text = self._text_match(conn, bits.generation, query, parsed) if parsed.match else None
            base = bits.everything if text is None else text.bits & bits.everything
            filters = filter_bits(query, bits, status)
            selected = intersect(base, filters)
            total = len(selected)
            ids = page_ids(query, text, selected, self._corpus_of(conn, bits.generation))
            hits = page_hits(conn, ids, parsed.words, text.typos if text else {})
            facets = facet_counts(query, bits, status, base, filters)
            exact = selected if text is None else selected & text.strict
            exact_hits = total if exact == selected else len(exact)
            suggestion = did_you_mean(conn, parsed.words) if parsed.words and exact_hits == 0 else None
        result = SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion, cache_key=key)
        self.results.put(key, result)
        return result

    def close(self) -> None:
        """Close every thread's connection; later calls raise SearchUnavailable."""
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()

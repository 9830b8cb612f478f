"""Schema of the embedded engine's SQLite file, and the pragmas its connections use.

`doc` holds the sort columns and each document's length in words, `doc_run` and `doc_level`
each document's validity summary (app/domain/standing.py: runs of valid days and the last
revocation, per level), `doc_body` the JSON documents (UTF-8), `term_bits` and `pair_bits` the text
index (a bitmap per word, or pair of words side by side, and column: search/embedded_terms.py),
`facet_bits` one bitset per facet value (bit n = product id n), `term_delete` the one-deletion
neighbourhood of every indexed word (typo tolerance, SymSpell style) and `meta` a generation
number bumped by every write.
"""

from __future__ import annotations

# Bumped when the layout changes: an index file of another version is dropped and rebuilt empty.
# Bump it too when the keys a document adds change (embedded_bits.document_bit_values,
# embedded_terms.column_words): a write clears a replaced document's bits by recomputing its keys
# from its stored body, which is only right if they are computed as when it was written.
SCHEMA_VERSION = 10  # 5: address columns; 6: doc.valid_through; 7-8: roaring bitmaps; 9: text bitmaps,
# no FTS5; 10: a number's one word stored once (embedded_terms.SAME_NUMBER), bodies as UTF-8 bytes
DROP_SCHEMA = """
DROP TABLE IF EXISTS doc_vocab;
DROP TABLE IF EXISTS doc_fts;
DROP TABLE IF EXISTS doc_value;
DROP TABLE IF EXISTS doc_body;
DROP TABLE IF EXISTS doc_run;
DROP TABLE IF EXISTS doc_level;
DROP TABLE IF EXISTS doc;
DROP TABLE IF EXISTS facet_bits;
DROP TABLE IF EXISTS term_bits;
DROP TABLE IF EXISTS pair_bits;
DROP TABLE IF EXISTS term_delete;
DROP TABLE IF EXISTS meta;
"""
TABLES = """
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL,
    grp TEXT NOT NULL,
    latest_issued INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    valid_through INTEGER NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_body (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS doc_run (
    id INTEGER NOT NULL,
    level TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_level (
    id INTEGER NOT NULL,
    level TEXT NOT NULL,
    revoked_on INTEGER NOT NULL,
    PRIMARY KEY (id, level)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS facet_bits (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    bits BLOB NOT NULL,
    PRIMARY KEY (field, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_delete (
    variant TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (variant, term)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_bits (
    term TEXT NOT NULL,
    col INTEGER NOT NULL,
    bits BLOB NOT NULL,
    PRIMARY KEY (term, col)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pair_bits (
    term TEXT NOT NULL,
    col INTEGER NOT NULL,
    bits BLOB NOT NULL,
    PRIMARY KEY (term, col)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
"""
# Apart from the tables: a full rebuild creates them once its rows are in (sorting them once costs
# less than keeping each index in order row after row).
INDEXES = """
CREATE INDEX IF NOT EXISTS doc_run_id ON doc_run (id);
CREATE INDEX IF NOT EXISTS doc_run_last ON doc_run (last, first);
CREATE INDEX IF NOT EXISTS doc_level_revoked ON doc_level (revoked_on) WHERE revoked_on > 0;
CREATE INDEX IF NOT EXISTS doc_newest ON doc (latest_issued DESC, id DESC);
CREATE INDEX IF NOT EXISTS doc_name ON doc (name_key, id);
CREATE INDEX IF NOT EXISTS doc_standing ON doc (valid_through DESC, latest_issued DESC, id DESC);
"""
SCHEMA = TABLES + INDEXES
SEED_META = "INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0)"
# Read-mostly file: map it, keep a generous page cache, temp b-trees in memory.
CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA mmap_size=268435456",
    "PRAGMA cache_size=-65536",
)
BUMP_GENERATION = "UPDATE meta SET value = value + 1 WHERE key = 'generation'"
READ_GENERATION = "SELECT value FROM meta WHERE key = 'generation'"
# Sort orders over `doc d` (each backed by an index). "standing": valid longest, then newest,
# then the higher id: how equally relevant matches are ordered.
ORDERS = {
    "standing": "d.valid_through DESC, d.latest_issued DESC, d.id DESC",
    "newest": "d.latest_issued DESC, d.id DESC",
    "name": "d.name_key, d.id",
}

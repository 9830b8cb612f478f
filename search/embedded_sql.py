"""SQL pieces of the embedded engine: schema, filter conditions, facet counts, "did you mean".

Filters are SQL conditions on the `doc d` row (multi-valued fields through `doc_value`),
evaluated against the query's `today`, so validity is never a stored boolean.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.domain.provinces import province_by_slug
from app.domain.text import fold
from search.documents import date_key
from search.engine import SearchQuery, StatusFilter
from search.fts_query import FTS_COLUMNS

# Bumped when the layout changes: an index file of another version is dropped and rebuilt empty.
SCHEMA_VERSION = 2
DROP_SCHEMA = """
DROP TABLE IF EXISTS doc_vocab;
DROP TABLE IF EXISTS doc_fts;
DROP TABLE IF EXISTS doc_value;
DROP TABLE IF EXISTS doc_body;
DROP TABLE IF EXISTS doc;
"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL,
    grp TEXT NOT NULL,
    valid_through INTEGER NOT NULL,
    revoked_on INTEGER NOT NULL,
    latest_issued INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_body (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_province ON doc (province);
CREATE INDEX IF NOT EXISTS doc_grp ON doc (grp);
CREATE INDEX IF NOT EXISTS doc_status ON doc (valid_through, revoked_on);
CREATE INDEX IF NOT EXISTS doc_newest ON doc (latest_issued DESC, id DESC);
CREATE INDEX IF NOT EXISTS doc_name ON doc (name_key, id);
CREATE TABLE IF NOT EXISTS doc_value (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    doc_id INTEGER NOT NULL,
    PRIMARY KEY (field, value, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_value_doc ON doc_value (doc_id, field, value);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_fts USING fts5(
    {", ".join(FTS_COLUMNS)},
    tokenize = "unicode61 remove_diacritics 0",
    prefix = '2 3 4'
);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_vocab USING fts5vocab(doc_fts, row);
"""
TEMP_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS matched (id INTEGER PRIMARY KEY, rank REAL NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS selected (id INTEGER PRIMARY KEY);
"""
STATUS_CASE = (
    "CASE WHEN d.valid_through >= ? THEN 'valid' "
    "WHEN d.revoked_on > 0 AND d.revoked_on <= ? THEN 'revoked' ELSE 'expired' END"
)
_STATUS_CONDITIONS: dict[StatusFilter, str] = {
    StatusFilter.valid: "d.valid_through >= ?",
    StatusFilter.revoked: "d.valid_through < ? AND d.revoked_on > 0 AND d.revoked_on <= ?",
    StatusFilter.expired: "d.valid_through < ? AND NOT (d.revoked_on > 0 AND d.revoked_on <= ?)",
}
_MULTI_VALUED_FACETS = {"level": "level", "year": "year"}
_SINGLE_VALUED_FACETS = {"province": "d.province", "group": "d.grp"}

Condition = tuple[str, list[object]]


def _marks(values: Sequence[object]) -> str:
    """'?, ?, ?' for an IN list."""
    return ", ".join("?" for _ in values)


def _value_condition(field: str, values: Sequence[str]) -> Condition:
    """The document has one of `values` in the multi-valued `field`."""
    sql = f"d.id IN (SELECT doc_id FROM doc_value WHERE field = ? AND value IN ({_marks(values)}))"  # noqa: S608 - constant SQL, values bound
    return sql, [field, *values]


def _province_condition(slugs: Sequence[str]) -> Condition:
    """A current province matches products now in it; a former one, products certified there."""
    former = [s for s in slugs if (p := province_by_slug(s)) is not None and not p.is_current]
    current = [s for s in slugs if s not in former]
    parts: list[str] = []
    params: list[object] = []
    if current:
        parts.append(f"d.province IN ({_marks(current)})")
        params.extend(current)
    if former:
        sql, more = _value_condition("certified_province", former)
        parts.append(sql)
        params.extend(more)
    return "(" + " OR ".join(parts) + ")", params


def filter_conditions(query: SearchQuery) -> dict[str, Condition]:
    """Facet field → its SQL condition, for the filters the query sets."""
    conditions: dict[str, Condition] = {}
    if query.provinces:
        conditions["province"] = _province_condition(query.provinces)
    if query.groups:
        conditions["group"] = (f"d.grp IN ({_marks(query.groups)})", list(query.groups))
    if query.levels:
        conditions["level"] = _value_condition("level", query.levels)
    if query.years:
        conditions["year"] = _value_condition("year", [str(y) for y in query.years])
    if query.status != StatusFilter.all:
        today = date_key(query.today)
        sql = _STATUS_CONDITIONS[query.status]
        conditions["status"] = (sql, [today] * sql.count("?"))
    return conditions


def _facet_over_everything(field: str, today: int) -> Condition:
    """SQL counting every document per value of `field`, straight from the indexes."""
    if field in _MULTI_VALUED_FACETS:
        return ("SELECT value, count(*) FROM doc_value WHERE field = ? GROUP BY value",
                [_MULTI_VALUED_FACETS[field]])
    if field == "status":
        return f"SELECT {STATUS_CASE}, count(*) FROM doc d GROUP BY 1", [today, today]  # noqa: S608 - constant SQL, values bound
    return f"SELECT {_SINGLE_VALUED_FACETS[field]}, count(*) FROM doc d GROUP BY 1", []  # noqa: S608 - constant SQL


def facet_statement(field: str, source: str | None, source_params: list[object], today: int) -> Condition:
    """SQL counting documents of `source` (a query of ids; None: all) per value of `field`."""
    if source is None:
        return _facet_over_everything(field, today)
    if field in _MULTI_VALUED_FACETS:
        sql = (f"SELECT v.value, count(*) FROM ({source}) s JOIN doc_value v "  # noqa: S608 - constant SQL, values bound
               "ON v.doc_id = s.id AND v.field = ? GROUP BY v.value")
        return sql, [*source_params, _MULTI_VALUED_FACETS[field]]
    if field == "status":
        sql = f"SELECT {STATUS_CASE}, count(*) FROM ({source}) s JOIN doc d ON d.id = s.id GROUP BY 1"  # noqa: S608 - constant SQL, values bound
        return sql, [today, today, *source_params]
    column = _SINGLE_VALUED_FACETS[field]
    sql = f"SELECT {column}, count(*) FROM ({source}) s JOIN doc d ON d.id = s.id GROUP BY 1"  # noqa: S608 - constant SQL, values bound
    return sql, source_params


def within_one_edit(a: str, b: str) -> bool:
    """True if `b` is `a` with at most one character inserted, deleted or replaced."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]
    return True


def _closest_term(conn: sqlite3.Connection, word: str) -> str | None:
    """The most common indexed term one edit away from `word` (same first letter), or None."""
    rows = conn.execute(
        "SELECT term, doc FROM doc_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
        (word[0], chr(ord(word[0]) + 1), len(word) - 1, len(word) + 1),
    ).fetchall()
    close = [(count, term) for term, count in rows if term != word and within_one_edit(word, term)]
    return max(close)[1] if close else None


def _is_indexed_term(conn: sqlite3.Connection, word: str) -> bool:
    """True if `word` is a term of the index, as typed or folded."""
    found = conn.execute("SELECT 1 FROM doc_vocab WHERE term IN (?, ?) LIMIT 1", (word, fold(word)))
    return found.fetchone() is not None


def did_you_mean(conn: sqlite3.Connection, words: Sequence[str]) -> str | None:
    """The query with unknown words of 5+ letters replaced by an indexed term one edit away."""
    corrected: list[str] = []
    for word in words:
        replacement = None
        if len(word) >= 5 and not _is_indexed_term(conn, word):
            replacement = _closest_term(conn, word) or _closest_term(conn, fold(word))
        corrected.append(replacement or word)
    return " ".join(corrected) if list(words) != corrected else None

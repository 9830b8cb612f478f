"""Typo tolerance and "did you mean" for the embedded engine, from the index's own vocabulary.

At index time every word of the text fields (exact and folded forms, 4+ letters) is stored
with its one-deletion neighbourhood in `term_delete` (SymSpell): a query word then finds the
indexed words one insertion, deletion, substitution or transposition away with one indexed
lookup of its own deletions, whatever the size of the catalog. Candidates are checked
against the text index (`term_bits`), so words of deleted documents never come back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from app.domain.text import fold
from search.embedded_terms import is_indexed, word_count
from search.highlight import WORD_PATTERN

MIN_TYPO_WORD = 5  # shorter words are too easily another real word with one edit
MIN_TERM, MAX_TERM = MIN_TYPO_WORD - 1, 32
MAX_EXPANSIONS = 5


def deletions(word: str) -> set[str]:
    """`word` and every string with one of its characters removed."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


def within_one_edit(a: str, b: str) -> bool:
    """True if `b` is `a` with at most one insertion, deletion, substitution or adjacent transposition."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            if len(a) < len(b):
                return a[i:] == b[i + 1:]
            swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
            return a[i + 1:] == b[i + 1:] or (swapped and a[i + 2:] == b[i + 2:])
    return True


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The alphabetic words of `texts` long enough to be reached by a typo."""
    words: set[str] = set()
    for text in texts:
        words.update(WORD_PATTERN.findall(text))  # distinct words first: the check runs once per word
    return {w for w in words if MIN_TERM <= len(w) <= MAX_TERM and w.isalpha()}


def add_terms(conn: sqlite3.Connection, words: set[str]) -> None:
    """Store the deletion neighbourhood of the words not stored yet (inside the caller's transaction)."""
    if not words:
        return
    known = {row[0] for row in conn.execute(
        "SELECT variant FROM term_delete WHERE variant IN (SELECT value FROM json_each(?)) "
        "AND term = variant", (json.dumps(sorted(words)),))}
    rows = [(variant, word) for word in words - known for variant in deletions(word)]
    conn.executemany("INSERT OR IGNORE INTO term_delete (variant, term) VALUES (?, ?)", rows)


def neighbours(conn: sqlite3.Connection, word: str) -> list[str]:
    """Indexed terms one edit from `word`, most common first (at most MAX_EXPANSIONS)."""
    found = conn.execute(
        "SELECT DISTINCT term FROM term_delete WHERE variant IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(deletions(word))),)).fetchall()
    close = [term for (term,) in found if term != word and within_one_edit(word, term)]
    counted = sorted(((word_count(conn, term), term) for term in close), reverse=True)
    return [term for count, term in counted if count][:MAX_EXPANSIONS]


def typo_expansions(conn: sqlite3.Connection, words: Sequence[str], *,
                    prefix_last: bool = True) -> dict[str, list[str]]:
    """Query word → folded indexed terms one edit away, for words of 5+ letters the index lacks.

    Only unknown words are expanded, so a correctly spelled word never pulls in its
    neighbours ("tranh" does not also find "trang"); the last word counts as known when it
    starts an indexed term, since it matches as a prefix.
    """
    expansions: dict[str, list[str]] = {}
    for position, word in enumerate(words):
        folded = fold(word)
        if len(folded) < MIN_TYPO_WORD or not folded.isalpha():
            continue
        if is_indexed(conn, folded, prefix=prefix_last and position == len(words) - 1):
            continue
        terms = [t for t in neighbours(conn, folded) if t == fold(t)]
        if terms:
            expansions[word] = terms
    return expansions


def did_you_mean(conn: sqlite3.Connection, words: Sequence[str]) -> str | None:
    """The query with unknown words of 5+ letters replaced by the commonest term one edit away."""
    corrected: list[str] = []
    for word in words:
        replacement = None
        if len(word) >= MIN_TYPO_WORD and not (is_indexed(conn, word) or is_indexed(conn, fold(word))):
            closest = neighbours(conn, word) or neighbours(conn, fold(word))
            replacement = closest[0] if closest else None
        corrected.append(replacement or word)
    return " ".join(corrected) if list(words) != corrected else None

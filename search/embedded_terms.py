"""The embedded engine's text index: one roaring bitmap per (word, column) and per (pair of
words side by side, column).

`term_bits` answers a word, whole or as a prefix (a range of the sorted words), in a few
bitmap reads and ORs in C, however many products hold it; `pair_bits` answers words typed side
by side (a phrase: the ranking's first tier, and the glossary's Vietnamese phrases). Writes
keep both exact: a row whose bitmap empties is deleted, so the vocabulary (typo tolerance,
search/embedded_typos.py) never offers words of deleted products.

A printed number that is one word, the same exact, folded and without separators (a
verification code: most of a catalog's keys, one per certificate), is stored once under the
column SAME_NUMBER, which reads as all three (`number_words`): a third of the rows to make and
write in a rebuild.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from pyroaring import BitMap as MutableBitMap
from pyroaring import FrozenBitMap as BitMap  # immutable: cached bitmaps are shared across queries

from app.domain.text import fold, normalize
from search.documents import ProductDocument, searchable_texts
from search.embedded_bits import word_initials
from search.highlight import WORD_PATTERN
from search.text_query import COLUMNS, COMPACT, Term, compact_number

PREFIX_END = "\U0010ffff"  # sorts after every character: [word, word + PREFIX_END) is a prefix range
Key = tuple[str, int]  # (word or "word word", column)
EMPTY = BitMap()
ROWS_PER_CHUNK = 10_000  # text rows a full rebuild makes, sends and writes at a time
# From this many texts on, a key's products are gathered as arrays (`_TextIds.union`): a union of
# thousands of one-product bitmaps costs far more per text than an array gather and one bitmap.
MANY_TEXTS = 64
# From this many products gathered on, `_TextIds.union` marks them in an array as long as the ids
# instead of sorting them: one pass over 100,000 bytes beats an O(n log n) sort (measured: 50,000
# ids in 0.44 ms against 1.3 ms; below ~2,000 the sort wins).
MARK_FROM = 4096


# Pairs only where phrases are searched: names, producers, places (not descriptions or numbers).
PAIR_COLUMNS = frozenset(COLUMNS.index(c) for c in (
    "name", "name_f", "producer", "producer_f", "province", "province_f", "address", "address_f"))
# The columns of words typos may reach (search/embedded_typos.py): not printed numbers.
TEXT_COLUMNS = [c for c, name in enumerate(COLUMNS) if not name.startswith(("numbers", "compact"))]
# The columns of a printed number's words: exact, folded, and the number without separators.
NUMBER_COLUMNS = (COLUMNS.index("numbers"), COLUMNS.index("numbers_f"), COMPACT)
SAME_NUMBER = len(COLUMNS)  # a key column past COLUMNS: a number's one word in all NUMBER_COLUMNS
KEY_COLUMNS = range(SAME_NUMBER + 1)  # the `col` values of the text index's rows
_SAME_NUMBER = (SAME_NUMBER,)
_READ_AS = {SAME_NUMBER: NUMBER_COLUMNS}  # the COLUMNS a key column stands for, when not itself
# The columns of folded words (first-letter bitmaps), name first.
FOLDED_COLUMNS = (*range(COLUMNS.index("name_f"), COMPACT, 2), SAME_NUMBER)


@dataclass(frozen=True, slots=True)
class IndexedText:
    """What one document adds to the text index: its distinct words and pairs of words side by
    side (PAIR_COLUMNS only), per column, and its length in words."""

    words: tuple[frozenset[str], ...]  # per KEY_COLUMNS
    pairs: tuple[frozenset[str], ...]
    length: int

    @property
    def folded(self) -> tuple[frozenset[str], ...]:
        """The words of the folded searchable texts, name first (first-letter bitmaps)."""
        return tuple(self.words[column] for column in FOLDED_COLUMNS)

    def keys(self, pairs: bool) -> Iterator[Key]:
        """Every (word, column) key, or (pair, column)."""
        for column, found in enumerate(self.pairs if pairs else self.words):
            for term in found:
                yield term, column


def _numbers(doc: ProductDocument) -> list[str]:
    """The printed certificate numbers, codes and decision numbers of a document."""
    return [*doc["certificate_numbers"], *doc["certificate_codes"], *doc["decision_numbers"]]


ColumnWords = list[list[str]]  # words per column, as they occur
_NUMBERS_TEXT = 2  # searchable_texts' joined numbers: indexed number by number instead


def text_fields(doc: ProductDocument) -> list[tuple[int, str]]:
    """(exact column, text) of each searchable text but the numbers: its folded column is next."""
    return [(2 * field, text) for field, text in enumerate(searchable_texts(doc)) if field != _NUMBERS_TEXT]


def text_words(text: str) -> ColumnWords:
    """The words of a searchable text: exact, then folded."""
    return [WORD_PATTERN.findall(normalize(text)), WORD_PATTERN.findall(fold(text))]


def code_word(number: str) -> str | None:
    """The one word of a number of ASCII letters and digits only (a verification code), else None:
    the same exact, folded and without separators."""
    return number.lower() if number.isascii() and number.isalnum() else None


def number_words(number: str) -> tuple[Sequence[int], ColumnWords]:
    """The columns and words of a printed number: exact, folded, compact (one word or none) in
    NUMBER_COLUMNS, or its one word in SAME_NUMBER when that is the same in all three.

    A document's numbers column is the numbers joined by spaces, whose words are those of each
    number in turn (neither NFC nor folding acts across a space), so they are split one by one.
    """
    if (word := code_word(number)) is not None:  # the common case, quickly
        return _SAME_NUMBER, [[word]]
    compact = compact_number(number)
    words = [*text_words(number), [compact] if compact else []]
    if len(words[0]) == 1 and words[0] == words[1] == words[2]:
        return _SAME_NUMBER, words[:1]
    return NUMBER_COLUMNS, words


def read_as(column: int) -> Sequence[int]:
    """The COLUMNS a key column stands for: itself, or NUMBER_COLUMNS for SAME_NUMBER."""
    return _READ_AS.get(column, (column,))


def _length(columns: Sequence[int], words: ColumnWords) -> int:
    """The words of a text in every column it is in (a SAME_NUMBER word is in three)."""
    length = sum(map(len, words))
    return length * len(NUMBER_COLUMNS) if columns == _SAME_NUMBER else length


DocumentTexts = tuple[int, list[tuple[int, str]], list[str]]  # id, `text_fields`, printed numbers


def document_texts(doc: ProductDocument) -> DocumentTexts:
    """What the text index reads of a document: its id, searchable texts and printed numbers."""
    return doc["id"], text_fields(doc), _numbers(doc)


def column_words(doc: ProductDocument) -> tuple[ColumnWords, int]:
    """A document's words per KEY_COLUMNS (each field's words exact then folded, then its
    numbers' words), and its length in words."""
    columns: ColumnWords = [[] for _ in KEY_COLUMNS]
    for column, text in text_fields(doc):
        columns[column], columns[column + 1] = text_words(text)
    length = sum(map(len, columns))
    for number in _numbers(doc):
        number_columns, words = number_words(number)
        for column, found in zip(number_columns, words, strict=True):
            columns[column] += found
        length += _length(number_columns, words)
    return columns, length


def _texts() -> array[int]:
    """An empty list of text numbers."""
    return array("I")


_NO_TEXTS = _texts()


def _pairs(found: list[str]) -> Iterator[str]:
    """Each word with the next one, space-separated."""
    return map(" ".join, zip(found, found[1:], strict=False))


_NO_PAIRS: frozenset[str] = frozenset()


def indexed_text(doc: ProductDocument) -> IndexedText:
    """The words and pairs of a document per column, and its length in words."""
    columns, length = column_words(doc)
    words = tuple(frozenset(found) for found in columns)
    pairs = tuple(frozenset(_pairs(found)) if column in PAIR_COLUMNS else _NO_PAIRS
                  for column, found in enumerate(columns))
    return IndexedText(words, pairs, length)


def _ids_by_key(texts: Mapping[int, IndexedText], pairs: bool) -> dict[Key, list[int]]:
    """Key → ids of the documents holding it (words, or pairs side by side)."""
    found: dict[Key, list[int]] = defaultdict(list)
    for doc_id, text in texts.items():
        for key in text.keys(pairs):
            found[key].append(doc_id)
    return found


class Accumulator:
    """The text index of an index being filled from empty (a full reindex).

    Products share many of their texts: the province, the producer and its address, often a
    name. So documents are grouped by each field's text, each distinct text is split into words
    once, and each key notes the texts holding it; at the end each text becomes a bitmap of its
    products and each key the union of its texts' bitmaps, in C. The Python work grows with the
    distinct texts rather than with every word of every product.

    A verification code (`code_word`: most printed numbers, and almost never shared) is its
    one word under SAME_NUMBER: it notes its products directly, without a text of its own.
    """

    def __init__(self) -> None:
        # (first column, text or printed number) → its number, from 1 (`or` then tells a new one)
        self._known: dict[tuple[int, str], int] = {}
        self._ids: list[array[int]] = [array("I")]  # text number → ids of the products holding it
        self._lengths: list[int] = [0]  # text number → its words, in every column
        # key → numbers of the texts holding it, as arrays: handed to numpy without a copy (`_TextIds`)
        self._keys: dict[str, list[defaultdict[str, array[int]]]] = {
            table: [defaultdict(_texts) for _ in KEY_COLUMNS] for table in ("term_bits", "pair_bits")}
        self._codes: defaultdict[str, list[int]] = defaultdict(list)  # code's word → its products
        self._bits: list[BitMap] | None = None
        self._flat: _TextIds | None = None

    def add(self, documents: Iterable[DocumentTexts]) -> list[int]:
        """Add documents (`document_texts`); returns each one's length in words (as `indexed_text`
        counts them)."""
        lengths = []
        known, ids, sizes, codes = self._known, self._ids, self._lengths, self._codes
        for doc_id, texts, numbers in documents:
            held = [known.get(key) or self._register(key, (key[0], key[0] + 1), text_words(key[1]))
                    for key in texts]
            length = 0
            for printed in numbers:
                if (word := code_word(printed)) is not None:
                    codes[word].append(doc_id)
                    length += len(NUMBER_COLUMNS)
                else:
                    key = (NUMBER_COLUMNS[0], printed)
                    held.append(known.get(key) or self._register(key, *number_words(printed)))
            for number in held:
                ids[number].append(doc_id)
            lengths.append(length + sum(sizes[number] for number in held))
        return lengths

    def _new_text(self, key: tuple[int, str], length: int) -> int:
        """Number a new text of `length` words (in every column)."""
        number = self._known[key] = len(self._ids)
        self._ids.append(array("I"))
        self._lengths.append(length)
        return number

    def _register(self, key: tuple[int, str], columns: Sequence[int], words: ColumnWords) -> int:
        """Number a new text and note it under each of its keys: `words` in `columns`."""
        number = self._new_text(key, _length(columns, words))
        terms, pairs = self._keys["term_bits"], self._keys["pair_bits"]
        for column, found in zip(columns, words, strict=True):
            inverted = terms[column]
            for term in set(found):
                inverted[term].append(number)
            if column in PAIR_COLUMNS:
                paired = pairs[column]
                for pair in set(_pairs(found)):
                    paired[pair].append(number)
        return number

    def _union(self, numbers: array[int]) -> BitMap:
        """The products holding any of these texts."""
        if not numbers:
            return EMPTY
        if self._bits is None:  # every document is in: each text's products, once
            self._bits = [BitMap(ids) for ids in self._ids]
            self._flat = _TextIds(self._ids)
        bits = self._bits
        if len(numbers) == 1:  # most keys: a word of one name, or of one printed number not a code
            return bits[numbers[0]]
        if len(numbers) < MANY_TEXTS:
            return BitMap.union(*[bits[number] for number in numbers])
        return cast(_TextIds, self._flat).union(numbers)  # a common word: of descriptions, names

    def vocabulary(self, columns: Iterable[int]) -> set[str]:
        """Every word indexed in these columns."""
        return {term for column in columns for term in self._keys["term_bits"][column]}

    def initials(self) -> dict[tuple[str, str], BitMap]:
        """The first-letter bitmaps (search/embedded_bits.py `word_initials`) of every document,
        from the words of the folded columns: `initialN` anywhere, `name_initialN` in the name."""
        starts: dict[tuple[str, str], array[int]] = defaultdict(_texts)  # (prefix, first two letters) → texts
        for column in FOLDED_COLUMNS:
            for term, numbers in self._keys["term_bits"][column].items():
                starts[("", term[:2])] += numbers  # the first two letters decide
                if column == FOLDED_COLUMNS[0]:
                    starts[("name_", term[:2])] += numbers
        coded: dict[str, list[int]] = defaultdict(list)  # first two letters of a code → its products
        for word, products in self._codes.items():
            coded[word[:2]] += products
        found: dict[tuple[str, str], array[int]] = defaultdict(_texts)  # a text may repeat: `_union` once
        found_products: dict[tuple[str, str], list[int]] = defaultdict(list)
        for (prefix, start), numbers in starts.items():
            for field, value in word_initials(start):
                found[(prefix + field, value)] += numbers
        for start, products in coded.items():
            for field, value in word_initials(start):
                found_products[(field, value)] += products
        return {key: self._union(found.get(key, _NO_TEXTS)) | BitMap(found_products.get(key, ()))
                for key in found.keys() | found_products.keys()}

    def rows(self, per_chunk: int = ROWS_PER_CHUNK) -> Iterator[tuple[str, list[tuple[str, int, bytes]]]]:
        """(table, rows (key, column, serialized bitmap)) `per_chunk` at a time, once every document
        was added: one chunk can be written while the next is made. In key order, the tables'
        primary key: each row is written after the last, where rows in any order were inserted
        between others, moving their large bitmaps from page to page."""
        for table, columns in self._keys.items():
            codes = self._codes if table == "term_bits" else {}
            keys = [(term, column) for column, found in enumerate(columns) for term in found]
            keys += [(word, SAME_NUMBER) for word in codes if word not in columns[SAME_NUMBER]]
            keys.sort()
            for start in range(0, len(keys), per_chunk):
                yield table, [(term, column, self._key_bits(
                    columns[column].get(term, _NO_TEXTS), codes.get(term) if column == SAME_NUMBER else None))
                    for term, column in keys[start:start + per_chunk]]

    def _key_bits(self, texts: array[int], products: list[int] | None) -> bytes:
        """A key's serialized bitmap: the products of its texts, and those it notes directly (a code's)."""
        if products is None:
            return self._union(texts).serialize()
        if not texts:  # a code only: most keys
            return BitMap(products).serialize()
        return (self._union(texts) | BitMap(products)).serialize()


class _TextIds:
    """Every text's products as one array (text n's are `ids[starts[n]:starts[n + 1]]`), to
    gather those of many texts at once in C."""

    def __init__(self, ids: Sequence[array[int]]) -> None:
        self.ids = np.frombuffer(b"".join(ids), dtype=np.uint32)
        self.starts = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(held) for held in ids], out=self.starts[1:])
        self.limit = int(self.ids.max()) + 1 if len(self.ids) else 0  # past the largest product id

    def union(self, numbers: array[int]) -> BitMap:
        """The products of these texts (a text's may repeat another's: a bitmap holds each once)."""
        texts = np.frombuffer(numbers, dtype=np.uint32).astype(np.int64)
        starts = self.starts[texts]
        counts = self.starts[texts + 1] - starts
        ends = np.cumsum(counts)
        # Position of each product in `ids`: its text's start, then on by one within the text.
        positions = np.arange(ends[-1], dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
        gathered = self.ids[positions]
        if len(gathered) < MARK_FROM:
            found = np.sort(gathered)
        else:  # each product marked once, then read back in order
            marked = np.zeros(self.limit, dtype=np.bool_)
            marked[gathered] = True
            found = np.flatnonzero(marked).astype(np.uint32)
        return BitMap(array("I", found.tobytes()))  # sorted uint32s: pyroaring's quick path


def update_text_bits(conn: sqlite3.Connection, removed: Mapping[int, IndexedText],
                     added: Mapping[int, IndexedText]) -> None:
    """Clear the keys of `removed` documents, set those of `added` (inside the caller's transaction)."""
    for table, pairs in (("term_bits", False), ("pair_bits", True)):
        clear, setting = _ids_by_key(removed, pairs), _ids_by_key(added, pairs)
        changed: list[tuple[str, int, bytes]] = []
        emptied: list[Key] = []
        for key in sorted(clear.keys() | setting.keys()):
            row = conn.execute(f"SELECT bits FROM {table} WHERE term = ? AND col = ?", key).fetchone()  # noqa: S608 - table names are ours
            bits = MutableBitMap.deserialize(row[0]) if row else MutableBitMap()
            bits.difference_update(MutableBitMap(clear.get(key, [])))
            bits.update(setting.get(key, []))
            if bits:
                changed.append((*key, bits.serialize()))
            elif row:
                emptied.append(key)
        conn.executemany(f"DELETE FROM {table} WHERE term = ? AND col = ?", emptied)  # noqa: S608 - table names are ours
        conn.executemany(f"INSERT OR REPLACE INTO {table} (term, col, bits) VALUES (?, ?, ?)", changed)  # noqa: S608


class TermReader:
    """Reads term bitmaps on one snapshot, each (text, prefix) once per query."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._seen: dict[tuple[str, bool], dict[int, BitMap]] = {}

    def _rows(self, table: str, text: str, prefix: bool) -> dict[int, BitMap]:
        """Column → bits of one word or pair, or the union over every key it starts (prefix)."""
        if prefix:
            sql = f"SELECT col, bits FROM {table} WHERE term >= ? AND term < ?"  # noqa: S608 - table names are ours
            rows = self.conn.execute(sql, (text, text + PREFIX_END))
        else:
            rows = self.conn.execute(f"SELECT col, bits FROM {table} WHERE term = ?", (text,))  # noqa: S608
        grouped: dict[int, list[BitMap]] = defaultdict(list)
        for column, blob in rows:
            bits = BitMap.deserialize(blob)
            for read in read_as(column):
                grouped[read].append(bits)
        return {column: parts[0] if len(parts) == 1 else BitMap.union(*parts)
                for column, parts in grouped.items()}

    def columns(self, term: Term) -> dict[int, BitMap]:
        """Column → products holding the term there (for several words: every pair side by side,
        which is exact for two words and close for more), only in the term's columns."""
        key = (term.text, term.prefix)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._lookup(term)
        return {column: bits for column, bits in found.items() if column in term.columns}

    def _lookup(self, term: Term) -> dict[int, BitMap]:
        """Every column's bits of the term, uncached."""
        words = term.words
        if len(words) == 1:
            return self._rows("term_bits", term.text, term.prefix)
        result: dict[int, BitMap] | None = None
        for index in range(len(words) - 1):
            last = index == len(words) - 2
            pair = self._rows("pair_bits", f"{words[index]} {words[index + 1]}", term.prefix and last)
            result = pair if result is None else {c: b & pair[c] for c, b in result.items() if c in pair}
        return {c: b for c, b in (result or {}).items() if b}


def union(parts: Iterable[BitMap]) -> BitMap:
    """The union of bitmaps (EMPTY for none)."""
    return BitMap.union(EMPTY, *parts)


def word_count(conn: sqlite3.Connection, word: str) -> int:
    """Products holding `word` in any column (0 when no indexed product does)."""
    rows = conn.execute("SELECT bits FROM term_bits WHERE term = ?", (word,))
    return len(union(BitMap.deserialize(blob) for (blob,) in rows))


def is_indexed(conn: sqlite3.Connection, word: str, *, prefix: bool = False) -> bool:
    """True if `word` is an indexed word (or, for a prefix, starts one)."""
    if prefix:
        sql = "SELECT 1 FROM term_bits WHERE term >= ? AND term < ? LIMIT 1"
        params: tuple[str, ...] = (word, word + PREFIX_END)
    else:
        sql, params = "SELECT 1 FROM term_bits WHERE term = ? LIMIT 1", (word,)
    return conn.execute(sql, params).fetchone() is not None


def texts_of(documents: Sequence[ProductDocument]) -> dict[int, IndexedText]:
    """Each document's indexed text, by id."""
    return {doc["id"]: indexed_text(doc) for doc in documents}


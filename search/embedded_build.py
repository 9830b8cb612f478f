"""The text half of a full rebuild: in process for a small catalog, in a second process for a large one.

A rebuild does two things with each document: its rows (sort columns, validity, body, facet ids:
search/embedded.py) and its text index (words split and folded, bitmaps per word: the
Accumulator, search/embedded_terms.py). At 100,000 products each half takes several seconds of
pure Python, and Python runs one thread at a time. So from SECOND_PROCESS_FROM documents on, the
text half runs in a second process (a fresh interpreter, never a fork: the site's process runs
threads), which the rebuild feeds each batch's texts through a pipe before writing that batch's rows; at
the end it answers every text bitmap, column after column, written as they come, then the
documents' lengths, the typo vocabulary and the first-letter bitmaps.

Crash safety stays the rebuild's: nothing is written by the second process, everything goes in
the rebuild's one transaction. A second process that fails or dies makes the rebuild fail
(SearchUnavailable) and roll back; if the rebuild's process dies, the pipe closes and the second
process ends.
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Protocol, cast

from pyroaring import FrozenBitMap as BitMap

from search.collector import collector_paused
from search.documents import ProductDocument
from search.embedded_terms import TEXT_COLUMNS, Accumulator, DocumentTexts, document_texts
from search.embedded_typos import vocabulary_words
from search.engine import SearchUnavailable

SECOND_PROCESS_FROM = 20_000  # documents: below, starting a process (~0.5 s of imports) gains nothing
ROWS_PER_MESSAGE = 50_000
TextRow = tuple[str, int, bytes]  # (word or pair, column, serialized bitmap)
BitKey = tuple[str, str]


RowWriter = Callable[[str, list[TextRow]], object]  # writes some rows of a table (`term_bits`, `pair_bits`)


@dataclass
class BuiltText:
    """What a finished text index adds beside its rows: each document's length in words, the
    words typos may reach, and the first-letter bitmaps."""

    lengths: dict[int, int]
    vocabulary: set[str]
    initials: dict[BitKey, BitMap]


class TextIndex(Protocol):
    """Where a rebuild sends its documents' texts, and gets the text index back at the end."""

    def add(self, documents: Sequence[ProductDocument]) -> None:
        """Index these documents' texts."""

    def finish(self, write_rows: RowWriter) -> BuiltText:
        """Once every document was added: the text bitmaps' rows, handed to `write_rows` as they
        are made, then the rest."""

    def close(self) -> None:
        """Release what the builder holds (a process)."""


class LocalText:
    """The text index built in this process."""

    def __init__(self) -> None:
        self._accumulator = Accumulator()
        self._lengths: dict[int, int] = {}

    def add(self, documents: Sequence[ProductDocument]) -> None:
        """Index these documents' texts."""
        self.add_texts([document_texts(doc) for doc in documents])

    def add_texts(self, texts: Sequence[DocumentTexts]) -> None:
        """Index documents given by their texts (what the second process receives)."""
        lengths = self._accumulator.add(texts)
        self._lengths.update(zip((text[0] for text in texts), lengths, strict=True))

    def finish(self, write_rows: RowWriter) -> BuiltText:
        """The rows to `write_rows` as they are made, then the rest."""
        accumulator = self._accumulator
        for table, rows in _chunks(accumulator.rows()):
            write_rows(table, rows)
        return BuiltText(self._lengths, vocabulary_words(accumulator.vocabulary(TEXT_COLUMNS)),
                         accumulator.initials())

    def close(self) -> None:
        """Nothing to release."""


def _chunks(rows: Iterable[tuple[str, list[TextRow]]]) -> Iterator[tuple[str, list[TextRow]]]:
    """The rows ROWS_PER_MESSAGE at a time, as they are made: the rebuild writes one message while
    the second process makes the next (sorting them first would cost more than it saves)."""
    for table, found in rows:
        for start in range(0, len(found), ROWS_PER_MESSAGE):
            yield table, found[start:start + ROWS_PER_MESSAGE]


class ChildText:
    """The text index built in a second process (`python -m search.embedded_build`), fed through
    its standard input and answering on its standard output (a fresh interpreter: nothing of this
    process, its threads or its main module, is carried over)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", __name__],  # noqa: S603 - our own module
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._to, self._from = cast(IO[bytes], self._process.stdin), cast(IO[bytes], self._process.stdout)

    def add(self, documents: Sequence[ProductDocument]) -> None:
        """Send these documents' texts (only the texts: unpickling whole documents would cost the
        second process as much as splitting their words)."""
        self._send([document_texts(doc) for doc in documents])

    def finish(self, write_rows: RowWriter) -> BuiltText:
        """Ask for the text index: its rows come first, message after message, written as they
        come while the second process makes the next ones, then the rest."""
        self._send(None)
        while (rows := self._receive()) is not None:
            write_rows(*cast(tuple[str, list[TextRow]], rows))
        summary = cast(tuple[dict[int, int], set[str], dict[BitKey, bytes]], self._receive())
        lengths, vocabulary, initials = summary
        return BuiltText(lengths, vocabulary, {key: BitMap.deserialize(b) for key, b in initials.items()})

    def _send(self, message: object) -> None:
        """Send texts, or None for "that was all"."""
        try:
            write_message(self._to, message)
        except OSError as error:  # the second process is gone: say why if it told
            self._receive()
            raise SearchUnavailable("the text index process stopped") from error

    def _receive(self) -> object:
        """The next answer; an error of the second process, or its death, as SearchUnavailable."""
        try:
            kind, value = cast(tuple[str, object], read_message(self._from))
        except (EOFError, OSError) as error:
            raise SearchUnavailable("the text index process stopped") from error
        if kind == "error":
            raise SearchUnavailable(f"the text index process failed: {value}")
        return value

    def close(self) -> None:
        """End the second process (at once if the rebuild failed halfway)."""
        for stream in (self._to, self._from):
            with suppress(OSError):
                stream.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def write_message(stream: IO[bytes], message: object) -> None:
    """One message: its length (8 bytes), then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)))
    stream.write(data)
    stream.flush()


def read_message(stream: IO[bytes]) -> object:
    """The next message (EOFError when the other side closed)."""
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack(">Q", header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - between this module's two processes, over a private pipe


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The second process: index the texts it is sent, then answer the text index and end."""
    try:
        local = LocalText()
        while (texts := read_message(requests)) is not None:
            local.add_texts(cast(list[DocumentTexts], texts))
        built = local.finish(lambda table, rows: write_message(answers, ("ok", (table, rows))))
        write_message(answers, ("ok", None))  # the rows are over
        initials = {key: bits.serialize() for key, bits in built.initials.items()}
        write_message(answers, ("ok", (built.lengths, built.vocabulary, initials)))
    except (EOFError, BrokenPipeError):  # the rebuild's process ended: nobody to answer
        return
    except Exception as error:  # noqa: BLE001 - any failure is the rebuild's to report
        write_message(answers, ("error", f"{type(error).__name__}: {error}"))


@contextmanager
def text_index(batches: Iterable[Sequence[ProductDocument]]
               ) -> Iterator[tuple[TextIndex, Iterator[Sequence[ProductDocument]]]]:
    """A text index builder for these batches, and the batches: the first ones are read ahead to
    tell a large catalog (a second process) from a small one (this process)."""
    rest = iter(batches)
    ahead: list[Sequence[ProductDocument]] = []
    count = 0
    while count < SECOND_PROCESS_FROM and (documents := next(rest, None)) is not None:
        ahead.append(documents)
        count += len(documents)
    builder: TextIndex = ChildText() if count >= SECOND_PROCESS_FROM else LocalText()
    try:
        yield builder, itertools.chain(ahead, rest)
    finally:
        builder.close()


if __name__ == "__main__":
    with collector_paused():
        serve(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.flush()
    # Everything is answered: end without freeing the index's millions of objects one by one
    # (seconds of teardown the rebuild would wait for before it commits).
    os._exit(0)

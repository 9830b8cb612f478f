"""The computed half of a full rebuild: in process for a small catalog, in a second process for a large one.

A rebuild builds each document from the database, stores its body and validity rows
(search/embedded.py), and computes the rest from it: the text index (words split and folded,
bitmaps per word: the Accumulator, search/embedded_terms.py), the `doc` row (sort columns and
length in words) and the facet bitmaps. At 100,000 products each half takes several seconds of
pure Python, and Python runs one thread at a time. So from SECOND_PROCESS_FROM documents on, the
computed half runs in a second process (a fresh interpreter, never a fork: the site's process
runs threads), which the rebuild feeds each batch's documents (only the fields it reads, as
tuples: `sent`) through a pipe before writing that batch's rows. At the end it answers the `doc`
rows first, which the rebuild writes and indexes (with every other index) while the second
process makes the text bitmaps; then every text bitmap in key order, written as they come, then
the typo vocabulary and the facet bitmaps.

Crash safety stays the rebuild's: nothing is written by the second process, everything goes in
the rebuild's one transaction. A second process that fails or dies makes the rebuild fail
(SearchUnavailable) and roll back; if the rebuild's process dies, the pipe closes and the second
process ends.
"""

from __future__ import annotations

import fcntl
import itertools
import operator
import os
import pickle
import struct
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Protocol, cast

from pyroaring import FrozenBitMap as BitMap

from app.domain.text import fold
from search.collector import collector_paused
from search.documents import ProductDocument, valid_through
from search.embedded_bits import add_bit_values
from search.embedded_terms import TEXT_COLUMNS, Accumulator, document_texts
from search.embedded_typos import vocabulary_words
from search.engine import SearchUnavailable

# Documents read ahead before choosing: below, the second process's imports (~0.5 s on the other
# CPU) would cost more than it saves; above, each document read ahead is one it starts late on.
SECOND_PROCESS_FROM = 5_000
PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged process (/proc/sys/fs/pipe-max-size)
TextRow = tuple[str, int, bytes]  # (word or pair, column, serialized bitmap)
DocRow = tuple[object, ...]  # a `doc` row: the columns of `doc_row`, then the length in words
BitKey = tuple[str, str]


RowWriter = Callable[[str, list[TextRow]], object]  # writes some rows of a table (`term_bits`, `pair_bits`)


def doc_row(doc: ProductDocument, through: int) -> DocRow:
    """The narrow `doc` row (sort columns; `through`: its `valid_through`), but its length in words."""
    return (doc["id"], doc["province"], doc["group"], doc["latest_issued"], fold(doc["name"]),
            doc["fingerprint"], through)


# What the computed half reads of a document (its texts, `doc` row and facet values), sent as a
# tuple of these fields and then its `valid_through`: far fewer bytes than its body, and quicker
# to unpickle than the body is to parse (the validity summary stays behind).
SENT_FIELDS = ("id", "name", "description", "group", "province", "province_name", "certified_provinces",
               "producer_name", "address", "certificate_numbers", "certificate_codes", "decision_numbers",
               "levels", "years", "latest_issued", "fingerprint")
Sent = tuple[object, ...]


_sent_fields = operator.itemgetter(*SENT_FIELDS)


def sent(doc: ProductDocument) -> Sent:
    """What the computed half reads of a document: SENT_FIELDS, then its `valid_through`."""
    return (*_sent_fields(doc), valid_through(doc))


@dataclass
class Built:
    """What the computed half adds beside the `doc` and text rows: the words typos may reach,
    and the facet bitmaps (first letters included)."""

    vocabulary: set[str]
    facets: dict[BitKey, BitMap]


class Builder(Protocol):
    """Where a rebuild sends its documents, and gets what is computed from them back at the end."""

    def add(self, documents: list[Sent]) -> None:
        """Compute what these documents (`sent`) add."""

    def docs(self) -> list[DocRow]:
        """Once every document was added: the `doc` rows (lengths in words included)."""

    def finish(self, write_rows: RowWriter) -> Built:
        """After `docs`: the text bitmaps' rows, handed to `write_rows` as they are made, then the rest."""

    def close(self) -> None:
        """Release what the builder holds (a process)."""


class LocalBuilder:
    """The computed half in this process."""

    def __init__(self) -> None:
        self._accumulator = Accumulator()
        self._docs: list[DocRow] = []
        self._facets: dict[BitKey, list[int]] = defaultdict(list)

    def add(self, documents: list[Sent]) -> None:
        """Compute what these documents (`sent`) add."""
        fields = [cast(ProductDocument, dict(zip(SENT_FIELDS, values[:-1], strict=True)))
                  for values in documents]
        lengths = self._accumulator.add([document_texts(doc) for doc in fields])
        self._docs += [(*doc_row(doc, cast(int, values[-1])), length)
                       for doc, values, length in zip(fields, documents, lengths, strict=True)]
        add_bit_values(self._facets, fields, letters=False)  # first letters: from the words, at the end

    def docs(self) -> list[DocRow]:
        """The `doc` rows."""
        return self._docs

    def finish(self, write_rows: RowWriter) -> Built:
        """The rows to `write_rows` as they are made, then the rest."""
        accumulator = self._accumulator
        for table, rows in accumulator.rows():
            write_rows(table, rows)
        facets = {key: BitMap(ids) for key, ids in self._facets.items()} | accumulator.initials()
        return Built(vocabulary_words(accumulator.vocabulary(TEXT_COLUMNS)), facets)

    def close(self) -> None:
        """Nothing to release."""


class ChildBuilder:
    """The computed half in a second process (`python -m search.embedded_build`), fed through
    its standard input and answering on its standard output (a fresh interpreter: nothing of this
    process, its threads or its main module, is carried over)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", __name__],  # noqa: S603 - our own module
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._to, self._from = cast(IO[bytes], self._process.stdin), cast(IO[bytes], self._process.stdout)
        for stream in (self._to, self._from):
            _widen(stream)

    def add(self, documents: list[Sent]) -> None:
        """Send these documents (`sent`)."""
        self._send(documents)

    def docs(self) -> list[DocRow]:
        """Say that was all, and get the `doc` rows: the second process goes on to the text rows."""
        self._send(None)
        return cast(list[DocRow], self._receive())

    def finish(self, write_rows: RowWriter) -> Built:
        """The text rows, message after message, written as they come while the second process
        makes the next ones, then the rest."""
        while (rows := self._receive()) is not None:
            write_rows(*cast(tuple[str, list[TextRow]], rows))
        vocabulary, facets = cast(tuple[set[str], dict[BitKey, bytes]], self._receive())
        return Built(vocabulary, {key: BitMap.deserialize(bits) for key, bits in facets.items()})

    def _send(self, message: object) -> None:
        """Send documents, or None for "that was all"."""
        try:
            write_message(self._to, message)
        except OSError as error:  # the second process is gone: say why if it told
            self._receive()
            raise SearchUnavailable("the index builder process stopped") from error

    def _receive(self) -> object:
        """The next answer; an error of the second process, or its death, as SearchUnavailable."""
        try:
            kind, value = cast(tuple[str, object], read_message(self._from))
        except (EOFError, OSError) as error:
            raise SearchUnavailable("the index builder process stopped") from error
        if kind == "error":
            raise SearchUnavailable(f"the index builder process failed: {value}")
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


def _widen(pipe: IO[bytes]) -> None:
    """Let a pipe hold PIPE_BYTES (Linux; elsewhere, or past the system's limit, it keeps its size).

    A batch's message (~500 KB for 1,000 documents) is larger than a pipe's default 64 KB: the
    rebuild's write then waited until the second process had finished the batch before and read
    this one, and the second process waited meanwhile for the rest of it; neither worked while
    the other did. A pipe that holds the message lets the rebuild go on to its next batch.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is not None:
        with suppress(OSError):
            fcntl.fcntl(pipe.fileno(), set_size, PIPE_BYTES)


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
    """The second process: compute what the documents it is sent add, then answer it all and end."""
    try:
        local = LocalBuilder()
        while (documents := read_message(requests)) is not None:
            local.add(cast(list[Sent], documents))
        write_message(answers, ("ok", local.docs()))
        built = local.finish(lambda table, rows: write_message(answers, ("ok", (table, rows))))
        write_message(answers, ("ok", None))  # the rows are over
        facets = {key: bits.serialize() for key, bits in built.facets.items()}
        write_message(answers, ("ok", (built.vocabulary, facets)))
    except (EOFError, BrokenPipeError):  # the rebuild's process ended: nobody to answer
        return
    except Exception as error:  # noqa: BLE001 - any failure is the rebuild's to report
        write_message(answers, ("error", f"{type(error).__name__}: {error}"))


@contextmanager
def builder_for(batches: Iterable[Sequence[ProductDocument]]
                ) -> Iterator[tuple[Builder, Iterator[Sequence[ProductDocument]]]]:
    """A builder for these batches, and the batches: the first ones are read ahead to
    tell a large catalog (a second process) from a small one (this process)."""
    rest = iter(batches)
    ahead: list[Sequence[ProductDocument]] = []
    count = 0
    while count < SECOND_PROCESS_FROM and (documents := next(rest, None)) is not None:
        ahead.append(documents)
        count += len(documents)
    builder: Builder = ChildBuilder() if count >= SECOND_PROCESS_FROM else LocalBuilder()
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

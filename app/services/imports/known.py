"""What the database already holds for a file's rows, loaded in a few batched queries.

The upserter used to ask the database once per row and per kind (producer, product, round,
certificate, free slug, free code), and to flush after every object: 20,000 rows meant about
150,000 statements and a two-minute preview. These maps are filled once per import with
`IN (...)` queries in chunks, then kept up to date in memory as rows create objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.domain.codes import new_code
from app.models import Certificate, Producer, Product, SelectionRound

T = TypeVar("T")
_CHUNK = 500  # IN-list size: well under SQLite's and PostgreSQL's parameter limits
RoundKey = tuple[str, int, str | None, int | None, str | None]


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The values in lists of at most _CHUNK."""
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def round_key(selection_round: SelectionRound) -> RoundKey:
    """A round's natural key: level, year, region, province (local rounds), decision number."""
    return (selection_round.level, selection_round.year, selection_round.region, selection_round.province_id,
            selection_round.decision_number)


class Known:
    """Producers, products, certificates and rounds by natural key, plus slugs and codes in use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.producers: dict[tuple[str, int], Producer] = {}
        self.products: dict[tuple[int, str], Product] = {}
        self.certificates: dict[tuple[int, str, date], Certificate] = {}
        self.rounds: dict[RoundKey, SelectionRound] = {}
        self._slugs: dict[str, set[str]] = {}
        self._codes: set[str] | None = None

    def load(self, producer_keys: Sequence[str]) -> None:
        """Everything that rows naming these producers (folded names) may find."""
        for keys in _chunks(set(producer_keys)):
            for producer in self.session.exec(select(Producer).where(col(Producer.name_key).in_(keys))).all():
                self.producers.setdefault((producer.name_key, producer.province_id), producer)
        producer_ids = [p.id for p in self.producers.values() if p.id is not None]
        for ids in _chunks(producer_ids):
            for product in self.session.exec(select(Product).where(col(Product.producer_id).in_(ids))).all():
                self.products.setdefault((product.producer_id, product.name_key), product)
        product_ids = [p.id for p in self.products.values() if p.id is not None]
        for ids in _chunks(product_ids):
            query = select(Certificate).where(col(Certificate.product_id).in_(ids))
            for cert in self.session.exec(query).all():
                self.certificates.setdefault((cert.product_id, cert.level, cert.issued_on), cert)
        for selection_round in self.session.exec(select(SelectionRound)).all():
            self.rounds.setdefault(round_key(selection_round), selection_round)

    def unique_slug(self, model: type[Producer] | type[Product], base: str) -> str:
        """`base`, or base-2, base-3… when taken in `model`'s table or earlier in this import."""
        taken = self._slugs.get(model.__name__)
        if taken is None:
            column: Any = model.slug
            taken = self._slugs[model.__name__] = set(self.session.exec(select(column)).all())
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug

    def fresh_code(self) -> str:
        """A random verification code used by no certificate yet (nor earlier in this import)."""
        if self._codes is None:
            self._codes = set(self.session.exec(select(Certificate.code)).all())
        while (code := new_code()) in self._codes:
            pass
        self._codes.add(code)
        return code

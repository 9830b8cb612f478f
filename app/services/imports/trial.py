"""Count-only trial run of a round's upsert: what publishing would create, update or leave alone.

The preview used to run the real upsert and roll it back: 20,000 rows built ~43,000 ORM
objects and flushed them, a third of the preview's time, only to count them. This classifies
each row against the same maps (known.py) and the same values (upsert.py's `*_values`)
without building or writing anything. Publishing still runs the real upsert.

Why the counts match: an object's outcome is "created" if it is new (later rows naming it
leave it created), else "updated" if any row's values differ from what is stored (a row equal
to the stored values changes nothing, so every row before the first difference sees the
stored values), else "unchanged"; and no natural key (name key, province, level, date) is
among the values a row sets, so a row finds the same object here as in the upsert.
"""

from __future__ import annotations

from collections.abc import Hashable

from sqlmodel import Session, SQLModel

from app.domain.text import fold
from app.models import SelectionRound
from app.services.imports.known import Known
from app.services.imports.upsert import (
    ImportCounts,
    add_outcomes,
    certificate_values,
    differs,
    producer_values,
    product_values,
)
from app.services.imports.validate import ValidRow
from app.services.upkeep.provinces import province_ids_by_slug


class TrialCount:
    """Classifies rows as `RoundUpserter` would apply them; nothing is added to the session."""

    def __init__(self, session: Session, selection_round: SelectionRound) -> None:
        self.province_ids = province_ids_by_slug(session=session)
        self.known = Known(session)
        self.fixed_round = selection_round
        self.status: dict[tuple[str, Hashable], str] = {}

    def count(self, rows: list[ValidRow]) -> ImportCounts:
        """What applying `rows` to the round would do, kind by kind."""
        self.known.load([fold(row.producer_name) for row in rows])
        for row in rows:
            producer = self.producer(row)
            product = self.product(row, producer)
            self.certificate(row, product)
        if rows:
            self.status[("round", self.fixed_round.id)] = "unchanged"  # the round is never changed
        outcomes = ((kind, outcome) for (kind, _key), outcome in self.status.items())
        return add_outcomes(ImportCounts(), outcomes)

    def _mark(self, kind: str, key: Hashable, found: SQLModel | None, values: dict[str, object]) -> None:
        """Record created/updated/unchanged once per object, upgrading unchanged → updated."""
        outcome = "created" if found is None else "updated" if differs(found, values) else "unchanged"
        previous = self.status.get((kind, key))
        if previous is None or (previous == "unchanged" and outcome == "updated"):
            self.status[(kind, key)] = outcome

    def producer(self, row: ValidRow) -> Hashable:
        """The row's producer: its id if stored, else its natural key (it would be created)."""
        key = (fold(row.producer_name), self.province_ids[row.current_province.slug])
        found = self.known.producers.get(key)
        self._mark("producer", key, found, producer_values(row))
        return found.id if found is not None else ("new", key)

    def product(self, row: ValidRow, producer: Hashable) -> Hashable:
        """The row's product: its id if stored, else its natural key; a new producer's are all new."""
        name_key = fold(row.product_name)
        found = self.known.products.get((producer, name_key)) if isinstance(producer, int) else None
        key = (producer, name_key)
        self._mark("product", key, found, product_values(row, self.province_ids))
        return found.id if found is not None else ("new", key)

    def certificate(self, row: ValidRow, product: Hashable) -> None:
        """Count the row's certificate, found by (product, level, issue date)."""
        level, issued_on = row.level.value, row.issued_on
        found = self.known.certificates.get((product, level, issued_on)) if isinstance(product, int) else None
        key = (product, level, issued_on)
        self._mark("certificate", key, found,
                   certificate_values(row, self.fixed_round.id, self.province_ids))


def count_round_rows(*, session: Session, selection_round: SelectionRound,
                     rows: list[ValidRow]) -> ImportCounts:
    """What publishing `rows` into the round would create, update or leave; reads only."""
    return TrialCount(session, selection_round).count(rows)

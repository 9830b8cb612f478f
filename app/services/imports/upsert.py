"""Writing half of the import: upsert validated rows by their natural keys.

Producer by (folded name, current province); product by (producer, folded name); round by
(level, year, region, province for local rounds, decision number); certificate by
(product, level, issue date). Blank optional cells never erase stored values, so
re-importing a file changes nothing. `Upserter.apply` works kind by kind (every producer,
one flush, every product, one flush, …) over maps loaded in a few queries (known.py), so a
20,000-row file costs a handful of batched statements instead of one round trip per row
and object. Helpers flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from slugify import slugify
from sqlmodel import Session, SQLModel, col, select

from app.domain.codes import number_key
from app.domain.levels import Level
from app.domain.text import fold
from app.domain.validity import default_valid_until
from app.files.images import ProcessedImage
from app.models import Certificate, Producer, Product, SelectionRound, utcnow
from app.services.imports.known import Known, RoundKey
from app.services.imports.validate import ValidRow
from app.services.records.photos import attach_image, next_image_position
from app.services.upkeep.provinces import province_ids_by_slug
from search.indexer import mark_for_reindex

M = TypeVar("M", bound=SQLModel)
_LOCAL_LEVELS = (Level.huyen, Level.xa, Level.tinh)


@dataclass(slots=True)
class Tally:
    """How many rows of one kind were created, updated or left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportCounts:
    """What an import did (or, for a dry run, would do)."""

    producers: Tally = field(default_factory=Tally)
    products: Tally = field(default_factory=Tally)
    certificates: Tally = field(default_factory=Tally)
    rounds: Tally = field(default_factory=Tally)
    images_added: int = 0


def add_outcomes(counts: ImportCounts, outcomes: Iterable[tuple[str, str]]) -> ImportCounts:
    """`counts` with one (kind, outcome) added per object, e.g. ("product", "created")."""
    tallies = {"producer": counts.producers, "product": counts.products,
               "certificate": counts.certificates, "round": counts.rounds}
    for kind, outcome in outcomes:
        tally = tallies[kind]
        setattr(tally, outcome, getattr(tally, outcome) + 1)
    return counts


def slug_base(text: str) -> str:
    """A readable ASCII slug (đ → d), at most 180 characters so suffixes fit."""
    # Folded first: slugify's transliteration is slow on accented letters, and fold() gives
    # Vietnamese the same ASCII it would (diacritics dropped, đ → d).
    base = str(slugify(fold(text), max_length=180, word_boundary=True))
    return base or "muc"


def assign(obj: SQLModel, values: dict[str, object]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def differs(obj: SQLModel, values: dict[str, object]) -> bool:
    """True if any of `values` differs from the object's attribute (what `assign` would change)."""
    return any(getattr(obj, name) != value for name, value in values.items())


def producer_values(row: ValidRow) -> dict[str, object]:
    """What a row sets on its producer; blank optional cells leave stored values alone."""
    optional = {"legal_form": row.legal_form.value if row.legal_form else None, "address": row.address,
                "phone": row.phone, "email": row.email, "website": row.website}
    values: dict[str, object] = {"name": row.producer_name}
    values.update({k: v for k, v in optional.items() if v is not None})
    return values


def product_values(row: ValidRow, province_ids: dict[str, int]) -> dict[str, object]:
    """What a row sets on its product."""
    values: dict[str, object] = {"name": row.product_name, "group": row.group.value,
                                 "province_id": province_ids[row.current_province.slug]}
    if row.description is not None:
        values["description"] = row.description
    return values


def certificate_values(row: ValidRow, round_id: int | None,
                       province_ids: dict[str, int]) -> dict[str, object]:
    """What a row sets on its certificate, awarded in the round `round_id`."""
    values: dict[str, object] = {"round_id": round_id, "province_id": province_ids[row.province.slug]}
    if row.certificate_number is not None:
        values.update(number=row.certificate_number, number_key=number_key(row.certificate_number))
    if row.score is not None:
        values["score"] = row.score
    return values


def update_outcome(obj: Producer | Product | Certificate, values: dict[str, object]) -> str:
    """Apply `values`; "updated" (timestamp bumped) if anything differed, else "unchanged"."""
    if assign(obj, values):
        obj.updated_at = utcnow()
        return "updated"
    return "unchanged"


class Upserter:
    """Applies validated rows to the database, remembering what it created and changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.province_ids = province_ids_by_slug(session=session)
        self.counts = ImportCounts()
        self.known = Known(session)
        self.status: dict[tuple[str, int], str] = {}
        self.touched_products: dict[int, Product] = {}
        self.changed_producers: set[int] = set()

    def apply(self, rows: list[ValidRow], photos: Callable[[ValidRow], list[ProcessedImage]] | None = None,
              *, outbox: bool = True) -> ImportCounts:
        """Upsert every row kind by kind, one flush per kind (ids are known before they are used).

        `outbox=False` is for a dry run that will be rolled back: no outbox rows to write.
        """
        self.known.load([fold(row.producer_name) for row in rows])
        producers = [self.producer(row) for row in rows]
        self.session.flush()
        products = [self.product(row, producer) for row, producer in zip(rows, producers, strict=True)]
        self.session.flush()
        rounds = [self.selection_round(row) for row in rows]
        self.session.flush()
        for row, product, selection_round in zip(rows, products, rounds, strict=True):
            self.certificate(row, product, selection_round)
        self.session.flush()
        if photos is not None:
            for row, product in zip(rows, products, strict=True):
                self.images(row, product, photos(row))
        return self.finish(outbox=outbox)

    def _mark(self, kind: str, obj: object, outcome: str) -> None:
        """Record created/updated/unchanged once per object, upgrading unchanged → updated."""
        key = (kind, id(obj))
        previous = self.status.get(key)
        if previous is None or (previous == "unchanged" and outcome == "updated"):
            self.status[key] = outcome

    def producer(self, row: ValidRow) -> Producer:
        """The producer of the row, created or updated."""
        province_id = self.province_ids[row.current_province.slug]
        key = fold(row.producer_name)
        found = self.known.producers.get((key, province_id))
        values = producer_values(row)
        if found is None:
            slug = self.known.unique_slug(Producer, slug_base(row.producer_name))
            found = Producer(slug=slug, name_key=key, province_id=province_id, **values)  # type: ignore[arg-type]
            self.known.producers[(key, province_id)] = found
            return self._save(found, "producer", "created")
        outcome = update_outcome(found, values)
        if outcome == "updated":
            self.changed_producers.add(found.id or 0)
        return self._save(found, "producer", outcome)

    def _save(self, obj: M, kind: str, outcome: str) -> M:
        """Add a new or changed row to the session (flushed with its kind) and count it."""
        if outcome != "unchanged":
            self.session.add(obj)
        self._mark(kind, obj, outcome)
        return obj

    def product(self, row: ValidRow, producer: Producer) -> Product:
        """The row's product, created or updated; touched products get an outbox row."""
        key = fold(row.product_name)
        assert producer.id is not None  # noqa: S101  (producers are flushed before products)
        found = self.known.products.get((producer.id, key))
        values = product_values(row, self.province_ids)
        if found is None:
            found = Product(slug=self.known.unique_slug(Product, slug_base(row.product_name)), name_key=key,
                            producer_id=producer.id, **values)  # type: ignore[arg-type]
            self.known.products[(producer.id, key)] = found
            outcome = "created"
        else:
            outcome = update_outcome(found, values)
        self._save(found, "product", outcome)
        if outcome != "unchanged":
            self.touched_products[id(found)] = found
        return found

    def selection_round(self, row: ValidRow) -> SelectionRound:
        """The round the row's certificate was awarded in, created if new."""
        province_id = self.province_ids[row.province.slug] if row.level in _LOCAL_LEVELS else None
        region = row.region.value if row.region else None
        key: RoundKey = (row.level.value, row.issued_on.year, region, province_id, row.decision_number)
        found = self.known.rounds.get(key)
        if found is None:
            found = SelectionRound(level=row.level.value, year=row.issued_on.year, region=region,
                                   province_id=province_id, decision_number=row.decision_number,
                                   decision_date=row.decision_date)
            self.known.rounds[key] = found
            return self._save(found, "round", "created")
        if row.decision_date is not None and assign(found, {"decision_date": row.decision_date}):
            return self._save(found, "round", "updated")
        return self._save(found, "round", "unchanged")

    def certificate(self, row: ValidRow, product: Product, selection_round: SelectionRound) -> Certificate:
        """The row's certificate: a fresh random code on insert, facts updated otherwise."""
        assert product.id is not None  # noqa: S101  (products are flushed before certificates)
        key = (product.id, row.level.value, row.issued_on)
        found = self.known.certificates.get(key)
        values = certificate_values(row, selection_round.id, self.province_ids)
        if found is None:
            found = Certificate(code=self.known.fresh_code(), product_id=product.id, level=row.level.value,
                                issued_on=row.issued_on, valid_until=default_valid_until(row.issued_on),
                                **values)  # type: ignore[arg-type]
            self.known.certificates[key] = found
            outcome = "created"
        else:
            outcome = update_outcome(found, values)
        self._save(found, "certificate", outcome)
        if outcome != "unchanged":
            self.touched_products[id(product)] = product
        return found

    def images(self, row: ValidRow, product: Product, processed: list[ProcessedImage]) -> None:
        """Attach the row's photos the product does not have yet, after its existing ones."""
        assert product.id is not None  # noqa: S101
        for image in processed:
            position = next_image_position(session=self.session, product_id=product.id)
            _, added = attach_image(session=self.session, product=product, processed=image,
                                    alt=product.name, position=position, outbox=False)
            if added:
                self.counts.images_added += 1
                self.touched_products[id(product)] = product

    def finish(self, *, outbox: bool = True) -> ImportCounts:
        """Add one outbox row per product created or changed (directly or via its producer); count."""
        self.session.flush()
        if outbox:
            self._mark_touched_for_reindex()
        return add_outcomes(self.counts, ((kind, outcome) for (kind, _ident), outcome in self.status.items()))

    def _mark_touched_for_reindex(self) -> None:
        """One outbox row per product created or changed, directly or through its producer."""
        touched = {p.id for p in self.touched_products.values() if p.id is not None}
        if self.changed_producers:
            stmt = select(Product.id).where(col(Product.producer_id).in_(self.changed_producers))
            touched.update(i for i in self.session.exec(stmt).all() if i is not None)
        mark_for_reindex(self.session, *sorted(touched))
        self.session.flush()


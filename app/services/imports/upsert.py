"""Writing half of the import: upsert validated rows by their natural keys.

Producer by (folded name, current province); product by (producer, folded name); round by
(level, year, region, province for local rounds, decision number); certificate by
(product, level, issue date). Blank optional cells never erase stored values, so
re-importing a file changes nothing. Helpers flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from slugify import slugify
from sqlmodel import Session, SQLModel, col, select

from app.domain.codes import new_code, number_key
from app.domain.levels import Level
from app.domain.text import fold
from app.domain.validity import default_valid_until
from app.files.images import ProcessedImage
from app.models import Certificate, Producer, Product, SelectionRound, utcnow
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


def slug_base(text: str) -> str:
    """A readable ASCII slug (đ → d), at most 180 characters so suffixes fit."""
    base = str(slugify(text.replace("đ", "d").replace("Đ", "D"), max_length=180, word_boundary=True))
    return base or "muc"


def unique_slug(session: Session, model: type[Producer] | type[Product], text: str) -> str:
    """The slug of `text`, with -2, -3… appended when already taken in `model`'s table."""
    base = slug_base(text)
    column: Any = model.slug
    taken = set(session.exec(select(column).where(sa.or_(column == base, column.like(f"{base}-%")))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def assign(obj: SQLModel, values: dict[str, object]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


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
        self.status: dict[tuple[str, object], str] = {}
        self.touched_products: set[int] = set()
        self.changed_producers: set[int] = set()

    def _mark(self, kind: str, ident: object, outcome: str) -> None:
        """Record created/updated/unchanged once per row object, upgrading unchanged → updated."""
        key = (kind, ident)
        previous = self.status.get(key)
        if previous is None or (previous == "unchanged" and outcome == "updated"):
            self.status[key] = outcome

    def producer(self, row: ValidRow) -> Producer:
        """The producer of the row, created or updated."""
        province_id = self.province_ids[row.current_province.slug]
        key = fold(row.producer_name)
        found = self.session.exec(
            select(Producer).where(Producer.name_key == key, Producer.province_id == province_id)
        ).first()
        optional = {"legal_form": row.legal_form.value if row.legal_form else None, "address": row.address,
                    "phone": row.phone, "email": row.email, "website": row.website}
        values: dict[str, object] = {"name": row.producer_name}
        values.update({k: v for k, v in optional.items() if v is not None})
        if found is None:
            found = Producer(slug=unique_slug(self.session, Producer, row.producer_name), name_key=key,
                             province_id=province_id, **values)  # type: ignore[arg-type]
            return self._save(found, "producer", "created")
        outcome = update_outcome(found, values)
        if outcome == "updated":
            self.changed_producers.add(found.id or 0)
        return self._save(found, "producer", outcome)

    def _save(self, obj: M, kind: str, outcome: str) -> M:
        """Flush a new or changed row and count it."""
        if outcome != "unchanged":
            self.session.add(obj)
            self.session.flush()
        self._mark(kind, getattr(obj, "id", None), outcome)
        return obj

    def product(self, row: ValidRow, producer: Producer) -> Product:
        """The row's product, created or updated; touched products get an outbox row."""
        key = fold(row.product_name)
        found = self.session.exec(
            select(Product).where(Product.producer_id == producer.id, Product.name_key == key)
        ).first()
        values: dict[str, object] = {"name": row.product_name, "group": row.group.value,
                                     "province_id": self.province_ids[row.current_province.slug]}
        if row.description is not None:
            values["description"] = row.description
        if found is None:
            found = Product(slug=unique_slug(self.session, Product, row.product_name), name_key=key,
                            producer_id=producer.id, **values)  # type: ignore[arg-type]
            outcome = "created"
        else:
            outcome = update_outcome(found, values)
        self._save(found, "product", outcome)
        if outcome != "unchanged" and found.id is not None:
            self.touched_products.add(found.id)
        return found

    def selection_round(self, row: ValidRow) -> SelectionRound:
        """The round the row's certificate was awarded in, created if new."""
        province_id = self.province_ids[row.province.slug] if row.level in _LOCAL_LEVELS else None
        region = row.region.value if row.region else None
        where = [
            SelectionRound.level == row.level.value,
            SelectionRound.year == row.issued_on.year,
            _equal_or_null(SelectionRound.region, region),
            _equal_or_null(SelectionRound.province_id, province_id),
            _equal_or_null(SelectionRound.decision_number, row.decision_number),
        ]
        found = self.session.exec(select(SelectionRound).where(*where)).first()
        if found is None:
            found = SelectionRound(level=row.level.value, year=row.issued_on.year, region=region,
                                   province_id=province_id, decision_number=row.decision_number,
                                   decision_date=row.decision_date)
            return self._save(found, "round", "created")
        if row.decision_date is not None and assign(found, {"decision_date": row.decision_date}):
            return self._save(found, "round", "updated")
        return self._save(found, "round", "unchanged")

    def certificate(self, row: ValidRow, product: Product, selection_round: SelectionRound) -> Certificate:
        """The row's certificate: a fresh random code on insert, facts updated otherwise."""
        found = self.session.exec(select(Certificate).where(
            Certificate.product_id == product.id, Certificate.level == row.level.value,
            Certificate.issued_on == row.issued_on,
        )).first()
        values: dict[str, object] = {"round_id": selection_round.id,
                                     "province_id": self.province_ids[row.province.slug]}
        if row.certificate_number is not None:
            values.update(number=row.certificate_number, number_key=number_key(row.certificate_number))
        if row.score is not None:
            values["score"] = row.score
        if found is None:
            assert product.id is not None  # noqa: S101
            found = Certificate(code=self._fresh_code(), product_id=product.id, level=row.level.value,
                                issued_on=row.issued_on, valid_until=default_valid_until(row.issued_on),
                                **values)  # type: ignore[arg-type]
            outcome = "created"
        else:
            outcome = update_outcome(found, values)
        self._save(found, "certificate", outcome)
        if outcome != "unchanged" and product.id is not None:
            self.touched_products.add(product.id)
        return found

    def _fresh_code(self) -> str:
        """A random verification code not used by any certificate yet."""
        while True:
            code = new_code()
            if self.session.exec(select(Certificate.id).where(Certificate.code == code)).first() is None:
                return code

    def images(self, row: ValidRow, product: Product, processed: list[ProcessedImage]) -> None:
        """Attach the row's photos the product does not have yet, after its existing ones."""
        assert product.id is not None  # noqa: S101
        for image in processed:
            position = next_image_position(session=self.session, product_id=product.id)
            _, added = attach_image(session=self.session, product=product, processed=image,
                                    alt=product.name, position=position, outbox=False)
            if added:
                self.counts.images_added += 1
                self.touched_products.add(product.id)

    def finish(self) -> ImportCounts:
        """Add one outbox row per product created or changed (directly or via its producer); count."""
        if self.changed_producers:
            stmt = select(Product.id).where(col(Product.producer_id).in_(self.changed_producers))
            self.touched_products.update(i for i in self.session.exec(stmt).all() if i is not None)
        mark_for_reindex(self.session, *sorted(self.touched_products))
        self.session.flush()
        tallies = {"producer": self.counts.producers, "product": self.counts.products,
                   "certificate": self.counts.certificates, "round": self.counts.rounds}
        for (kind, _ident), outcome in self.status.items():
            tally = tallies[kind]
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        return self.counts


def _equal_or_null(column: Any, value: object) -> Any:
    """`column = value`, or `column IS NULL` when value is None."""
    return column.is_(None) if value is None else column == value

"""A large synthetic catalog written straight into the database, to measure search at scale.

`cnnt demo --synthetic N` makes N invented products (word lists of words.py), spread over
the 34 provinces and their former ones, the 4 groups, every level (huyện before 01/07/2025,
xã after), years 2012–2026, with shared producers (each making one trade's products, as in
the demo) and a few revocations. It does NOT go
through the spreadsheet importer: row-by-row lookups and slug checks make that take many
minutes for 100,000 products, while Core bulk inserts in one transaction take seconds. No
photos. Deterministic for a seed; contacts are visibly fictitious.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from app.domain.codes import CODE_ALPHABET, CODE_LENGTH, number_key
from app.domain.groups import ProductGroup
from app.domain.levels import DISTRICTS_ABOLISHED, Level
from app.domain.provinces import ProvinceInfo
from app.domain.states import ProductState
from app.domain.text import fold
from app.domain.validity import default_valid_until
from app.models import Certificate, Producer, Product, Province, SelectionRound
from app.services.demo.catalog import (
    FIRST_YEAR,
    LAST_DEMO_DAY,
    LAST_YEAR,
    DemoCertificate,
    RoundCalendar,
    demo_formers,
    demo_provinces,
)
from app.services.demo.words import (
    BRANDS,
    COMMUNES,
    GROUP_SENTENCES,
    LEGAL_FORMS,
    PRODUCTS,
    REVOCATION_REASONS,
    person_name,
)
from app.services.imports.upsert import slug_base

SYNTHETIC_SEED = 2026
INSERT_BATCH = 5000
REVOKED_SHARE = 0.03
SHARED_PRODUCER_SHARE = 0.6
# Extra words that make names of the same stem and brand differ, as real catalogs do.
VARIANTS = ("", "", "", "đặc biệt", "truyền thống", "cao cấp", "loại 1", "hữu cơ", "gia truyền",
            "xuất khẩu", "quà biếu", "làng nghề", "thượng hạng")
GROUP_WEIGHTS = (3, 5, 2, 1)


def _utc_now() -> datetime:
    """One timestamp for every synthetic row."""
    return datetime.now(UTC)


@dataclass(slots=True)
class SyntheticRows:
    """Rows of every table, as dicts for Core bulk inserts, with ids assigned up front."""

    producers: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)


class _Slugs:
    """Unique slugs from names without a query per row: one slugify per distinct name."""

    def __init__(self) -> None:
        self.bases: dict[str, str] = {}
        self.next_suffix: dict[str, int] = {}
        self.taken: set[str] = set()

    def __call__(self, text: str) -> str:
        """The slug of `text`, with -2, -3… when already handed out."""
        base = self.bases.get(text) or self.bases.setdefault(text, slug_base(text))
        slug, n = base, self.next_suffix.get(base, 1)
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.next_suffix[base] = n
        self.taken.add(slug)
        return slug


def _chain(rng: random.Random, start: int) -> list[tuple[Level, int]]:
    """(level, year) of a product's certificates, climbing local → provincial → regional → national."""
    year, chain = start, []
    if rng.random() < 0.45:
        local = Level.huyen if year < 2025 else Level.xa
        chain.append((rng.choice([Level.huyen, Level.xa]) if year == 2025 else local, year))
        if year == LAST_YEAR or rng.random() < 0.45:
            return chain
        year += 1
    chain.append((Level.tinh, year))
    regional = next((y for y in range(year + 1, min(year + 3, LAST_YEAR) + 1) if y % 2 == 0), None)
    if regional is None or rng.random() < 0.6:
        return chain
    chain.append((Level.khu_vuc, regional))
    if regional + 1 <= 2025 and rng.random() < 0.6:
        chain.append((Level.quoc_gia, regional + 1))
    return chain


def _certified_in(level: Level, year: int, origin: ProvinceInfo, current: ProvinceInfo) -> ProvinceInfo:
    """Before the merger a product is certified in its former province, after it in the current one."""
    before = year < DISTRICTS_ABOLISHED.year or (year == DISTRICTS_ABOLISHED.year and level == Level.huyen)
    return origin if before else current


class SyntheticCatalog:
    """Builds the rows of `count` products; ids start after the ones already in the database."""

    def __init__(self, count: int, *, seed: int, province_ids: dict[str, int],
                 first_ids: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.province_ids = province_ids
        self.next_ids = dict(first_ids)
        self.calendar = RoundCalendar(self.rng)
        self.rows = SyntheticRows()
        self.slugs = {"product": _Slugs(), "producer": _Slugs()}
        self.producers: dict[tuple[str, str], list[tuple[int, set[str]]]] = {}
        self.producer_names: set[tuple[str, int]] = set()
        self.codes: set[str] = set()
        self.round_ids: dict[tuple[str, int, str], int] = {}
        self.now = _utc_now()

    def _id(self, table: str) -> int:
        """The next id of `table`."""
        self.next_ids[table] += 1
        return self.next_ids[table]

    def build(self) -> SyntheticRows:
        """Every row: products round-robin over the 34 provinces, years over 2012–2026."""
        currents = demo_provinces()
        groups = list(ProductGroup)
        for n in range(self.count):
            current = currents[n % len(currents)]
            formers = demo_formers(current)
            origin = self.rng.choice(formers) if formers and self.rng.random() < 0.7 else current
            group = groups[n % 4] if n < 4 else self.rng.choices(groups, weights=GROUP_WEIGHTS)[0]
            self._product(n, group, origin, current)
        return self.rows

    def _product(self, n: int, group: ProductGroup, origin: ProvinceInfo, current: ProvinceInfo) -> None:
        """One product, its (new or shared) producer and its certificates."""
        stem, trade = self.rng.choice(PRODUCTS[group.value])
        brand = self.rng.choice(BRANDS)
        name = " ".join(part for part in (stem, brand, self.rng.choice(VARIANTS)) if part)
        producer_id, names = self._producer(current, trade, brand, name)
        names.add(name)
        product_id = self._id("product")
        self.rows.products.append({
            "id": product_id, "slug": self.slugs["product"](name), "name": name, "name_key": fold(name),
            "group": group.value, "state": ProductState.PUBLISHED, "producer_id": producer_id,
            "province_id": self.province_ids[current.slug], "created_at": self.now, "updated_at": self.now,
            "description": f"{name}: {GROUP_SENTENCES[group.value]} (Dữ liệu minh họa.)",
        })
        start = FIRST_YEAR + n % (LAST_YEAR - FIRST_YEAR + 1)
        for level, year in _chain(self.rng, start):
            self._certificate(product_id, level, year, _certified_in(level, year, origin, current))

    def _producer(self, current: ProvinceInfo, trade: str, brand: str, name: str) -> tuple[int, set[str]]:
        """A producer in `current`: often one already making other products, else a new one."""
        known = self.producers.setdefault((current.slug, trade), [])  # a producer makes one kind of product
        if known and self.rng.random() < SHARED_PRODUCER_SHARE:
            chosen = self.rng.choice(known)
            if name not in chosen[1]:
                return chosen
        prefix, label = self.rng.choice(LEGAL_FORMS)
        base = f"{prefix} {trade} {person_name(self.rng) if label == 'Hộ kinh doanh' else brand}"
        province_id, title, k = self.province_ids[current.slug], base, 1
        while (fold(title), province_id) in self.producer_names:
            k += 1
            title = f"{base} {k}"
        self.producer_names.add((fold(title), province_id))
        producer_id = self._id("producer")
        commune = self.rng.choice(COMMUNES[current.slug])  # real, with a fictitious house number
        self.rows.producers.append({
            "id": producer_id, "slug": self.slugs["producer"](title), "name": title, "name_key": fold(title),
            "legal_form": label, "address": f"Số 00, {commune}, {current.name}",
            "phone": f"0900 {producer_id // 1000 % 1000:03d} {producer_id % 1000:03d}",
            "email": f"lienhe{producer_id}@vi-du.example", "website": f"https://vi-du.example/co-so-{producer_id}",
            "province_id": province_id, "created_at": self.now, "updated_at": self.now,
        })
        known.append((producer_id, set()))
        return known[-1]

    def _code(self) -> str:
        """A fresh verification code from the seeded generator (fine for made-up data)."""
        while True:
            code = "".join(self.rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _certificate(self, product_id: int, level: Level, year: int, where: ProvinceInfo) -> None:
        """One certificate of this level's round in `year`; a few are revoked."""
        cert = self.calendar.certificate(level, year, where)
        valid_until = default_valid_until(cert.issued_on)
        revoked_on, reason = None, None
        if self.rng.random() < REVOKED_SHARE:
            latest = min(valid_until, LAST_DEMO_DAY)
            days = self.rng.randint(120, 1000)
            revoked_on = max(cert.issued_on, min(latest, cert.issued_on + timedelta(days=days)))
            reason = self.rng.choice(REVOCATION_REASONS)
        self.rows.certificates.append({
            "id": self._id("certificate"), "code": self._code(), "number": cert.number,
            "number_key": number_key(cert.number) if cert.number else None, "level": level.value,
            "issued_on": cert.issued_on, "valid_until": valid_until, "revoked_on": revoked_on,
            "revoked_reason": reason, "score": cert.score, "product_id": product_id,
            "round_id": self._round_id(cert, where), "province_id": self.province_ids[where.slug],
            "created_at": self.now, "updated_at": self.now,
        })

    def _round_id(self, cert: DemoCertificate, where: ProvinceInfo) -> int:
        """The id of the certificate's round (one row per level, year and province or region)."""
        level = cert.level
        place = cert.region.value if level == Level.khu_vuc and cert.region else where.slug
        key = (level.value, cert.issued_on.year, "" if level == Level.quoc_gia else place)
        if key not in self.round_ids:
            self.round_ids[key] = self._id("round")
            local = level not in (Level.khu_vuc, Level.quoc_gia)
            self.rows.rounds.append({
                "id": self.round_ids[key], "level": level.value, "year": cert.issued_on.year,
                "region": cert.region.value if cert.region and level == Level.khu_vuc else None,
                "province_id": self.province_ids[where.slug] if local else None,
                "decision_number": cert.decision_number, "decision_date": cert.decision_date,
            })
        return self.round_ids[key]


_TABLES: tuple[tuple[str, type[SQLModel]], ...] = (
    ("producer", Producer), ("product", Product), ("round", SelectionRound), ("certificate", Certificate),
)


def _batches(rows: list[dict[str, Any]], size: int = INSERT_BATCH) -> Iterator[list[dict[str, Any]]]:
    """Rows in slices of `size`: bounded statement sizes and memory per executemany."""
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _first_ids(session: Session) -> dict[str, int]:
    """The highest id of every table we insert into (0 when empty)."""
    return {name: int(session.exec(select(func.coalesce(func.max(col(model.id)), 0))).one())  # type: ignore[attr-defined]
            for name, model in _TABLES}


def insert_synthetic(*, session: Session, count: int, seed: int = SYNTHETIC_SEED) -> SyntheticRows:
    """Generate and bulk-insert `count` products with producers, rounds and certificates; caller commits.

    Only into a catalog without products: slugs, names and codes are made unique among the
    generated rows alone, without a lookup per row.
    """
    if session.exec(select(Product.id)).first() is not None:
        raise ValueError("synthetic data only goes into an empty catalog")
    province_ids = {slug: pid for pid, slug in session.exec(select(Province.id, Province.slug)).all()
                    if pid is not None}
    catalog = SyntheticCatalog(count, seed=seed, province_ids=province_ids, first_ids=_first_ids(session))
    rows = catalog.build()
    for name, model in _TABLES:
        table = sa.inspect(model).local_table
        for batch in _batches(getattr(rows, "rounds" if name == "round" else f"{name}s")):
            session.execute(sa.insert(table), batch)
        if session.get_bind().dialect.name == "postgresql":  # explicit ids leave the sequence behind
            session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 - table names are constants
                                    f"(SELECT max(id) FROM {table.name}))"))
    return rows

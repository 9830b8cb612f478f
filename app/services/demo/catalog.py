"""The demo catalog as spreadsheet rows: the 27 real sample products plus generated ones.

Pure and deterministic (a seeded random.Random): the same seed gives the same rows, so
loading the demo twice changes nothing. Contacts are visibly fictitious.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from app.domain.groups import ProductGroup
from app.domain.levels import DISTRICTS_ABOLISHED, Level
from app.domain.parsing import parse_date
from app.domain.provinces import (
    DATA_DIR,
    ProvinceInfo,
    current_provinces,
    formers_of,
    resolve_province,
    successor_of,
)
from app.domain.regions import Region, parse_region
from app.services.demo.words import (
    BRANDS,
    COMMUNES,
    GROUP_SENTENCES,
    LEGAL_FORMS,
    PEOPLE,
    PRODUCTS,
    person_name,
)

FIRST_YEAR, LAST_YEAR = 2012, 2026
LAST_DEMO_DAY = date(2026, 10, 31)
_DECISION = re.compile(r"QĐ\s+(\S+)\s+(\d{1,2}/\d{1,2}/\d{4})")
_LOCALITY = re.compile(r"\(([^()]+)\)\s*$")
PLACEHOLDER_PRODUCER = "Cơ sở sản xuất {product} (nguồn chưa nêu tên cơ sở – tên minh họa)"


@dataclass(slots=True)
class DemoCertificate:
    """One certificate of a demo product, with its round's facts."""

    level: Level
    issued_on: date
    province: ProvinceInfo
    region: Region | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    number: str | None = None
    score: float | None = None


@dataclass(slots=True)
class DemoProduct:
    """A product with its producer and certificates, as the demo spreadsheet lists it."""

    index: int
    name: str
    group: ProductGroup
    producer: str
    legal_form: str | None
    current: ProvinceInfo
    description: str
    certificates: list[DemoCertificate] = field(default_factory=list)
    real: bool = False
    contact: int = 0
    locality: str = ""  # the commune or district a real sample names (a real commune for generated ones)

    @property
    def address(self) -> str:
        """A visibly fictitious house number (00) in the real locality and province: search indexes
        the place names only, so "tan cuong" finds the tea of Tân Cương."""
        return ", ".join(part for part in ("Số 00", self.locality, self.current.name) if part)


@cache
def _region_guesses() -> dict[str, Region]:
    """Current province slug → region, from the packaged (inferred) guesses."""
    guesses: dict[str, Region] = {}
    with (DATA_DIR / "provinces_2025_codes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            info = resolve_province(row["new_province"])
            region = parse_region(row["cnnt_khu_vuc_guess"].split("(")[0])
            if info is not None and region is not None:
                guesses[info.slug] = region
    return guesses


class RoundCalendar:
    """One date, decision and running certificate number per round, shared by its winners."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rounds: dict[tuple[str, int, str], tuple[date, str]] = {}
        self.numbers: dict[tuple[str, int, str], int] = {}

    def _date(self, level: Level, year: int) -> date:
        """A plausible day for this level's round in `year` (local rounds before July in 2025)."""
        months = {Level.huyen: (3, 6), Level.xa: (8, 10), Level.tinh: (7, 10), Level.khu_vuc: (9, 10),
                  Level.quoc_gia: (11, 12)}[level]
        if level == Level.tinh and year == 2025:
            months = (8, 10)
        return date(year, self.rng.randint(*months), self.rng.randint(1, 28))

    def certificate(self, level: Level, year: int, province: ProvinceInfo) -> DemoCertificate:
        """The certificate a product in `province` gets in this level's round of `year`."""
        region = _region_guesses()[province.slug if province.is_current else province.successor_slug or ""]
        where = region.value if level == Level.khu_vuc else "" if level == Level.quoc_gia else province.slug
        key = (level.value, year, where)
        if key not in self.rounds:
            issuer = "QĐ-BCT" if level in (Level.khu_vuc, Level.quoc_gia) else "QĐ-UBND"
            self.rounds[key] = (self._date(level, year), f"{self.rng.randint(100, 3999)}/{issuer}")
        issued_on, decision = self.rounds[key]
        self.numbers[key] = self.numbers.get(key, 0) + 1
        number = f"{self.numbers[key]:03d}/{year}/GCN-{'BCT' if issuer_is_ministry(level) else 'SCT'}"
        score = None if self.rng.random() < 0.2 else round(self.rng.uniform(70, 96), 1)
        return DemoCertificate(level=level, issued_on=issued_on, province=province,
                               region=region if level == Level.khu_vuc else None, decision_number=decision,
                               decision_date=issued_on, number=number, score=score)


def issuer_is_ministry(level: Level) -> bool:
    """Regional and national rounds are run by the ministry, the others by provinces."""
    return level in (Level.khu_vuc, Level.quoc_gia)


def _legal_form_of(producer: str) -> str | None:
    """A legal form label guessed from a real producer's name (blank when unclear)."""
    lowered = producer.lower()
    prefixes = (("công ty", "Doanh nghiệp"), ("dntn", "Doanh nghiệp"), ("xí nghiệp", "Doanh nghiệp"),
                ("htx", "HTX"), ("hợp tác xã", "HTX"), ("cơ sở", "Hộ kinh doanh"))
    for prefix, label in prefixes:
        if lowered.startswith(prefix):
            return label
    return None


def _real_certificate(row: dict[str, str], province: ProvinceInfo,
                      calendar: RoundCalendar) -> DemoCertificate:
    """The certificate a sample product really got: level, year, decision when the source gives it."""
    level_text, _, region_text = row["level"].partition(" (")
    level = Level(level_text.strip())
    cert = calendar.certificate(level, int(row["year"]), province)
    # The sources give no printed number or score, and a decision only sometimes: never invent them.
    cert.number, cert.score, cert.decision_number, cert.decision_date = None, None, None, None
    if region_text:
        cert.region = parse_region(region_text.rstrip(")"))
    if match := _DECISION.search(row["decision"]):
        cert.decision_number, cert.decision_date = match[1], parse_date(match[2])
        cert.issued_on = cert.decision_date
    return cert


def _real_description(row: dict[str, str]) -> str:
    """Say what is sourced and what is illustrative about a real sample product."""
    day_note = "" if row["decision"].strip() else " Ngày cấp trong dữ liệu minh họa là giả định."
    return (
        f"Sản phẩm thật: cấp chứng nhận và năm theo nguồn {row['source_url'].strip()}.{day_note} "
        "Thông tin liên hệ là giả (dữ liệu minh họa)."
    )


def _locality_of(producer: str) -> str:
    """The place a sample's producer is named with, in brackets: "HTX Mã Châu (Duy Xuyên)" → "Duy Xuyên"."""
    match = _LOCALITY.search(producer)
    return match[1].strip() if match and not producer.startswith("(") else ""


def real_products(calendar: RoundCalendar) -> list[DemoProduct]:
    """The 27 products of app/data/sample_products.csv with their published facts."""
    products: list[DemoProduct] = []
    with (DATA_DIR / "sample_products.csv").open(encoding="utf-8") as f:
        for index, row in enumerate(csv.DictReader(f), start=1):
            province = resolve_province(row["old_province"])
            assert province is not None, row["old_province"]  # noqa: S101 - packaged data
            name = row["product_name"].strip()
            producer = row["producer"].strip()
            if producer.startswith("(producer not named"):
                producer = PLACEHOLDER_PRODUCER.format(product=name)
            cert = _real_certificate(row, province, calendar)
            products.append(DemoProduct(
                index=index, name=name, group=ProductGroup(row["group"].split("(")[0].strip()),
                producer=producer, legal_form=_legal_form_of(producer), current=successor_of(province),
                description=_real_description(row), certificates=[cert],
                real=True, contact=index, locality=_locality_of(row["producer"]),
            ))
    return products


def _province_at(level: Level, year: int, origin: ProvinceInfo, current: ProvinceInfo) -> ProvinceInfo:
    """Before the merger a product is certified in its former province, after it in the current one."""
    merger_year = DISTRICTS_ABOLISHED.year
    before_merger = year < merger_year or (year == merger_year and level == Level.huyen)
    return origin if before_merger else current


def _chain(rng: random.Random, calendar: RoundCalendar, start: int, origin: ProvinceInfo,
           current: ProvinceInfo) -> list[DemoCertificate]:
    """Certificates climbing the levels: local → provincial → regional (even year) → national (odd)."""
    certs: list[DemoCertificate] = []

    def award(level: Level, year: int) -> None:
        """Add the certificate of this level's round in `year`."""
        certs.append(calendar.certificate(level, year, _province_at(level, year, origin, current)))

    year = start
    if rng.random() < 0.45:
        local = Level.huyen if year < 2025 else Level.xa
        if year == 2025:
            local = rng.choice([Level.huyen, Level.xa])
        award(local, year)
        if year == LAST_YEAR or rng.random() < 0.45:
            return certs
        year += 1
    award(Level.tinh, year)
    regional = next((y for y in range(year + 1, min(year + 3, LAST_YEAR) + 1) if y % 2 == 0), None)
    if regional is None or rng.random() < 0.6:
        return certs
    award(Level.khu_vuc, regional)
    if regional + 1 <= 2025 and rng.random() < 0.6:
        award(Level.quoc_gia, regional + 1)
    return certs


@dataclass(frozen=True, slots=True)
class DemoProducer:
    """A generated producer: its name, legal form, contact number, trade and commune."""

    name: str
    legal_form: str
    contact: int
    trade: str
    locality: str


class _Namer:
    """Distinct product names and fictitious producers per province, each making one kind of product.

    The main generator is drawn exactly as before this class chose producers by trade (the judged
    demo slugs of tests/search/relevance_judgments.py depend on it); what a producer is called and
    which one a product shares comes from a second generator seeded per product.
    """

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seed = seed
        self.names: set[str] = set()
        self.producers: dict[str, list[DemoProducer]] = {}  # every producer of a province
        self.drawn: dict[str, int] = {}  # how many the main generator drew a shared one among, as before

    def product(self, group: ProductGroup) -> tuple[str, str, str]:
        """A new product name, its trade word and brand."""
        while True:
            stem, trade = self.rng.choice(PRODUCTS[group.value])
            brand = self.rng.choice(BRANDS)
            name = f"{stem} {brand}"
            if name not in self.names:
                self.names.add(name)
                return name, trade, brand

    def producer(self, province: ProvinceInfo, trade: str, brand: str, contact: int) -> DemoProducer:
        """A producer in `province` that makes `trade`: an earlier one now and then, else a new one."""
        aux = random.Random(f"{self.seed}-producer-{contact}")
        known = self.producers.setdefault(province.slug, [])
        drawn = self.drawn.get(province.slug, 0)
        if drawn and self.rng.random() < 0.15:
            self.rng.choice(range(drawn))  # drawn as before, so the products after it stay the same
            same_trade = [p for p in known if p.trade == trade]
            if same_trade:
                return aux.choice(same_trade)
            prefix, label = aux.choice(LEGAL_FORMS)
        else:
            prefix, label = self.rng.choice(LEGAL_FORMS)
            if label == "Hộ kinh doanh":
                self.rng.choice(PEOPLE)  # drawn as before; the person's name comes from `aux`
            self.drawn[province.slug] = drawn + 1
        household = label == "Hộ kinh doanh"  # "Hộ kinh doanh rượu Lê Công Long", "HTX Sơn mài Hương Quê"
        title = (f"{prefix} {trade} {person_name(aux)}" if household
                 else f"{prefix} {trade.capitalize()} {brand}")
        producer = DemoProducer(title, label, contact, trade, aux.choice(COMMUNES[province.slug]))
        known.append(producer)
        return producer


def demo_provinces() -> list[ProvinceInfo]:
    """The 34 provinces in official-code order, the order the seeded draws were made in.

    Pages list provinces in Vietnamese order (`all_provinces`); the demo must not follow that
    order, or every draw after a province pick would change, and with it the generated names and
    slugs the relevance judgments (tests/search/relevance_judgments.py) and benchmarks name.
    """
    return sorted(current_provinces(), key=lambda p: p.code or "")


def demo_formers(current: ProvinceInfo) -> list[ProvinceInfo]:
    """The former provinces merged into `current`, in slug order (as the seeded draws were made)."""
    return sorted(formers_of(current), key=lambda p: p.slug)


def generated_products(rng: random.Random, calendar: RoundCalendar, *, count: int, first_index: int,
                       seed: int = 2025) -> list[DemoProduct]:
    """`count` invented products spread over all 34 provinces, years, groups and levels."""
    currents, namer = demo_provinces(), _Namer(rng, seed)
    groups = list(ProductGroup)
    products: list[DemoProduct] = []
    for n in range(count):
        current = currents[n % len(currents)]
        formers = demo_formers(current)
        origin = rng.choice(formers) if formers and rng.random() < 0.7 else current
        group = groups[n % len(groups)] if n < len(groups) else rng.choices(groups, weights=(3, 5, 2, 1))[0]
        name, trade, brand = namer.product(group)
        index = first_index + n
        producer = namer.producer(current, trade, brand, index)
        certs = _chain(rng, calendar, FIRST_YEAR + n % (LAST_YEAR - FIRST_YEAR + 1), origin, current)
        products.append(DemoProduct(
            index=index, name=name, group=group, producer=producer.name, legal_form=producer.legal_form,
            current=current, description=f"{name}: {GROUP_SENTENCES[group.value]} (Dữ liệu minh họa.)",
            certificates=certs, contact=producer.contact, locality=producer.locality,
        ))
    return products


def demo_products(seed: int = 2025, *, generated: int = 300) -> list[DemoProduct]:
    """The whole demo catalog: the real sample products first, then generated ones."""
    rng = random.Random(seed)
    calendar = RoundCalendar(rng)
    real = real_products(calendar)
    return real + generated_products(rng, calendar, count=generated, first_index=len(real) + 1, seed=seed)


def spreadsheet_rows(products: list[DemoProduct]) -> list[dict[str, object]]:
    """One winners-spreadsheet row per certificate, with visibly fictitious contacts."""
    rows: list[dict[str, object]] = []
    for product in products:
        for cert in product.certificates:
            rows.append({
                "certificate_number": cert.number, "level": cert.level.label, "issued_on": cert.issued_on,
                "decision_number": cert.decision_number, "decision_date": cert.decision_date,
                "region": cert.region.label if cert.region else None, "province": cert.province.name,
                "product_name": product.name, "product_group": product.group.label,
                "description": product.description, "producer_name": product.producer,
                "legal_form": product.legal_form, "address": product.address,
                "phone": f"0900 000 {product.contact:03d}", "email": f"lienhe{product.contact}@vi-du.example",
                "website": f"https://vi-du.example/co-so-{product.contact}", "score": cert.score,
                "images": None,  # no photos: pages show the product's illustration
            })
    return rows

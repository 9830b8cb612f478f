"""The search document of a product: the one shape both engines index.

Validity is never a stored boolean: documents carry `validity`, the summary of
app/domain/standing.py (per level, the runs of days with a valid certificate and the
revocation of the one that ends last), and engines evaluate it on the query's `today`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import NamedTuple, TypedDict, cast

import orjson
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.provinces import province_by_slug
from app.domain.standing import ANY, Summary, day_key, summarise
from app.domain.states import ProductState
from app.models import Certificate, Producer, Product, ProductImage, Province, SelectionRound

BATCH_SIZE = 500
# Highlight markers: private-use characters the engines put around matched words and templates turn
# into <mark> after escaping. They are reserved: a name typed with them would inject <mark> elements.
MARK_START = "\ue000"
MARK_END = "\ue001"
# Words of letters only: an address's house and lot numbers would otherwise match printed
# certificate and decision numbers typed as a query.
_ADDRESS_WORD = re.compile(r"[^\W\d_]+")
# Administrative-unit and street words: nearly every address has them, so indexed they would
# make "đường" (sugar) or "số" find every product on a street. Place names stay ("Châu Thành").
_ADDRESS_UNITS = re.compile(
    r"\b(?:thành phố|thị trấn|thị xã|khu phố|tp|tx|tt|xã|phường|quận|huyện|tỉnh|đường|phố|số|thôn|xóm|"
    r"ấp|bản|tổ|khu|khóm|khối|ngõ|ngách|hẻm|kiệt|quốc lộ|ql)\b", re.IGNORECASE)


class ProductDocument(TypedDict):
    """Everything search needs about one product; dates as yyyymmdd integers for filters."""

    id: int
    slug: str
    name: str
    description: str
    group: str
    levels: list[str]  # every level the product was ever certified at
    years: list[int]
    province: str  # current province slug
    province_name: str
    certified_provinces: list[str]  # slugs of the provinces at certification
    producer_name: str
    producer_slug: str
    address: str  # the producer's address as written (commune, district …), "" if none
    certificate_numbers: list[str]
    certificate_codes: list[str]
    decision_numbers: list[str]
    validity: Summary  # app.domain.standing: what decides the status at each level on any day
    latest_issued: int  # yyyymmdd of the newest certificate, for "newest" sort
    image: str  # content hash of the cover photo, "" if none
    fingerprint: str  # hash of all fields above, for drift checks


date_key = day_key  # the engines' name for it: dates as yyyymmdd integers


def valid_through(doc: ProductDocument) -> int:
    """The last day (yyyymmdd) on which the product holds a valid certificate, 0 if never.

    Both engines break relevance ties on it, latest first: a product valid today always ends
    later than one that has expired, and a revoked certificate counts only up to its
    revocation (the runs end there), so the order never goes stale as days pass.
    """
    runs = doc["validity"].get(ANY, {"runs": []})["runs"]
    return max((last for _, last in runs), default=0)


def searchable_texts(doc: ProductDocument) -> tuple[str, str, str, str, str, str]:
    """The texts search matches: name, producer, printed numbers, description, province names
    (current, then the former ones certified in) and the address words."""
    numbers = [*doc["certificate_numbers"], *doc["certificate_codes"], *doc["decision_numbers"]]
    province_names = [doc["province_name"]]
    for slug in doc["certified_provinces"]:
        former = province_by_slug(slug)
        if former is not None and former.name not in province_names:
            province_names.append(former.name)
    return (doc["name"], doc["producer_name"], " ".join(numbers), doc["description"],
            " ".join(province_names), address_words(doc["address"]))


def _without_markers(text: str) -> str:
    """`text` without the reserved mark characters (replace finds none quickly; translate with a
    table looked up every character, a tenth of a rebuild's document building)."""
    return text.replace(MARK_START, "").replace(MARK_END, "")


@lru_cache(maxsize=1 << 16)  # a producer's products share its address: a rebuild splits each once
def address_words(address: str) -> str:
    """The words of an address that search indexes (at a low weight): the place names, without
    numbers or the words for units and streets."""
    return " ".join(_ADDRESS_WORD.findall(_ADDRESS_UNITS.sub(" ", unicodedata.normalize("NFC", address))))


def document_fingerprint(fields: dict[str, object]) -> str:
    """sha1 of the canonical JSON of every field but the fingerprint: equal documents, equal hashes."""
    payload = {k: v for k, v in fields.items() if k != "fingerprint"} if "fingerprint" in fields else fields
    # orjson's sorted compact UTF-8 is byte for byte json.dumps(sort_keys=True, ensure_ascii=False,
    # separators=(",", ":")), the form fingerprints were always taken of: stored ones stay equal.
    try:
        canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson cannot write (an integer past 64 bits) the standard library can
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha1(canonical, usedforsecurity=False).hexdigest()


class _CertificateFacts(NamedTuple):
    """What one certificate contributes to its product's document (a plain tuple: built 100,000s
    of times in a rebuild, where ORM rows and their instrumented attributes were most of the cost)."""

    level: str
    issued_on: date
    valid_until: date
    revoked_on: date | None
    province_id: int
    number: str | None
    code: str
    decision_number: str | None


class _ProductRow(NamedTuple):
    """The columns of a product and its producer that its document reads."""

    id: int
    slug: str
    name: str
    description: str | None
    group: str
    province_id: int
    producer_name: str
    producer_slug: str
    address: str | None


# What a document takes from its certificates' dates alone: products certified in the same rounds
# share it, so a rebuild computes it once per distinct set (bounded; each document gets a copy).
_DatesKey = tuple[tuple[str, date, date, date | None], ...]
_VALIDITY_MEMO = 1 << 14


def _chunks(ids: Iterable[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    """Ids in lists of at most `size`, so IN (...) lists stay within database limits."""
    batch: list[int] = []
    for product_id in ids:
        batch.append(product_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _province_slugs(session: Session) -> dict[int, tuple[str, str]]:
    """Province id → (slug, name), one small query for every document of the call."""
    rows = session.exec(select(Province.id, Province.slug, Province.name)).all()
    return {pid: (slug, name) for pid, slug, name in rows if pid is not None}


def _among(column: int | None, ids: list[int]) -> sa.ColumnElement[bool]:
    """`column` (a model's id column) IN ids, or BETWEEN their ends when they fill half that range or
    more (a rebuild's batches): other ids then match too and the caller skips them, which costs less
    than building and binding hundreds of parameters per query."""
    low, high = min(ids), max(ids)
    return col(column).between(low, high) if high - low < 2 * len(ids) else col(column).in_(ids)


def _published_products(session: Session, ids: list[int]) -> list[_ProductRow]:
    """The published ones among these products, with their producer's columns, in one query."""
    stmt = (
        sa.select(col(Product.id), col(Product.slug), col(Product.name), col(Product.description),
                  col(Product.group), col(Product.province_id), col(Producer.name), col(Producer.slug),
                  col(Producer.address))
        .join(Producer, col(Product.producer_id) == col(Producer.id))
        .where(_among(Product.id, ids), col(Product.state) == ProductState.PUBLISHED)
    )
    wanted = set(ids)
    return [_ProductRow._make(row) for row in session.connection().execute(stmt).all() if row[0] in wanted]


def _certificates_by_product(session: Session, ids: list[int]) -> dict[int, list[_CertificateFacts]]:
    """Certificates of these products (and maybe others) with their round's decision number, in one query."""
    stmt = (
        sa.select(col(Certificate.product_id), col(Certificate.level), col(Certificate.issued_on),
                  col(Certificate.valid_until), col(Certificate.revoked_on), col(Certificate.province_id),
                  col(Certificate.number), col(Certificate.code), col(SelectionRound.decision_number))
        .join(SelectionRound, col(Certificate.round_id) == col(SelectionRound.id), isouter=True)
        .where(_among(Certificate.product_id, ids))
        .order_by(col(Certificate.issued_on), col(Certificate.id))
    )
    found: dict[int, list[_CertificateFacts]] = defaultdict(list)
    for product_id, *facts in session.connection().execute(stmt).all():
        found[product_id].append(_CertificateFacts._make(facts))
    return found


def _covers_by_product(session: Session, ids: list[int]) -> dict[int, str]:
    """Product id → content hash of its cover (lowest position) photo, for these products and maybe others."""
    stmt = (
        select(ProductImage.product_id, ProductImage.content_hash)
        .where(_among(ProductImage.product_id, ids))
        .order_by(col(ProductImage.position).desc(), col(ProductImage.id).desc())
    )
    return dict(session.exec(stmt).all())  # the last row per product wins: the lowest position


@lru_cache(maxsize=_VALIDITY_MEMO)
def _validity_of_dates(dates: _DatesKey) -> tuple[tuple[str, ...], tuple[int, ...], bytes, int]:
    """Levels, years, the validity summary (as JSON) and the newest issue day of certificates with
    these (level, issued_on, valid_until, revoked_on). Immutable values: the memo hands them to many
    documents, and strings and tuples of them are not scanned by the garbage collector."""
    certs = [_CertificateFacts(level, issued, until, revoked, 0, None, "", None)
             for level, issued, until, revoked in dates]
    return (tuple(sorted({c.level for c in certs})), tuple(sorted({c.issued_on.year for c in certs})),
            orjson.dumps(summarise(certs)), date_key(max(c.issued_on for c in certs)) if certs else 0)


def _validity_fields(certs: list[_CertificateFacts]) -> dict[str, object]:
    """Levels, years, the validity summary and the newest issue day (zeros for no certificate)."""
    # summarise() does not depend on the certificates' order, so the key keeps the query's order.
    levels, years, summary, latest = _validity_of_dates(
        tuple((c.level, c.issued_on, c.valid_until, c.revoked_on) for c in certs))
    return {"levels": list(levels), "years": list(years), "validity": orjson.loads(summary),
            "latest_issued": latest}


def _document(product: _ProductRow, certs: list[_CertificateFacts], cover: str,
              provinces: dict[int, tuple[str, str]]) -> ProductDocument:
    """One product's document from rows already loaded."""
    slug, province_name = provinces[product.province_id]
    fields: dict[str, object] = {
        "id": product.id, "slug": product.slug, "name": _without_markers(product.name),
        "description": product.description or "", "group": product.group,
        "province": slug, "province_name": province_name,
        "certified_provinces": sorted({provinces[c.province_id][0] for c in certs}),
        "producer_name": product.producer_name, "producer_slug": product.producer_slug,
        "address": product.address or "",
        "certificate_numbers": sorted({c.number for c in certs if c.number}),
        "certificate_codes": sorted({c.code for c in certs}),
        "decision_numbers": sorted({c.decision_number for c in certs if c.decision_number}),
        "image": cover,
        **_validity_fields(certs),
    }
    fields["fingerprint"] = document_fingerprint(fields)
    return cast(ProductDocument, fields)


def build_documents(*, session: Session, product_ids: Iterable[int]) -> dict[int, ProductDocument]:
    """Documents of the published products among `product_ids`: three column-only queries per 500 ids."""
    provinces = _province_slugs(session)
    documents: dict[int, ProductDocument] = {}
    for ids in _chunks(dict.fromkeys(product_ids)):
        rows = _published_products(session, ids)
        if not rows:
            continue
        found = [row.id for row in rows]
        certs = _certificates_by_product(session, found)
        covers = _covers_by_product(session, found)
        for row in rows:
            documents[row.id] = _document(row, certs.get(row.id, []), covers.get(row.id, ""), provinces)
    return documents

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
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, cast

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
_NO_MARKERS = str.maketrans("", "", MARK_START + MARK_END)
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


def address_words(address: str) -> str:
    """The words of an address that search indexes (at a low weight): the place names, without
    numbers or the words for units and streets."""
    return " ".join(_ADDRESS_WORD.findall(_ADDRESS_UNITS.sub(" ", unicodedata.normalize("NFC", address))))


def document_fingerprint(fields: dict[str, object]) -> str:
    """sha1 of the canonical JSON of every field but the fingerprint: equal documents, equal hashes."""
    payload = {k: v for k, v in fields.items() if k != "fingerprint"}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class _CertificateFacts:
    """What one certificate contributes to its product's document."""

    level: str
    issued_on: date
    valid_until: date
    revoked_on: date | None
    province_id: int
    number: str | None
    code: str
    decision_number: str | None


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


def _certificates_by_product(session: Session, ids: list[int]) -> dict[int, list[_CertificateFacts]]:
    """Certificates of these products with their round's decision number, in one query."""
    stmt = (
        select(Certificate, SelectionRound.decision_number)
        .join(SelectionRound, col(Certificate.round_id) == col(SelectionRound.id), isouter=True)
        .where(col(Certificate.product_id).in_(ids))
        .order_by(col(Certificate.issued_on), col(Certificate.id))
    )
    found: dict[int, list[_CertificateFacts]] = defaultdict(list)
    for cert, decision in session.exec(stmt).all():
        found[cert.product_id].append(
            _CertificateFacts(
                level=cert.level, issued_on=cert.issued_on, valid_until=cert.valid_until,
                revoked_on=cert.revoked_on, province_id=cert.province_id, number=cert.number,
                code=cert.code, decision_number=decision,
            )
        )
    return found


def _covers_by_product(session: Session, ids: list[int]) -> dict[int, str]:
    """Product id → content hash of its cover (lowest position) photo."""
    stmt = (
        select(ProductImage.product_id, ProductImage.content_hash)
        .where(col(ProductImage.product_id).in_(ids))
        .order_by(col(ProductImage.position).desc(), col(ProductImage.id).desc())
    )
    return dict(session.exec(stmt).all())  # the last row per product wins: the lowest position


def _validity_fields(certs: list[_CertificateFacts]) -> dict[str, object]:
    """Levels, years, the validity summary and the newest issue day (zeros for no certificate)."""
    return {
        "levels": sorted({c.level for c in certs}),
        "years": sorted({c.issued_on.year for c in certs}),
        "validity": summarise(certs),
        "latest_issued": date_key(max(c.issued_on for c in certs)) if certs else 0,
    }


def _document(product_id: int, product: Product, producer: Producer, certs: list[_CertificateFacts],
              cover: str, provinces: dict[int, tuple[str, str]]) -> ProductDocument:
    """One product's document from rows already loaded."""
    slug, province_name = provinces[product.province_id]
    fields: dict[str, object] = {
        "id": product_id, "slug": product.slug, "name": product.name.translate(_NO_MARKERS),
        "description": product.description or "", "group": product.group,
        "province": slug, "province_name": province_name,
        "certified_provinces": sorted({provinces[c.province_id][0] for c in certs}),
        "producer_name": producer.name, "producer_slug": producer.slug,
        "address": producer.address or "",
        "certificate_numbers": sorted({c.number for c in certs if c.number}),
        "certificate_codes": sorted({c.code for c in certs}),
        "decision_numbers": sorted({c.decision_number for c in certs if c.decision_number}),
        "image": cover,
        **_validity_fields(certs),
    }
    fields["fingerprint"] = document_fingerprint(fields)
    return cast(ProductDocument, fields)


def build_documents(*, session: Session, product_ids: Iterable[int]) -> dict[int, ProductDocument]:
    """Documents of the published products among `product_ids`: a few batched queries per 500 ids."""
    provinces = _province_slugs(session)
    documents: dict[int, ProductDocument] = {}
    for ids in _chunks(dict.fromkeys(product_ids)):
        stmt = (
            select(Product, Producer)
            .join(Producer, col(Product.producer_id) == col(Producer.id))
            .where(col(Product.id).in_(ids), col(Product.state) == ProductState.PUBLISHED)
        )
        rows = session.exec(stmt).all()
        if not rows:
            continue
        found = [p.id for p, _ in rows if p.id is not None]
        certs = _certificates_by_product(session, found)
        covers = _covers_by_product(session, found)
        for product, producer in rows:
            pid = cast(int, product.id)
            documents[pid] = _document(pid, product, producer, certs.get(pid, []), covers.get(pid, ""),
                                       provinces)
    return documents

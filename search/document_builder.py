"""Search documents built from the database: three column-only queries per 500 products.

The document's shape and the rules on it (fingerprint, address words, markers) are search/documents.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col, select

from app.domain.standing import summarise
from app.domain.states import ProductState
from app.models import Certificate, Producer, Product, ProductImage, Province, SelectionRound
from search.documents import ProductDocument, date_key, document_fingerprint, without_markers

BATCH_SIZE = 500

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


def _driver_rows(session: Session, stmt: sa.sql.expression.ClauseElement) -> list[tuple[Any, ...]]:
    """The statement's rows as plain tuples from the database driver's own cursor, in the session's
    transaction.

    A rebuild reads 100,000 products and 167,000 certificates; SQLAlchemy's result rows and type
    processing took a third to a half of that reading (measured: 1.0–1.7 s against 0.6–0.9 s). Values
    come as the driver gives them: dates through `_day`, which SQLite hands back as text.
    """
    connection = session.connection()
    compiled = cast(SQLCompiler, stmt.compile(dialect=connection.dialect,
                                              compile_kwargs={"render_postcompile": True}))
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return cast(list[tuple[Any, ...]], cursor.fetchall())
    finally:
        cursor.close()


def _day(value: date | str) -> date:
    """A date column's value from the driver: a date (PostgreSQL) or its ISO text (SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


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
    return [_ProductRow._make(row) for row in _driver_rows(session, stmt) if row[0] in wanted]


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
    for product_id, level, issued, until, revoked, *rest in _driver_rows(session, stmt):
        found[product_id].append(_CertificateFacts(level, _day(issued), _day(until),
                                                   revoked and _day(revoked), *rest))
    return found


def _covers_by_product(session: Session, ids: list[int]) -> dict[int, str]:
    """Product id → content hash of its cover (lowest position) photo, for these products and maybe others."""
    stmt = (
        sa.select(col(ProductImage.product_id), col(ProductImage.content_hash))
        .where(_among(ProductImage.product_id, ids))
        .order_by(col(ProductImage.position).desc(), col(ProductImage.id).desc())
    )
    return dict(_driver_rows(session, stmt))  # the last row per product wins: the lowest position


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
        "id": product.id, "slug": product.slug, "name": without_markers(product.name),
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

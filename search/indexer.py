"""Keeps the search index in step with the database: outbox replay, full reindex, drift check.

The database is the source of truth. Services mark products with `mark_for_reindex` (an
outbox row in their transaction); the use-case boundary (app.db.commit_and_index) commits,
then `apply_outbox` rebuilds those products' documents and deletes exactly the rows it
processed, so a crash or an engine failure leaves them for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from app.domain.states import ProductState
from app.models import Certificate, OutboxEvent, Producer, Product, utcnow
from search.collector import collector_paused
from search.document_builder import build_documents
from search.documents import ProductDocument
from search.engine import SearchEngine, SearchQuery, SearchUnavailable

log = logging.getLogger(__name__)
REINDEX_BATCH = 1000
OUTBOX_BATCH = 1000
# How far before a rebuild's start a change counts as made during it: covers the clocks of the
# hosts that write `updated_at` differing a little (re-syncing a few more products is harmless).
CATCH_UP_MARGIN = timedelta(minutes=5)


@dataclass(slots=True)
class DriftReport:
    """Products the index lacks, holds in an old version, or holds but should not."""

    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when the index matches the database exactly."""
        return not (self.missing or self.stale or self.orphaned)


def mark_for_reindex(session: Session, *product_ids: int) -> None:
    """Add an outbox row per product, in the caller's transaction: they commit (or roll back) together."""
    session.add_all(OutboxEvent(product_id=pid) for pid in product_ids)


def _sync_products(*, session: Session, engine: SearchEngine, product_ids: list[int]) -> None:
    """Upsert the published ones among `product_ids`, delete the others from the index."""
    documents = build_documents(session=session, product_ids=product_ids)
    engine.upsert(list(documents.values()))
    engine.delete(pid for pid in product_ids if pid not in documents)


def apply_outbox(*, session: Session, engine: SearchEngine) -> int:
    """Apply pending outbox rows in id order; returns how many products were re-synced.

    Only the rows of a batch the engine accepted are deleted; when the engine fails the
    session is rolled back and SearchUnavailable propagates, leaving that batch for the next run.
    """
    synced = 0
    while True:
        rows = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)).limit(OUTBOX_BATCH)).all()
        if not rows:
            return synced
        product_ids = list(dict.fromkeys(row.product_id for row in rows))
        try:
            _sync_products(session=session, engine=engine, product_ids=product_ids)
        except SearchUnavailable:
            session.rollback()
            raise
        row_ids = [row.id for row in rows]
        session.execute(delete(OutboxEvent).where(col(OutboxEvent.id).in_(row_ids)))
        session.commit()
        synced += len(product_ids)


def index_after_commit(*, session: Session, engine: SearchEngine) -> int | None:
    """apply_outbox for callers whose data is already committed: never raises on an engine failure.

    Returns the products re-synced, or None when the engine failed (logged as a warning; the
    outbox rows stay and the next apply or `cnnt search reindex` indexes them).
    """
    try:
        return apply_outbox(session=session, engine=engine)
    except SearchUnavailable as error:
        log.warning("search index not updated, outbox rows kept for a retry: %s", error)
        return None


def _product_id_batches(session: Session, size: int = REINDEX_BATCH) -> Iterator[list[int]]:
    """Every product id, ascending, in lists of `size` (keyset pagination)."""
    last = 0
    while True:
        stmt = select(Product.id).where(col(Product.id) > last).order_by(col(Product.id)).limit(size)
        ids = [pid for pid in session.exec(stmt).all() if pid is not None]
        if not ids:
            return
        yield ids
        last = ids[-1]


def document_batches(session: Session) -> Iterator[list[ProductDocument]]:
    """Every published product's document, in batches of REINDEX_BATCH ids: what a rebuild indexes."""
    for ids in _product_id_batches(session):
        with collector_paused():
            batch = list(build_documents(session=session, product_ids=ids).values())
        yield batch


def _changed_since(session: Session, since: datetime) -> list[int]:
    """Ids of the products changed at or after `since`: themselves, their producer or a certificate."""
    products = (select(Product.id).join(Producer, col(Producer.id) == col(Product.producer_id))
                .where(or_(col(Product.updated_at) >= since, col(Producer.updated_at) >= since)))
    certified = select(Certificate.product_id).where(col(Certificate.updated_at) >= since)
    found = set(session.exec(products).all()) | set(session.exec(certified).all())
    return sorted(pid for pid in found if pid is not None)


def reindex_all(*, session: Session, engine: SearchEngine) -> int:
    """Rebuild the whole index from the database; returns the number of documents indexed.

    Meilisearch fills a new index and swaps it in, so what the site indexed meanwhile went into
    the index it replaced: the products changed since shortly before the rebuild are synced
    again after it (a photo or a round changed meanwhile is left to `cnnt search check`).
    """
    since = utcnow() - CATCH_UP_MARGIN
    newest_event = session.exec(select(func.max(OutboxEvent.id))).one()
    indexed = engine.replace_all(document_batches(session))  # all or nothing, on both engines
    session.commit()  # ends the read transaction, and expire_all the loaded rows (expire_on_commit
    session.expire_all()  # may be off): the changes committed meanwhile are read afresh
    changed = _changed_since(session, since)
    for start in range(0, len(changed), OUTBOX_BATCH):
        _sync_products(session=session, engine=engine, product_ids=changed[start:start + OUTBOX_BATCH])
    if newest_event is not None:  # events written during the rebuild stay for the next run
        session.execute(delete(OutboxEvent).where(col(OutboxEvent.id) <= newest_event))
    session.commit()
    return indexed


def check_drift(*, session: Session, engine: SearchEngine) -> DriftReport:
    """Compare the database's documents with the index's fingerprints."""
    indexed = engine.fingerprints()
    report = DriftReport()
    expected: set[int] = set()
    for ids in _product_id_batches(session):
        for pid, document in build_documents(session=session, product_ids=ids).items():
            expected.add(pid)
            if pid not in indexed:
                report.missing.append(pid)
            elif indexed[pid] != document["fingerprint"]:
                report.stale.append(pid)
    report.orphaned = sorted(set(indexed) - expected)
    return report


def fill_if_empty(*, session: Session, engine: SearchEngine, today: date) -> int | None:
    """Reindex everything when the engine holds no document but the database has published products.

    An index file of an older layout is emptied when the engine opens it (search/embedded_sql.py),
    and a new Meilisearch server starts empty: without this, the site would list nothing until
    someone ran `cnnt search reindex`. Returns the documents indexed, or None when nothing was done.
    """
    if engine.search(SearchQuery(today=today, per_page=1)).total:
        return None
    if session.exec(select(Product.id).where(col(Product.state) == ProductState.PUBLISHED)).first() is None:
        return None
    log.warning("the search index is empty while the database has products: rebuilding it")
    return reindex_all(session=session, engine=engine)

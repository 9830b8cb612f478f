"""Check a whole supplier list at once: each code, printed number or product name gets the lookup's answer.

A row's answer is the single lookup's (app.services.verification.lookup): a verification code
first, then a printed number, with the same status, days-left and expiring-soon rules, read
through the same query (reads.certificates_where). Names are a third way in, for lists without
codes: the product's folded name, exact, among published products; several products (or several
certificates under one printed number) answer `ambiguous` with the candidates instead of a guess.

Batched: one query per way in for the whole list (chunked under the databases' parameter limits),
never one per row, so 5,000 rows cost a handful of queries. Bulk checks are not added to the
per-day verification counts: those count consumers checking a package, and one buyer's list of
5,000 rows would drown them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from app.domain.codes import normalize_code, number_key
from app.domain.messages import N_
from app.domain.states import ProductState
from app.domain.text import fold, squash_spaces
from app.models import Certificate, Producer, Product
from app.services.catalog.reads import CertificateView, certificates_where
from app.services.verification.lookup import VERDICT_LABELS, Verdict, VerifiedCertificate, days_left

MAX_ITEMS = 5000
MAX_ITEM_LENGTH = 200
MAX_CANDIDATES = 5  # an ambiguous row names this many; more would be a directory, not a hint
_CHUNK = 900  # values per IN (…): under SQLite's and asyncpg's parameter limits with room to spare


class BulkStatus(StrEnum):
    """A row's answer: the lookup's verdicts, and `ambiguous` when a name or number fits several."""

    valid = "valid"
    expiring = "expiring"
    expired = "expired"
    revoked = "revoked"
    not_found = "not_found"
    ambiguous = "ambiguous"

    @property
    def label(self) -> str:
        """Words for the status (a Vietnamese msgid): the lookup page's, plus ambiguous."""
        if self is BulkStatus.ambiguous:
            return AMBIGUOUS_LABEL
        return VERDICT_LABELS[Verdict(self.value)]


AMBIGUOUS_LABEL = N_("Nhiều kết quả")


@dataclass(frozen=True, slots=True)
class BulkItem:
    """One row to check: a code, printed number or product name, and the producer's name when given."""

    text: str
    producer: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One product or certificate an ambiguous row could mean."""

    product_name: str
    product_slug: str
    producer_name: str
    code: str  # as printed: XXXX-XXXX
    number: str | None
    status: BulkStatus


@dataclass(frozen=True, slots=True)
class BulkResult:
    """A row's answer: what was typed, the status, the certificate found (if one), candidates (if several)."""

    input: str
    status: BulkStatus
    matched_by: str | None = None  # "code", "number", "name" or None
    found: VerifiedCertificate | None = None
    candidates: tuple[Candidate, ...] = ()

    @property
    def certificate(self) -> Certificate | None:
        """The certificate found, when exactly one answers the row."""
        return self.found.view.certificate if self.found else None


@dataclass(slots=True)
class _Batch:
    """What the batch queries found, by the key each way in uses."""

    by_code: dict[str, list[CertificateView]]
    by_number: dict[str, list[CertificateView]]
    by_name: dict[str, list[CertificateView]]
    producers: dict[int, Producer]


def status_of(found: VerifiedCertificate) -> BulkStatus:
    """The lookup page's verdict of a certificate, as a row status."""
    return BulkStatus(found.verdict.value)


def check_items(*, session: Session, items: Sequence[BulkItem], today: date) -> list[BulkResult]:
    """Every item's answer, in the items' order, from a few batched queries; nothing is counted or stored."""
    texts = [squash_spaces(item.text)[:MAX_ITEM_LENGTH] for item in items]
    batch = _look_up_all(session, texts, today)
    return [_answer(text, item.producer, batch, today) for text, item in zip(texts, items, strict=True)]


def _look_up_all(session: Session, texts: Sequence[str], today: date) -> _Batch:
    """Codes, then printed numbers of what no code matched, then names of what is still unmatched."""
    codes = {c for t in texts if (c := normalize_code(t)) is not None}
    by_code = _grouped(_views_in(session, col(Certificate.code), codes, today), lambda v: v.certificate.code)
    unmatched = [t for t in texts if normalize_code(t) not in by_code]
    keys = {k for t in unmatched if (k := number_key(t))}
    by_number = _grouped(_views_in(session, col(Certificate.number_key), keys, today),
                         lambda v: v.certificate.number_key or "")
    names = {fold(t) for t in unmatched if t and number_key(t) not in by_number}
    product_ids = _products_named(session, names)
    by_name = _grouped(_views_in(session, col(Certificate.product_id), product_ids, today),
                       lambda v: v.product.name_key)
    views = [v for group in (by_code, by_number, by_name) for vs in group.values() for v in vs]
    return _Batch(by_code, by_number, by_name, _producers(session, {v.product.producer_id for v in views}))


def _views_in(session: Session, column: Any, values: Iterable[Any], today: date) -> list[CertificateView]:
    """Certificates whose `column` is among `values`, a chunk of values per query."""
    ordered = sorted(values)
    views: list[CertificateView] = []
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        views.extend(certificates_where(session=session, conditions=[column.in_(chunk)], today=today))
    return views


def _products_named(session: Session, names: set[str]) -> set[int]:
    """Ids of published products whose folded name is one of `names`."""
    ordered, ids = sorted(names), set[int | None]()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        ids.update(session.exec(select(col(Product.id)).where(
            Product.state == ProductState.PUBLISHED, col(Product.name_key).in_(chunk))))
    return {i for i in ids if i is not None}


def _producers(session: Session, ids: set[int]) -> dict[int, Producer]:
    """Producers by id, a chunk per query."""
    ordered, found = sorted(ids), {}
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        found.update({p.id: p for p in session.exec(select(Producer).where(col(Producer.id).in_(chunk)))})
    return {i: p for i, p in found.items() if i is not None}


def _grouped(views: Iterable[CertificateView], key: Any) -> dict[str, list[CertificateView]]:
    """Views under their key, each list newest issued first (the query's order)."""
    groups: dict[str, list[CertificateView]] = {}
    for view in views:
        groups.setdefault(key(view), []).append(view)
    return groups


def _answer(text: str, producer: str, batch: _Batch, today: date) -> BulkResult:
    """One row's answer: a code, a printed number, a product name, in the single lookup's order."""
    if (code := normalize_code(text)) is not None and code in batch.by_code:
        return _one_or_several(text, "code", batch.by_code[code], batch, today)
    if (key := number_key(text)) and key in batch.by_number:
        return _one_or_several(text, "number", batch.by_number[key], batch, today)
    views = batch.by_name.get(fold(text), []) if text else []
    views = _narrowed(views, producer, batch)
    if not views:
        return BulkResult(input=text, status=BulkStatus.not_found)
    if len({v.product.id for v in views}) > 1:
        return _ambiguous(text, "name", _product_choices(views), batch, today)
    return _single(text, "name", product_certificate(views), batch, today)


def _one_or_several(text: str, how: str, views: list[CertificateView], batch: _Batch,
                    today: date) -> BulkResult:
    """One certificate: its answer; several under one printed number: ambiguous."""
    if len(views) == 1:
        return _single(text, how, views[0], batch, today)
    return _ambiguous(text, how, views, batch, today)


def _narrowed(views: list[CertificateView], producer: str, batch: _Batch) -> list[CertificateView]:
    """Only the products whose producer's folded name contains the given one (all when none is given)."""
    wanted = fold(squash_spaces(producer))
    if not wanted:
        return views
    return [v for v in views if wanted in batch.producers[v.product.producer_id].name_key]


def product_certificate(views: Sequence[CertificateView]) -> CertificateView:
    """The certificate a product name stands for: the newest one valid today, else the newest one."""
    return next((v for v in views if v.status == "valid"), views[0])


def _product_choices(views: Sequence[CertificateView]) -> list[CertificateView]:
    """One certificate per product (the one its name stands for), in the query's order."""
    by_product: dict[int | None, list[CertificateView]] = {}
    for view in views:
        by_product.setdefault(view.product.id, []).append(view)
    return [product_certificate(group) for group in by_product.values()]


def _verified(view: CertificateView, batch: _Batch, today: date) -> VerifiedCertificate:
    """A certificate as the lookup page holds it (no photo or history: the table shows neither)."""
    return VerifiedCertificate(view=view, producer=batch.producers[view.product.producer_id], photo=None,
                               days_left=days_left(view.certificate.valid_until, today=today))


def _single(text: str, how: str, view: CertificateView, batch: _Batch, today: date) -> BulkResult:
    """The answer of a row that one certificate answers."""
    found = _verified(view, batch, today)
    return BulkResult(input=text, status=status_of(found), matched_by=how, found=found)


def _ambiguous(text: str, how: str, views: Sequence[CertificateView], batch: _Batch,
               today: date) -> BulkResult:
    """Several products or certificates fit: the first MAX_CANDIDATES of them, nothing chosen."""
    candidates = tuple(
        Candidate(product_name=v.product.name, product_slug=v.product.slug,
                  producer_name=batch.producers[v.product.producer_id].name, code=v.display_code,
                  number=v.certificate.number, status=status_of(_verified(v, batch, today)))
        for v in views[:MAX_CANDIDATES])
    return BulkResult(input=text, status=BulkStatus.ambiguous, matched_by=how, candidates=candidates)

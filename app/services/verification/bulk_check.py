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
from app.domain.text import drop_controls, fold, squash_spaces
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
    """What the batch queries found: certificates by code, by printed number and by product; names."""

    by_code: dict[str, list[CertificateView]]
    by_number: dict[str, list[CertificateView]]
    by_product: dict[int, list[CertificateView]]
    named: dict[str, list[tuple[int, str]]]  # folded name → (product id, producer's folded name)
    producers: dict[int, Producer]


def status_of(found: VerifiedCertificate) -> BulkStatus:
    """The lookup page's verdict of a certificate, as a row status."""
    return BulkStatus(found.verdict.value)


def check_items(*, session: Session, items: Sequence[BulkItem], today: date) -> list[BulkResult]:
    """Every item's answer, in the items' order, from a few batched queries; nothing is counted or stored."""
    # Control characters are never meant (a NUL is refused by PostgreSQL as a parameter): dropped.
    cleaned = [BulkItem(squash_spaces(drop_controls(i.text))[:MAX_ITEM_LENGTH], drop_controls(i.producer))
               for i in items]
    batch = _look_up_all(session, cleaned, today)
    return [_answer(item, batch, today) for item in cleaned]


def _look_up_all(session: Session, items: Sequence[BulkItem], today: date) -> _Batch:
    """Codes, then printed numbers of what no code matched, then names of what is still unmatched.

    A printed number or a name may fit hundreds of certificates (offices number theirs 001, 002, …
    each year): their keys and ids are read first as plain tuples, and only the first few
    certificates per number, and the products a row could still mean, are loaded whole.
    """
    codes = {c for i in items if (c := normalize_code(i.text)) is not None}
    by_code = _grouped(_views_in(session, col(Certificate.code), codes, today), lambda v: v.certificate.code)
    unmatched = [i for i in items if normalize_code(i.text) not in by_code]
    keys = {k for i in unmatched if (k := number_key(i.text))}
    number_ids = _first_per_key(session, keys)
    by_number = _grouped(_views_in(session, col(Certificate.id), number_ids, today),
                         lambda v: v.certificate.number_key or "")
    by_name = [i for i in unmatched if i.text and number_key(i.text) not in by_number]
    named = _products_named(session, {fold(i.text) for i in by_name})
    product_ids = {p for i in by_name for p in _fitting(i, named)}
    by_product = _grouped(_views_in(session, col(Certificate.product_id), product_ids, today),
                          lambda v: v.product.id)
    views = [v for group in (by_code, by_number, by_product) for vs in group.values() for v in vs]
    producers = _producers(session, {v.product.producer_id for v in views})
    return _Batch(by_code, by_number, by_product, named, producers)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    """`values` sorted, _CHUNK at a time (one IN (…) each)."""
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _views_in(session: Session, column: Any, values: Iterable[Any], today: date) -> list[CertificateView]:
    """Certificates whose `column` is among `values`, a chunk of values per query."""
    views: list[CertificateView] = []
    for chunk in _chunks(values):
        views.extend(certificates_where(session=session, conditions=[column.in_(chunk)], today=today))
    return views


def _first_per_key(session: Session, keys: set[str]) -> set[int]:
    """Ids of the first MAX_CANDIDATES + 1 published certificates per printed number, newest issued first."""
    kept: dict[str, list[int]] = {}
    for chunk in _chunks(keys):
        rows = session.exec(
            select(col(Certificate.number_key), col(Certificate.id))
            .join(Product, col(Product.id) == col(Certificate.product_id))
            .where(Product.state == ProductState.PUBLISHED, col(Certificate.number_key).in_(chunk))
            .order_by(col(Certificate.issued_on).desc(), col(Certificate.id))
        ).all()
        for key, cert_id in rows:
            ids = kept.setdefault(key or "", [])
            if len(ids) <= MAX_CANDIDATES and cert_id is not None:
                ids.append(cert_id)
    return {i for ids in kept.values() for i in ids}


def _products_named(session: Session, names: set[str]) -> dict[str, list[tuple[int, str]]]:
    """Published products by folded name, with their producer's folded name, in id order (plain tuples)."""
    named: dict[str, list[tuple[int, str]]] = {}
    for chunk in _chunks(names):
        rows = session.exec(
            select(col(Product.name_key), col(Product.id), col(Producer.name_key))
            .join(Producer, col(Producer.id) == col(Product.producer_id))
            .where(Product.state == ProductState.PUBLISHED, col(Product.name_key).in_(chunk))
            .order_by(col(Product.id))
        ).all()
        for name, product_id, producer_key in rows:
            if product_id is not None:
                named.setdefault(name, []).append((product_id, producer_key))
    return named


def _fitting(item: BulkItem, named: dict[str, list[tuple[int, str]]]) -> list[int]:
    """The first MAX_CANDIDATES + 1 products named as the item, made by its producer when it gives one."""
    wanted = fold(squash_spaces(item.producer))
    fits = [p for p, producer in named.get(fold(item.text), []) if wanted in producer]
    return fits[:MAX_CANDIDATES + 1]


def _producers(session: Session, ids: set[int]) -> dict[int, Producer]:
    """Producers by id, a chunk per query."""
    found: dict[int | None, Producer] = {}
    for chunk in _chunks(ids):
        found.update({p.id: p for p in session.exec(select(Producer).where(col(Producer.id).in_(chunk)))})
    return {i: p for i, p in found.items() if i is not None}


def _grouped(views: Iterable[CertificateView], key: Any) -> dict[Any, list[CertificateView]]:
    """Views under their key, each list newest issued first (the query's order)."""
    groups: dict[Any, list[CertificateView]] = {}
    for view in views:
        groups.setdefault(key(view), []).append(view)
    return groups


def _answer(item: BulkItem, batch: _Batch, today: date) -> BulkResult:
    """One row's answer: a code, a printed number, a product name, in the single lookup's order."""
    text = item.text
    if (code := normalize_code(text)) is not None and code in batch.by_code:
        return _one_or_several(text, "code", batch.by_code[code], batch, today)
    if (key := number_key(text)) and key in batch.by_number:
        return _one_or_several(text, "number", batch.by_number[key], batch, today)
    fitting = _fitting(item, batch.named) if text else []
    products = [batch.by_product[p] for p in fitting if p in batch.by_product]
    if not products:
        return BulkResult(input=text, status=BulkStatus.not_found)
    if len(products) > 1:
        return _ambiguous(text, "name", [product_certificate(views) for views in products], batch, today)
    return _single(text, "name", product_certificate(products[0]), batch, today)


def _one_or_several(text: str, how: str, views: list[CertificateView], batch: _Batch,
                    today: date) -> BulkResult:
    """One certificate: its answer; several under one printed number: ambiguous."""
    if len(views) == 1:
        return _single(text, how, views[0], batch, today)
    return _ambiguous(text, how, views, batch, today)


def product_certificate(views: Sequence[CertificateView]) -> CertificateView:
    """The certificate a product name stands for: the newest one valid today, else the newest one."""
    return next((v for v in views if v.status == "valid"), views[0])


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

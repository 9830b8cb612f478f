"""The consumer's lookup: a typed code or printed number in, a certain answer out, counted per day.

Counts are one row per certificate and Vietnam day, incremented with an atomic upsert
(INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL), so concurrent lookups never lose
an increment and never collide on the unique key. Nothing about the visitor is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.domain.codes import display_code, normalize_code, one_edit_codes
from app.domain.messages import N_
from app.domain.states import ProductState
from app.domain.text import squash_spaces
from app.domain.validity import VIETNAM
from app.errors import InvalidInput
from app.i18n import gettext
from app.models import AuditEntry, Certificate, Producer, Product, VerificationCount
from app.services.catalog.reads import CertificateView, ImageView, covers, find_certificates

MAX_LOOKUP_LENGTH = 100  # a printed number is at most 100 characters (Certificate.number)
MAX_SUGGESTIONS = 3  # more codes one edit away than this: suggest none (a near miss, not a directory)
_UPSERT_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class Verdict(StrEnum):
    """The one answer a consumer reads first: words and icon, never colour alone."""

    valid = "valid"
    expiring = "expiring"
    expired = "expired"
    revoked = "revoked"
    not_found = "not_found"

    @property
    def label(self) -> str:
        """The huge words on the answer page (a Vietnamese msgid, translated where shown)."""
        return VERDICT_LABELS[self]


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.valid: N_("Còn hiệu lực"),
    Verdict.expiring: N_("Sắp hết hạn"),
    Verdict.expired: N_("Hết hiệu lực"),
    Verdict.revoked: N_("Đã thu hồi"),
    Verdict.not_found: N_("Không tìm thấy"),
}


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One public step in a certificate's life: a day, what happened, and why or what changed.

    `label` and `detail_label` are Vietnamese msgids, translated where shown; `detail` is data
    (a revocation's reason as entered, a corrected date).
    """

    day: date
    label: str
    detail: str = ""
    detail_label: str = ""


@dataclass(frozen=True, slots=True)
class VerifiedCertificate:
    """One certificate found, with what a consumer compares: photo, producer, days left."""

    view: CertificateView
    producer: Producer
    photo: ImageView | None
    days_left: int  # days after today until valid_until (negative once expired)
    history: tuple[HistoryEvent, ...] = ()  # issued, revoked, reinstated, validity corrected

    @property
    def verdict(self) -> Verdict:
        """Revoked and expired as the status says; valid split into valid and expiring soon."""
        if self.view.status == "valid":
            return Verdict.expiring if self.view.expiring_soon else Verdict.valid
        return Verdict(self.view.status.value)


@dataclass(frozen=True, slots=True)
class CodeSuggestion:
    """An existing code one edit from what was typed, with its product's name to tell them apart."""

    code: str
    product_name: str

    @property
    def display_code(self) -> str:
        """The code as printed: XXXX-XXXX."""
        return display_code(self.code)


@dataclass(frozen=True, slots=True)
class LookupAnswer:
    """What was typed, how it matched (code or printed number), every certificate found, near misses."""

    query: str
    matched_by: str | None  # "code", "number" or None when nothing matched
    certificates: list[VerifiedCertificate]
    suggestions: tuple[CodeSuggestion, ...] = ()  # only when nothing was found

    @property
    def found(self) -> bool:
        """Whether any certificate answers the query."""
        return bool(self.certificates)

    @property
    def verdict(self) -> Verdict:
        """The headline: the single certificate's verdict, or not found."""
        if not self.certificates:
            return Verdict.not_found
        return self.certificates[0].verdict


def clean_query(text: str) -> str:
    """The typed text with spaces squashed; InvalidInput when it is too long to be a code or number."""
    cleaned = squash_spaces(text)
    if len(cleaned) > MAX_LOOKUP_LENGTH:
        message = gettext("Nội dung nhập quá dài (tối đa %(max)s ký tự). Hãy nhập mã tra cứu 8 ký tự "
                          "hoặc số giấy chứng nhận đúng như in trên giấy.")
        raise InvalidInput(message % {"max": MAX_LOOKUP_LENGTH}, field="q")
    return cleaned


def look_up(*, session: Session, text: str, today: date, codes_only: bool = False) -> LookupAnswer:
    """A code first, then (unless `codes_only`) a printed number; found certificates are counted."""
    query = clean_query(text)
    matched_by, views = None, []
    if normalize_code(query) is not None:
        views = find_certificates(session=session, code=query, number=None, today=today)
        matched_by = "code" if views else None
    if not views and not codes_only and query:
        views = find_certificates(session=session, code=None, number=query, today=today)
        matched_by = "number" if views else None
    suggestions = () if views else tuple(similar_codes(session=session, text=query))
    answer = LookupAnswer(query=query, matched_by=matched_by, certificates=_verified(session, views, today),
                          suggestions=suggestions)
    count_views(session=session, views=views, day=today)
    return answer


def similar_codes(*, session: Session, text: str) -> list[CodeSuggestion]:
    """Published certificates whose code is one edit from `text`; none when more than MAX_SUGGESTIONS are.

    The typed code's neighbours (at most 240) are looked up in one query on the unique code index,
    so the cost does not grow with the number of certificates. Any status is suggested: the answer
    page of the code says whether it is valid, expired or revoked.
    """
    candidates = one_edit_codes(text)
    if not candidates:
        return []
    rows = session.exec(
        select(Certificate.code, Product.name)
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .where(Product.state == ProductState.PUBLISHED, col(Certificate.code).in_(sorted(candidates)))
        .order_by(col(Certificate.code))
        .limit(MAX_SUGGESTIONS + 1)
    ).all()
    if len(rows) > MAX_SUGGESTIONS:
        return []
    return [CodeSuggestion(code=code, product_name=name) for code, name in rows]


def count_views(*, session: Session, views: Sequence[CertificateView], day: date) -> None:
    """Count one lookup of each certificate answered (page, /v/ and API call this; they commit)."""
    ids = [v.certificate.id for v in views if v.certificate.id is not None]
    record_lookups(session=session, certificate_ids=ids, day=day)


def _verified(session: Session, views: Sequence[CertificateView], today: date) -> list[VerifiedCertificate]:
    """Attach each certificate's producer and cover photo (two queries for any number of them)."""
    product_ids = [v.product.id for v in views if v.product.id is not None]
    photos = covers(session=session, product_ids=product_ids)
    producer_ids = {v.product.producer_id for v in views}
    producers = {p.id: p for p in session.exec(select(Producer).where(col(Producer.id).in_(producer_ids)))}
    histories = status_histories(session=session, certificates=[v.certificate for v in views])
    return [
        VerifiedCertificate(
            view=v,
            producer=producers[v.product.producer_id],
            photo=photos.get(v.product.id) if v.product.id is not None else None,
            days_left=days_left(v.certificate.valid_until, today=today),
            history=tuple(histories.get(v.certificate.id or 0, ())),
        )
        for v in views
    ]


def days_left(valid_until: date, *, today: date) -> int:
    """Days after `today` until `valid_until` (0 on the last day, negative once expired)."""
    return (valid_until - today).days


def record_lookups(*, session: Session, certificate_ids: Iterable[int], day: date) -> None:
    """Add one to each certificate's count for `day` (no-op for none): one atomic upsert; caller commits."""
    ids = sorted(set(certificate_ids))  # a fixed order: concurrent multi-row upserts cannot deadlock
    if not ids:
        return
    dialect = session.get_bind().dialect.name
    insert = _UPSERT_INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"verification counts need SQLite or PostgreSQL, not {dialect}")
    statement = insert(VerificationCount).values([{"certificate_id": i, "day": day, "count": 1} for i in ids])
    statement = statement.on_conflict_do_update(
        index_elements=["certificate_id", "day"],
        set_={"count": col(VerificationCount.count) + 1},
    )
    session.exec(statement)


def verification_counts(*, session: Session, certificate_ids: Iterable[int], since: date) -> dict[int, int]:
    """Lookups per certificate from `since` (inclusive) to now; certificates never looked up give 0."""
    ids = set(certificate_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    total = sa.func.sum(col(VerificationCount.count))
    rows = session.exec(
        select(col(VerificationCount.certificate_id), total)
        .where(col(VerificationCount.certificate_id).in_(ids), col(VerificationCount.day) >= since)
        .group_by(col(VerificationCount.certificate_id))
    ).all()
    counts.update({int(cert_id): int(n) for cert_id, n in rows})
    return counts


_HISTORY_ACTIONS = ("certificate.revoke", "certificate.reinstate", "certificate.update")
_CORRECTIONS = (("issued_on", N_("Đính chính ngày cấp"), N_("Ngày cấp")),
                ("valid_until", N_("Điều chỉnh thời hạn hiệu lực"), N_("Hiệu lực đến")))
REVOKED, REASON = N_("Thu hồi"), N_("Lý do")


def _vn_day(moment: datetime) -> date:
    """The Vietnam date of a stored instant (SQLite hands back naive UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM).date()


def _history_steps(entry: AuditEntry) -> list[HistoryEvent]:
    """The public steps one audit entry stands for; never who made it."""
    before, after = json.loads(entry.before or "{}"), json.loads(entry.after or "{}")
    day = _vn_day(entry.at)
    if entry.action == "certificate.revoke" and after.get("revoked_on"):
        revoked_on = date.fromisoformat(after["revoked_on"])
        return [HistoryEvent(revoked_on, REVOKED, after.get("revoked_reason") or "", REASON)]
    if entry.action == "certificate.reinstate":
        return [HistoryEvent(day, N_("Hủy quyết định thu hồi, giấy chứng nhận có hiệu lực trở lại"))]
    steps = []
    for field, label, prefix in _CORRECTIONS:
        if before.get(field) != after.get(field) and after.get(field):
            new = date.fromisoformat(after[field]).strftime("%d/%m/%Y")
            steps.append(HistoryEvent(day, label, new, prefix))
    return steps


def status_histories(
    *, session: Session, certificates: Sequence[Certificate]
) -> dict[int, list[HistoryEvent]]:
    """Each certificate's public history, oldest first: issued, then what the audit log records."""
    ids = [c.id for c in certificates if c.id is not None]
    if not ids:
        return {}
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "certificate", col(AuditEntry.entity_id).in_(ids),
               col(AuditEntry.action).in_(_HISTORY_ACTIONS))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    issued = N_("Cấp giấy chứng nhận")
    histories: dict[int, list[HistoryEvent]] = {
        c.id: [HistoryEvent(c.issued_on, issued)] for c in certificates if c.id is not None}
    for entry in entries:
        histories[entry.entity_id or 0].extend(_history_steps(entry))
    for cert in certificates:  # revoked outside the office pages (an import, old data): still shown
        steps = histories.get(cert.id or 0, [])
        if cert.revoked_on is not None and not any(s.label == REVOKED for s in steps):
            steps.append(HistoryEvent(cert.revoked_on, REVOKED, cert.revoked_reason or "", REASON))
    return histories

"""Watch lists as use-cases: start one from codes and slugs, confirm it, add and remove items, delete it.

Services flush, never commit. Unknown codes and slugs are reported to the caller and never stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from app.domain.codes import display_code, normalize_code
from app.domain.states import MailState, ProductState
from app.domain.validity import CertificateStatus, certificate_status
from app.models import Certificate, MailMessage, Product, WatchAlert, WatchItem, WatchList, utcnow
from app.services.watch.kinds import AlertKind
from app.services.watch.tokens import LinkClaim, matches

MAX_ITEMS = 5000  # a buyer's whole supplier list (the bulk check's limit), not a crawl of the register
_BATCH = 500
PENDING_LIFETIME = timedelta(days=7)
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(slots=True)
class Resolved:
    """What a list of typed codes and slugs names: items to watch and the pieces not found."""

    items: list[tuple[Product, Certificate | None]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def split_entries(values: Iterable[str]) -> list[str]:
    """Form values (one each, or many per line in a text box) as single entries, first seen first."""
    seen: dict[str, None] = {}
    for value in values:
        for piece in _SPLIT.split(value[:20_000]):
            if piece.strip():
                seen.setdefault(piece.strip(), None)
    return list(seen)


def resolve(*, session: Session, codes: Iterable[str], slugs: Iterable[str]) -> Resolved:
    """Certificates of published products by code, published products by slug; the rest is unknown.

    Looked up in batches (one query per _BATCH entries), in the order typed.
    """
    found = Resolved()
    typed_codes = split_entries(codes)
    wanted = [c for c in (normalize_code(t) for t in typed_codes) if c]
    by_code: dict[str, tuple[Certificate, Product]] = {}
    for start in range(0, len(wanted), _BATCH):
        query = (select(Certificate, Product).join(Product, col(Product.id) == col(Certificate.product_id))
                 .where(col(Certificate.code).in_(wanted[start:start + _BATCH]),
                        Product.state == ProductState.PUBLISHED))
        by_code.update((c.code, (c, p)) for c, p in session.exec(query).all())
    for typed in typed_codes:
        hit = by_code.get(normalize_code(typed) or "")
        if hit is None:
            found.unknown.append(typed[:40])
        else:
            found.items.append((hit[1], hit[0]))
    typed_slugs = [s[:200] for s in split_entries(slugs)]
    by_slug: dict[str, Product] = {}
    for start in range(0, len(typed_slugs), _BATCH):
        query_p = select(Product).where(col(Product.slug).in_(typed_slugs[start:start + _BATCH]),
                                        Product.state == ProductState.PUBLISHED)
        by_slug.update((p.slug, p) for p in session.exec(query_p).all())
    for slug in typed_slugs:
        product = by_slug.get(slug)
        if product is None:
            found.unknown.append(slug[:40])
        else:
            found.items.append((product, None))
    return found


def start_list(*, session: Session, resolved: Resolved, today: date) -> WatchList:
    """A pending list (no address stored: it travels in the signed confirmation link) with its items."""
    watch = WatchList(feed_key=secrets.token_urlsafe(24))
    session.add(watch)
    session.flush()
    add_items(session=session, watch=watch, resolved=resolved, today=today)
    return watch


def add_items(*, session: Session, watch: WatchList, resolved: Resolved, today: date) -> int:
    """Add what is not watched yet (up to MAX_ITEMS); returns how many were added.

    A certificate already revoked when it is added gets a baseline ledger row (not announced), so the
    alerts job later notices its reinstatement and never announces the old revocation as news.
    """
    existing = {(i.product_id, i.certificate_id) for i in items_of(session=session, watch=watch)}
    added = 0
    for product, certificate in resolved.items:
        key = (product.id or 0, certificate.id if certificate else None)
        if key in existing or len(existing) >= MAX_ITEMS:
            continue
        existing.add(key)
        session.add(WatchItem(list_id=watch.id or 0, product_id=key[0], certificate_id=key[1]))
        added += 1
    session.flush()
    _baseline_revocations(session=session, watch=watch, today=today)
    return added


def _baseline_revocations(*, session: Session, watch: WatchList, today: date) -> None:
    """Record (unannounced) the revocations in force among the list's certificates not recorded yet."""
    states = last_revocation_states(session=session, list_id=watch.id or 0)
    for certificate, _product in watched_certificates(session=session, watch=watch):
        revoked = certificate_status(certificate.valid_until, certificate.revoked_on, on=today)
        if revoked is not CertificateStatus.revoked or states.get(certificate.id or 0) is AlertKind.revoked:
            continue
        session.add(WatchAlert(list_id=watch.id or 0, certificate_id=certificate.id or 0,
                               kind=AlertKind.revoked, mark=today.isoformat(), day=today, notified=False))
    session.flush()


def last_revocation_states(*, session: Session, list_id: int) -> dict[int, AlertKind]:
    """Per certificate, the newest revoked/reinstated row of the list's ledger: what it last knew."""
    kinds = [AlertKind.revoked, AlertKind.reinstated]
    rows = session.exec(select(WatchAlert)
                        .where(WatchAlert.list_id == list_id, col(WatchAlert.kind).in_(kinds))
                        .order_by(col(WatchAlert.id))).all()
    return {row.certificate_id: AlertKind(row.kind) for row in rows}


def list_for_link(*, session: Session, claim: LinkClaim) -> WatchList | None:
    """The list a signed link names; None when it is gone (deleted, expired, or its id reused)."""
    watch = session.get(WatchList, claim.list_id)
    return watch if watch is not None and matches(claim, watch.feed_key) else None


def confirmed_by_feed_key(*, session: Session, feed_key: str) -> WatchList | None:
    """The confirmed list whose private feeds use `feed_key`."""
    watch = session.exec(select(WatchList).where(WatchList.feed_key == feed_key[:40])).first()
    return watch if watch is not None and watch.confirmed_at is not None else None


def confirm_list(*, session: Session, watch: WatchList, email: str) -> bool:
    """Store the confirmed address; False when the list was confirmed before (a replayed link)."""
    if watch.confirmed_at is not None:
        return False
    watch.email, watch.confirmed_at = email, utcnow()
    session.add(watch)
    session.flush()
    return True


def items_of(*, session: Session, watch: WatchList) -> list[WatchItem]:
    """The list's items, oldest first."""
    return list(session.exec(select(WatchItem).where(WatchItem.list_id == watch.id)
                             .order_by(col(WatchItem.id))).all())


def watched_certificates(*, session: Session, watch: WatchList) -> list[tuple[Certificate, Product]]:
    """Every certificate the list watches (its own, and all of its products'), published products only."""
    items = items_of(session=session, watch=watch)
    whole = [i.product_id for i in items if i.certificate_id is None]
    single = [i.certificate_id for i in items if i.certificate_id is not None]
    if not items:
        return []
    query = (select(Certificate, Product).join(Product, col(Product.id) == col(Certificate.product_id))
             .where(col(Certificate.product_id).in_(whole) | col(Certificate.id).in_(single))
             .where(Product.state == ProductState.PUBLISHED)  # a withdrawn product leaves the list's view
             .order_by(col(Product.name), col(Certificate.issued_on), col(Certificate.id)))
    return [(c, p) for c, p in session.exec(query).all()]


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item as the manage page lists it: a certificate by its code, or a whole product."""

    id: int
    product_name: str
    code: str  # '' for a whole product (all its certificates, new ones too)


def item_views(*, session: Session, watch: WatchList) -> list[ItemView]:
    """The list's items with their product's name and the certificate's printed code."""
    views = []
    for item in items_of(session=session, watch=watch):
        product = session.get(Product, item.product_id)
        certificate = session.get(Certificate, item.certificate_id) if item.certificate_id else None
        views.append(ItemView(id=item.id or 0, product_name=product.name if product else "",
                              code=display_code(certificate.code) if certificate else ""))
    return views


def remove_item(*, session: Session, watch: WatchList, item_id: int) -> bool:
    """Stop watching one item of this list; False when it is not one of its items."""
    item = session.get(WatchItem, item_id)
    if item is None or item.list_id != watch.id:
        return False
    session.delete(item)
    session.flush()
    return True


def delete_list(*, session: Session, watch: WatchList) -> None:
    """Delete the list, its items, its alert history and so its address, also from its mail in the outbox.

    A message the sender holds right now (`sending`) is left for it to finish; the rest goes, queued
    ones included: nothing more is sent to an address that asked to stop.
    """
    keys = or_(col(MailMessage.dedupe_key) == f"watch-confirm:{watch.id}",
               col(MailMessage.dedupe_key).startswith(f"watch:{watch.id}:"))
    session.execute(delete(MailMessage).where(keys, col(MailMessage.state) != MailState.SENDING)
                    .execution_options(synchronize_session=False))
    session.execute(delete(WatchAlert).where(col(WatchAlert.list_id) == watch.id))
    session.execute(delete(WatchItem).where(col(WatchItem.list_id) == watch.id))
    session.delete(watch)
    session.flush()


def delete_stale_pending(*, session: Session) -> int:
    """Delete lists never confirmed within PENDING_LIFETIME (their link has expired); returns how many."""
    cutoff = utcnow() - PENDING_LIFETIME
    stale = session.exec(select(WatchList).where(col(WatchList.confirmed_at).is_(None),
                                                 col(WatchList.created_at) < cutoff)).all()
    for watch in stale:
        delete_list(session=session, watch=watch)
    return len(stale)


def mask_email(email: str) -> str:
    """'nguoi.mua@example.vn' → 'n••••••••@example.vn': enough to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(1, len(local) - 1)}@{domain}"

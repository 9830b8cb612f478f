"""The anonymous shortlist: a comma-separated list of product slugs kept in the visitor's cookie.

No account and no server-side state: the list lives in the `cnnt_chon` cookie (or in the
`sp` query of a share link) and is checked against published products whenever it is shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import quote

from sqlmodel import Session, col, select

from app.domain.provinces import display_name, province_by_slug
from app.domain.states import ProductState
from app.i18n import gettext
from app.models import Certificate, Producer, Product, Province
from app.services.catalog.reads import ProductSummary, summarize

COOKIE_NAME = "cnnt_chon"
COOKIE_MAX_AGE_S = 180 * 24 * 3600
MAX_ITEMS = 50
MAX_RAW_LENGTH = 8000  # longer input is cut before parsing: 50 slugs never need more
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")


class AddOutcome(StrEnum):
    """What adding a product did to the list."""

    added = "added"
    already = "already"
    full = "full"


@dataclass(frozen=True, slots=True)
class ParsedList:
    """Slugs that look like slugs (order kept, no duplicates) and the rejected pieces."""

    slugs: list[str]
    rejected: list[str]


@dataclass(frozen=True, slots=True)
class ShortlistItem:
    """One compared product: its card, its producer and the provinces where it was certified."""

    summary: ProductSummary
    producer: Producer
    certified_provinces: list[str]


@dataclass(frozen=True, slots=True)
class Shortlist:
    """A list as shown: the published products in order, and the slugs that were ignored."""

    items: list[ShortlistItem]
    ignored: list[str]

    @property
    def slugs(self) -> list[str]:
        """The published slugs, in order (what the cookie and the share link hold)."""
        return [item.summary.product.slug for item in self.items]


def parse_slugs(raw: str | None) -> ParsedList:
    """Split a cookie or `sp` value; keep well-formed slugs, at most MAX_ITEMS, first seen first."""
    slugs: list[str] = []
    rejected: list[str] = []
    for piece in (raw or "")[:MAX_RAW_LENGTH].split(","):
        piece = piece.strip()
        if not piece:
            continue
        if _SLUG.fullmatch(piece) and len(slugs) < MAX_ITEMS:
            if piece not in slugs:
                slugs.append(piece)
        else:
            rejected.append(piece[:60])
    return ParsedList(slugs=slugs, rejected=rejected)


def join_slugs(slugs: Iterable[str]) -> str:
    """The cookie value and `sp` parameter: slugs joined by commas."""
    return ",".join(slugs)


def share_url(base_url: str, slugs: Sequence[str]) -> str:
    """The absolute link that shows this exact list in any browser, without a cookie."""
    return f"{base_url}/danh-sach-chon?sp={quote(join_slugs(slugs), safe=',')}"


def add_slug(slugs: Sequence[str], slug: str) -> tuple[list[str], AddOutcome]:
    """The list with `slug` appended, unless it is already there or the list is full."""
    if slug in slugs:
        return list(slugs), AddOutcome.already
    if len(slugs) >= MAX_ITEMS:
        return list(slugs), AddOutcome.full
    return [*slugs, slug], AddOutcome.added


def remove_slug(slugs: Sequence[str], slug: str) -> list[str]:
    """The list without `slug`."""
    return [s for s in slugs if s != slug]


def published_slugs(*, session: Session, slugs: Sequence[str]) -> list[str]:
    """The slugs of published products among `slugs`, in the order given."""
    if not slugs:
        return []
    found = set(session.exec(
        select(Product.slug)
        .where(col(Product.slug).in_(list(slugs)), Product.state == ProductState.PUBLISHED)
    ).all())
    return [s for s in slugs if s in found]


def _certified_provinces(session: Session, product_ids: list[int]) -> dict[int, list[str]]:
    """Display names of the provinces each product was certified in ('… (nay thuộc …)')."""
    rows = session.exec(
        select(Certificate.product_id, Province.slug, Province.name)
        .join(Province, col(Province.id) == col(Certificate.province_id))
        .where(col(Certificate.product_id).in_(product_ids))
        .order_by(col(Certificate.issued_on).desc())
    ).all()
    names: dict[int, dict[str, None]] = defaultdict(dict)
    for product_id, slug, name in rows:
        info = province_by_slug(slug)
        names[product_id][display_name(info, translate=gettext) if info else name] = None
    return {pid: list(found) for pid, found in names.items()}


def load_shortlist(*, session: Session, parsed: ParsedList, today: date) -> Shortlist:
    """The published products of `parsed`, in its order, with what comparing them needs."""
    rows = session.exec(
        select(Product).where(col(Product.slug).in_(parsed.slugs), Product.state == ProductState.PUBLISHED)
    ).all() if parsed.slugs else []
    by_slug = {p.slug: p for p in rows}
    products = [by_slug[s] for s in parsed.slugs if s in by_slug]
    ids = [p.id for p in products if p.id is not None]
    producers = {p.id: p for p in session.exec(
        select(Producer).where(col(Producer.id).in_([p.producer_id for p in products])))} if ids else {}
    certified = _certified_provinces(session, ids) if ids else {}
    items = [
        ShortlistItem(summary=card, producer=producers[card.product.producer_id],
                      certified_provinces=certified.get(card.product.id or 0, []))
        for card in summarize(session=session, products=products, today=today)
    ]
    ignored = [s for s in parsed.slugs if s not in by_slug] + parsed.rejected
    return Shortlist(items=items, ignored=ignored)

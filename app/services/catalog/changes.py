"""What changed since a day: when a product last changed, and the open data's Atom feed of those changes.

A product changes with itself, its producer or any of its certificates; `product_updated_at` is
that one rule, used by the API's `updated_since` and by the feed `/du-lieu-mo/thay-doi.atom?tu=`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.domain.parsing import ParseError, parse_date
from app.domain.states import ProductState
from app.domain.validity import VIETNAM
from app.errors import InvalidInput
from app.models import Certificate, Producer, Product
from app.services.catalog.feeds import Feed, FeedEntry, tag_uri

CHANGES_FEED_SIZE = 200
DEFAULT_DAYS = 30  # without `tu`, the changes of the last 30 days
EARLIEST = date(2012, 1, 1)  # the programme's first certificates: nothing changed before


def _later(a: Any, b: Any) -> ColumnElement[datetime]:
    """The later of two timestamps; a NULL `b` (no certificate) leaves `a`."""
    return sa.case((b > a, b), else_=a)


def product_updated_at() -> ColumnElement[datetime]:
    """When a product last changed: itself, its producer or any of its certificates."""
    certificates = select(sa.func.max(col(Certificate.updated_at))).where(
        col(Certificate.product_id) == col(Product.id)).scalar_subquery()
    return _later(_later(col(Product.updated_at), col(Producer.updated_at)), certificates)


def parse_since_day(value: str, *, today: date) -> date:
    """`tu` as a day (YYYY-MM-DD or dd/mm/yyyy), not in the future; today − DEFAULT_DAYS when empty."""
    if not value.strip():
        return today - timedelta(days=DEFAULT_DAYS)
    try:
        day = parse_date(value.strip()[:40])
    except ParseError:
        raise InvalidInput("Tham số tu phải là một ngày, ví dụ 2026-11-01 hoặc 01/11/2026.",
                           field="tu") from None
    if day > today:
        raise InvalidInput(f"Tham số tu không được sau hôm nay ({today:%d/%m/%Y}).", field="tu")
    return max(day, EARLIEST)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC timestamps; Atom needs an offset."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def changes_feed(*, session: Session, since: date, base_url: str) -> Feed:
    """Published products changed since the start of `since` in Vietnam, newest change first (capped)."""
    updated = product_updated_at()
    start = datetime.combine(since, time.min, tzinfo=VIETNAM).astimezone(UTC)
    rows = session.exec(
        select(Product, updated.label("changed"))
        .join(Producer, col(Producer.id) == col(Product.producer_id))
        .where(Product.state == ProductState.PUBLISHED, updated >= start)
        .order_by(updated.desc(), col(Product.id).desc()).limit(CHANGES_FEED_SIZE)
    ).all()
    entries = [FeedEntry(id=tag_uri(base_url, f"product/{product.slug}"), title=product.name,
                         link=f"{base_url}/san-pham/{product.slug}", updated=_aware(changed), published=None,
                         summary=f"{product.name}: thông tin thay đổi lúc "
                                 f"{_aware(changed).astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}.")
               for product, changed in rows]
    query = f"tu={since.isoformat()}"
    return Feed(
        id=tag_uri(base_url, f"du-lieu-mo/thay-doi?{query}"),
        title=f"Sản phẩm CNNT tiêu biểu thay đổi từ ngày {since:%d/%m/%Y}",
        self_url=f"{base_url}/du-lieu-mo/thay-doi.atom?{query}",
        alternate=f"{base_url}/du-lieu-mo",
        updated=max((e.updated for e in entries), default=start),
        entries=entries,
        subtitle=f"Sản phẩm có thông tin thay đổi (tối đa {CHANGES_FEED_SIZE}, mới nhất trước).",
    )

"""The Atom feed of newly certified winners, filtered by province, group and level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.domain.groups import ProductGroup, parse_group
from app.domain.levels import Level, parse_level
from app.domain.provinces import ProvinceInfo, display_name, resolve_province
from app.domain.states import ProductState, RoundState
from app.errors import InvalidInput
from app.models import Certificate, Producer, Product, Province, SelectionRound

FEED_SIZE = 50
TAG_DATE = "2025"  # tag: URIs need a date the site's authority held its name; fixed so ids never change


@dataclass(frozen=True, slots=True)
class FeedFilters:
    """Validated filters of a feed (None: not filtered)."""

    province: ProvinceInfo | None = None
    group: ProductGroup | None = None
    level: Level | None = None

    def query(self) -> list[tuple[str, str]]:
        """The filters as the feed's own query parameters, in a fixed order."""
        pairs = [("tinh", self.province.slug if self.province else ""),
                 ("nhom", self.group.value if self.group else ""),
                 ("cap", self.level.value if self.level else "")]
        return [(k, v) for k, v in pairs if v]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One winner: a certificate of a published product."""

    id: str
    title: str
    link: str
    updated: datetime
    published: date | None  # None: an entry about a change, not a certification
    summary: str


@dataclass(frozen=True, slots=True)
class Feed:
    """An Atom feed: its own id and URL, the newest update and the entries."""

    id: str
    title: str
    self_url: str
    alternate: str
    updated: datetime
    entries: list[FeedEntry]
    subtitle: str = "Sản phẩm công nghiệp nông thôn tiêu biểu được chứng nhận gần đây nhất."


def parse_feed_filters(*, tinh: str = "", nhom: str = "", cap: str = "") -> FeedFilters:
    """Province (current or former), group and level from the query; InvalidInput (422) for unknown ones."""
    province = resolve_province(tinh) if tinh.strip() else None
    group = parse_group(nhom) if nhom.strip() else None
    level = parse_level(cap) if cap.strip() else None
    bad = [name for name, raw, value in (("tinh", tinh, province), ("nhom", nhom, group), ("cap", cap, level))
           if raw.strip() and value is None]
    if bad:
        raise InvalidInput(f"Giá trị lọc không hợp lệ: {', '.join(bad)}.")
    return FeedFilters(province=province, group=group, level=level)


def tag_uri(base_url: str, specific: str) -> str:
    """A permanent tag: URI (RFC 4151) under the site's host name."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


def _winners_query(session: Session, filters: FeedFilters) -> Select[Certificate, Product, Producer]:
    """Certificates of published products outside unpublished rounds, newest issue date first."""
    query = (
        select(Certificate, Product, Producer)
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .join(Producer, col(Producer.id) == col(Product.producer_id))
        .outerjoin(SelectionRound, col(SelectionRound.id) == col(Certificate.round_id))
        .where(Product.state == ProductState.PUBLISHED)
        .where(sa.or_(col(Certificate.round_id).is_(None), col(SelectionRound.state) == RoundState.PUBLISHED))
    )
    if filters.group:
        query = query.where(Product.group == filters.group.value)
    if filters.level:
        query = query.where(Certificate.level == filters.level.value)
    if filters.province:
        row = session.exec(select(Province).where(Province.slug == filters.province.slug)).one()
        column = Product.province_id if filters.province.is_current else Certificate.province_id
        query = query.where(column == row.id)
    newest = (col(Certificate.issued_on).desc(), col(Certificate.created_at).desc(),
              col(Certificate.id).desc())
    return query.order_by(*newest).limit(FEED_SIZE)


def _entry(cert: Certificate, product: Product, producer: Producer, base_url: str) -> FeedEntry:
    """A winner as a feed entry: '<product> – <level> năm <year>' linking to the product page."""
    level = Level(cert.level).label
    summary = (f"{product.name} của {producer.name} được chứng nhận sản phẩm công nghiệp nông thôn tiêu biểu "
               f"{level.lower()} năm {cert.issued_on.year}, hiệu lực đến {cert.valid_until:%d/%m/%Y}.")
    return FeedEntry(
        id=tag_uri(base_url, f"certificate/{cert.code}"),
        title=f"{product.name} – {level} năm {cert.issued_on.year}",
        link=f"{base_url}/san-pham/{product.slug}",
        updated=_aware(cert.updated_at),
        published=cert.issued_on,
        summary=summary,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC timestamps; Atom needs an offset."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def winners_feed(*, session: Session, filters: FeedFilters, base_url: str) -> Feed:
    """The newest FEED_SIZE winners matching `filters`, as an Atom feed."""
    rows = session.exec(_winners_query(session, filters)).all()
    entries = [_entry(cert, product, producer, base_url) for cert, product, producer in rows]
    query = urlencode(filters.query())
    title = "Sản phẩm CNNT tiêu biểu mới được chứng nhận"
    if filters.province:
        title += f" – {display_name(filters.province)}"
    fallback = datetime.combine(date(2025, 1, 1), time(), tzinfo=UTC)
    return Feed(
        id=tag_uri(base_url, f"feeds/moi{'?' + query if query else ''}"),
        title=title,
        self_url=f"{base_url}/feeds/moi.atom{'?' + query if query else ''}",
        alternate=f"{base_url}/san-pham?sort=newest",
        updated=max((e.updated for e in entries), default=fallback),
        entries=entries,
    )

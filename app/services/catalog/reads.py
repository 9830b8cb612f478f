"""Read use-cases behind the public pages and the JSON API: products, producers, provinces, home.

Every function takes `session` keyword-only and returns plain dataclasses holding models, so
pages and the API show the same facts. Status is always computed for the `today` passed in
(the Vietnam date from app.web.deps.TodayDep), never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.domain.codes import display_code, normalize_code, number_key
from app.domain.levels import LEVELS_DESCENDING, Level
from app.domain.provinces import (
    ProvinceInfo,
    current_provinces,
    display_name,
    formers_of,
    province_by_slug,
    successor_of,
)
from app.domain.standing import standing, summarise
from app.domain.states import ProductState
from app.domain.text import vietnamese_sort_key
from app.domain.validity import CertificateStatus, certificate_status, expiring_soon, today_in
from app.errors import NotFound
from app.files.media import ImageSource, image_sources
from app.i18n import gettext
from app.models import Certificate, Producer, Product, ProductImage, Province, SelectionRound
from app.services.catalog.provenance import DecisionRef, distinct_decisions, product_updated_at

PROVINCE_PAGE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class ImageView:
    """A photo with its responsive sources; `fallback` is the middle-size JPEG."""

    image: ProductImage
    sources: list[ImageSource]

    @property
    def fallback(self) -> ImageSource:
        """The variant used for `src`, width and height."""
        return self.sources[min(1, len(self.sources) - 1)]


@dataclass(frozen=True, slots=True)
class CertificateView:
    """A certificate as shown to people: status on a day, labels, round, province then."""

    certificate: Certificate
    product: Product
    status: CertificateStatus
    status_label: str
    level_label: str
    expiring_soon: bool
    display_code: str
    province_name: str  # at certification: 'Bắc Giang (nay thuộc Bắc Ninh)'
    province_changed: bool  # certified in a province other than the product's current one
    round: SelectionRound | None

    @property
    def shows_badge(self) -> bool:
        """The programme's badge appears only while the certificate is valid."""
        return self.status == CertificateStatus.valid


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """A product card: highest level, status on a day, cover photo, provinces."""

    product: Product
    level: Level | None
    status: CertificateStatus
    valid_until: date | None
    latest_issued: date | None
    cover: ImageView | None
    province_name: str
    certified_in: list[str]  # display names of provinces at certification other than the current
    producer_name: str = ""  # cards name who makes the product: a buyer's first question


@dataclass(frozen=True, slots=True)
class ProductNeighbours:
    """What a product page offers next: the producer's other products, and products of the same group
    from the same province by other producers (a buyer comparing suppliers)."""

    others: list[ProductSummary]
    others_total: int  # the producer's other published products, all of them (the page shows a few)
    related: list[ProductSummary]


@dataclass(frozen=True, slots=True)
class ProductDetail:
    """Everything the product page and GET /api/v1/products/{slug} show."""

    product: Product
    producer: Producer
    province: Province
    province_name: str
    certificates: list[CertificateView]
    images: list[ImageView]
    level: Level | None
    status: CertificateStatus
    decisions: list[DecisionRef]  # of its certificates' rounds, newest certificate first, each once
    updated_at: datetime  # the product, its producer or a certificate, whichever changed last


@dataclass(frozen=True, slots=True)
class ProducerDetail:
    """A producer with its contacts and published products."""

    producer: Producer
    province: Province
    province_name: str
    products: list[ProductSummary]


@dataclass(frozen=True, slots=True)
class ProvincePage:
    """A current province with its products, or a former one with those certified there."""

    info: ProvinceInfo
    display_name: str
    successor: ProvinceInfo | None
    formers: tuple[ProvinceInfo, ...]
    products: list[ProductSummary]
    truncated: bool


@dataclass(frozen=True, slots=True)
class HomeSummary:
    """Counts for browsing from the home page, and the latest winners."""

    total: int
    group_counts: dict[str, int]
    province_counts: list[tuple[ProvinceInfo, int]]
    level_counts: list[tuple[Level, int]]
    latest: list[ProductSummary] = field(default_factory=list)


def _id(product: Product) -> int:
    """The primary key of a stored product (rows read from the database always have one)."""
    if product.id is None:
        raise ValueError("product has not been saved")
    return product.id


def _provinces(session: Session) -> dict[int, Province]:
    """Every province row by id (a small, fixed table)."""
    return {p.id: p for p in session.exec(select(Province)).all() if p.id is not None}


def _province_name(row: Province | None) -> str:
    """Display name of a province row, with '(nay thuộc …)' for a former one."""
    if row is None:
        return ""
    info = province_by_slug(row.slug)
    return display_name(info, translate=gettext) if info else row.name


def image_view(image: ProductImage) -> ImageView:
    """A stored photo with its srcset sources."""
    return ImageView(image=image, sources=image_sources(image.content_hash, image.width, image.height))


def covers(*, session: Session, product_ids: Iterable[int]) -> dict[int, ImageView]:
    """The cover photo (lowest position) of each product that has one."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ProductImage)
        .where(col(ProductImage.product_id).in_(ids))
        .order_by(col(ProductImage.position).desc(), col(ProductImage.id).desc())
    ).all()
    return {row.product_id: image_view(row) for row in rows}  # last write wins: lowest position


def _certificates_by_product(session: Session, product_ids: list[int]) -> dict[int, list[Certificate]]:
    certs: dict[int, list[Certificate]] = defaultdict(list)
    if product_ids:
        rows = session.exec(
            select(Certificate)
            .where(col(Certificate.product_id).in_(product_ids))
            .order_by(col(Certificate.issued_on).desc(), col(Certificate.id).desc())
        ).all()
        for cert in rows:
            certs[cert.product_id].append(cert)
    return certs


def summarize(*, session: Session, products: Sequence[Product], today: date) -> list[ProductSummary]:
    """Cards for `products`, in the order given, with four queries in all."""
    ids = [_id(p) for p in products]
    certs, provinces = _certificates_by_product(session, ids), _provinces(session)
    images = covers(session=session, product_ids=ids)
    producer_ids = {p.producer_id for p in products}
    producers = dict(session.exec(select(Producer.id, Producer.name)
                                  .where(col(Producer.id).in_(producer_ids))).all()) if producer_ids else {}
    cards = []
    for product in products:
        own = certs.get(_id(product), [])
        shown = standing(summarise(own), on=today)
        elsewhere = dict.fromkeys(
            _province_name(provinces.get(c.province_id)) for c in own if c.province_id != product.province_id
        )
        cards.append(ProductSummary(
            product=product,
            level=shown.level,
            status=shown.status,
            valid_until=shown.until,
            latest_issued=own[0].issued_on if own else None,
            cover=images.get(_id(product)),
            province_name=_province_name(provinces.get(product.province_id)),
            certified_in=list(elsewhere),
            producer_name=producers.get(product.producer_id, ""),
        ))
    return cards


def _certificate_views(session: Session, pairs: Sequence[tuple[Certificate, Product]],
                       today: date) -> list[CertificateView]:
    provinces = _provinces(session)
    round_ids = {c.round_id for c, _ in pairs if c.round_id is not None}
    rounds = {r.id: r for r in session.exec(
        select(SelectionRound).where(col(SelectionRound.id).in_(round_ids)))} if round_ids else {}
    views = []
    for cert, product in pairs:
        status = certificate_status(cert.valid_until, cert.revoked_on, on=today)
        views.append(CertificateView(
            certificate=cert,
            product=product,
            status=status,
            status_label=status.label,
            level_label=Level(cert.level).label,
            expiring_soon=status == "valid" and expiring_soon(cert.valid_until, on=today),
            display_code=display_code(cert.code),
            province_name=_province_name(provinces.get(cert.province_id)),
            province_changed=cert.province_id != product.province_id,
            round=rounds.get(cert.round_id) if cert.round_id is not None else None,
        ))
    return views


def _published_product(session: Session, slug: str) -> Product:
    product = session.exec(select(Product).where(Product.slug == slug)).first()
    if product is None or product.state != ProductState.PUBLISHED:
        raise NotFound(gettext("Không tìm thấy sản phẩm này. Có thể đường dẫn đã thay đổi."))
    return product


def get_product_detail(*, session: Session, slug: str, today: date) -> ProductDetail:
    """A published product with producer, certificates (newest first) and photos; NotFound otherwise."""
    product = _published_product(session, slug)
    producer = session.get_one(Producer, product.producer_id)
    province = session.get_one(Province, product.province_id)
    certs = _certificates_by_product(session, [_id(product)]).get(_id(product), [])
    images = session.exec(
        select(ProductImage).where(ProductImage.product_id == product.id)
        .order_by(col(ProductImage.position), col(ProductImage.id))
    ).all()
    shown = standing(summarise(certs), on=today)
    views = _certificate_views(session, [(c, product) for c in certs], today)
    return ProductDetail(
        product=product,
        producer=producer,
        province=province,
        province_name=_province_name(province),
        certificates=views,
        images=[image_view(i) for i in images],
        level=shown.level,
        status=shown.status,
        decisions=distinct_decisions(view.round for view in views),
        updated_at=product_updated_at(product, producer, certs),
    )


NEIGHBOURS_SHOWN = 6


def product_neighbours(*, session: Session, product: Product, today: date) -> ProductNeighbours:
    """The producer's other products and related ones (same group, same current province, another
    producer), a few of each in Vietnamese order; the related ones still valid today first."""
    others_query = select(Product).where(Product.producer_id == product.producer_id, Product.id != product.id,
                                         Product.state == ProductState.PUBLISHED)
    others_total = session.exec(select(func.count()).select_from(others_query.subquery())).one()
    others = session.exec(others_query.order_by(col(Product.name_key), col(Product.id))
                          .limit(NEIGHBOURS_SHOWN)).all()
    related = session.exec(
        select(Product).where(Product.group == product.group, Product.province_id == product.province_id,
                              Product.producer_id != product.producer_id,
                              Product.state == ProductState.PUBLISHED)
        .order_by(col(Product.name_key), col(Product.id)).limit(NEIGHBOURS_SHOWN * 4)).all()
    related_cards = summarize(session=session, products=_in_vietnamese_order(related), today=today)
    related_cards.sort(key=lambda card: card.status != CertificateStatus.valid)  # stable: order kept within
    return ProductNeighbours(
        others=summarize(session=session, products=_in_vietnamese_order(others), today=today),
        others_total=int(others_total), related=related_cards[:NEIGHBOURS_SHOWN])


def _in_vietnamese_order(products: Sequence[Product]) -> list[Product]:
    return sorted(products, key=lambda p: vietnamese_sort_key(p.name))


def get_producer_detail(*, session: Session, slug: str, today: date | None = None) -> ProducerDetail:
    """A producer with its published products; NotFound for an unknown slug."""
    producer = session.exec(select(Producer).where(Producer.slug == slug)).first()
    if producer is None:
        raise NotFound(gettext("Không tìm thấy cơ sở sản xuất này."))
    products = session.exec(
        select(Product).where(Product.producer_id == producer.id, Product.state == ProductState.PUBLISHED)
    ).all()
    products = _in_vietnamese_order(products)
    province = session.get_one(Province, producer.province_id)
    return ProducerDetail(
        producer=producer,
        province=province,
        province_name=_province_name(province),
        products=summarize(session=session, products=products, today=today or today_in()),
    )


def get_province_page(*, session: Session, slug: str, today: date) -> ProvincePage:
    """A current province lists its products (former ones included); a former one, those certified there."""
    info = province_by_slug(slug)
    row = session.exec(select(Province).where(Province.slug == slug)).first()
    if info is None or row is None:
        raise NotFound(gettext("Không có tỉnh/thành phố này."))
    query = select(Product).where(Product.state == ProductState.PUBLISHED)
    if info.is_current:
        query = query.where(Product.province_id == row.id)
    else:
        certified_here = select(Certificate.product_id).where(Certificate.province_id == row.id)
        query = query.where(col(Product.id).in_(certified_here))
    products = session.exec(query.order_by(col(Product.name)).limit(PROVINCE_PAGE_LIMIT + 1)).all()
    return ProvincePage(
        info=info,
        display_name=display_name(info, translate=gettext),
        successor=None if info.is_current else successor_of(info),
        formers=formers_of(info),
        products=summarize(session=session, products=products[:PROVINCE_PAGE_LIMIT], today=today),
        truncated=len(products) > PROVINCE_PAGE_LIMIT,
    )


def latest_winners(*, session: Session, limit: int, today: date | None = None) -> list[ProductSummary]:
    """Products by their newest certificate's issue date, newest first."""
    newest = sa.func.max(Certificate.issued_on).label("newest")
    rows = session.exec(
        select(Product, newest)
        .join(Certificate, col(Certificate.product_id) == col(Product.id))
        .where(Product.state == ProductState.PUBLISHED)
        .group_by(col(Product.id))
        .order_by(newest.desc(), col(Product.id).desc())
        .limit(limit)
    ).all()
    return summarize(session=session, products=[p for p, _ in rows], today=today or today_in())


def _count_products_by(session: Session, column: Any, *, via_certificates: bool = False) -> dict[str, int]:
    """Published products per value of `column` (distinct products when joined to certificates)."""
    query = (select(column, sa.func.count(sa.distinct(col(Product.id))))
             .where(Product.state == ProductState.PUBLISHED))
    if via_certificates:
        query = query.join(Certificate, col(Certificate.product_id) == col(Product.id))
    return {str(key): int(count) for key, count in session.exec(query.group_by(column)).all()}


def home_summary(*, session: Session, today: date, latest: int = 8) -> HomeSummary:
    """Counts by group, current province and level, plus the latest winners."""
    by_group = _count_products_by(session, col(Product.group))
    by_province_id = _count_products_by(session, col(Product.province_id))
    by_level = _count_products_by(session, col(Certificate.level), via_certificates=True)
    slugs = {str(p.id): p.slug for p in _provinces(session).values()}
    by_slug = {slugs.get(k): n for k, n in by_province_id.items()}
    return HomeSummary(
        total=sum(by_group.values()),
        group_counts=by_group,
        province_counts=[(p, by_slug.get(p.slug, 0)) for p in current_provinces()],
        level_counts=[(lv, by_level.get(lv.value, 0)) for lv in LEVELS_DESCENDING if by_level.get(lv.value)],
        latest=latest_winners(session=session, limit=latest, today=today),
    )


def find_certificates(*, session: Session, code: str | None, number: str | None,
                      today: date) -> list[CertificateView]:
    """Certificates of published products by verification code and/or printed number."""
    conditions = []
    if code is not None:
        normalized = normalize_code(code)
        if normalized is None:
            return []
        conditions.append(col(Certificate.code) == normalized)
    if number is not None:
        key = number_key(number)
        if not key:
            return []
        conditions.append(col(Certificate.number_key) == key)
    return certificates_where(session=session, conditions=conditions, today=today)


def certificates_where(*, session: Session, conditions: Sequence[Any], today: date) -> list[CertificateView]:
    """Certificates of published products meeting every condition, newest issued first (none: none).

    One query for one lookup or a whole batch (`col(Certificate.code).in_(codes)`): the single
    lookup and the bulk check read certificates the same way.
    """
    if not conditions:
        return []
    rows = session.exec(
        select(Certificate, Product)
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .where(Product.state == ProductState.PUBLISHED, *conditions)
        .order_by(col(Certificate.issued_on).desc(), col(Certificate.id))
    ).all()
    return _certificate_views(session, list(rows), today)

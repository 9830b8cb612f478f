"""The tile-grid map: valid products per current province, shaded in five buckets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.provinces import ProvinceInfo, current_provinces
from app.domain.states import ProductState
from app.i18n import gettext, ngettext
from app.models import Certificate, Product, Province
from app.services.catalog.in_force import in_force_on

BUCKETS = 5  # 0 = none, 1–4 = quarters of the largest count
# (row, column) of each current province on a rough north-to-south grid, hand-placed.
TILE_GRID: dict[str, tuple[int, int]] = {
    "lai-chau": (1, 2), "lao-cai": (1, 3), "tuyen-quang": (1, 4), "cao-bang": (1, 5),
    "dien-bien": (2, 1), "son-la": (2, 2), "phu-tho": (2, 3), "thai-nguyen": (2, 4), "lang-son": (2, 5),
    "ha-noi": (3, 3), "bac-ninh": (3, 4), "quang-ninh": (3, 5),
    "ninh-binh": (4, 3), "hung-yen": (4, 4), "hai-phong": (4, 5),
    "thanh-hoa": (5, 3), "nghe-an": (6, 3), "ha-tinh": (7, 4), "quang-tri": (8, 4), "hue": (9, 5),
    "da-nang": (10, 5), "quang-ngai": (11, 5), "gia-lai": (12, 5), "dak-lak": (13, 5),
    "lam-dong": (14, 4), "khanh-hoa": (14, 5),
    "tay-ninh": (15, 2), "ho-chi-minh": (15, 3), "dong-nai": (15, 4),
    "an-giang": (16, 1), "dong-thap": (16, 2), "vinh-long": (16, 3),
    "can-tho": (17, 2), "ca-mau": (18, 1),
}


@dataclass(frozen=True, slots=True)
class MapTile:
    """One province on the map: where it sits, how many valid products, its shade bucket."""

    province: ProvinceInfo
    row: int
    column: int
    count: int
    bucket: int


def valid_counts(*, session: Session, today: date) -> dict[int, int]:
    """Published products with a certificate valid on `today`, per current province id."""
    valid = select(Certificate.product_id).where(in_force_on(today))
    rows = session.exec(
        select(Product.province_id, sa.func.count(col(Product.id)))
        .where(Product.state == ProductState.PUBLISHED, col(Product.id).in_(valid))
        .group_by(col(Product.province_id))
    ).all()
    return {int(pid): int(n) for pid, n in rows}


def bucket_of(count: int, largest: int) -> int:
    """0 for none; otherwise 1–4 by the quarter of the largest count it reaches."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, min(BUCKETS - 1, math.ceil((BUCKETS - 1) * count / largest)))


def map_tiles(*, session: Session, today: date) -> list[MapTile]:
    """The 34 current provinces as tiles, north to south, with their valid-product counts."""
    ids = {slug: pid for pid, slug in session.exec(select(Province.id, Province.slug)) if pid is not None}
    counts = valid_counts(session=session, today=today)
    by_slug = {p.slug: counts.get(ids.get(p.slug, -1), 0) for p in current_provinces()}
    largest = max(by_slug.values(), default=0)
    tiles = [MapTile(province=p, row=TILE_GRID[p.slug][0], column=TILE_GRID[p.slug][1],
                     count=by_slug[p.slug], bucket=bucket_of(by_slug[p.slug], largest))
             for p in current_provinces()]
    return sorted(tiles, key=lambda t: (t.row, t.column))


def bucket_ranges(tiles: list[MapTile]) -> list[tuple[int, str]]:
    """The legend: each bucket with the counts it covers, in words of the page's language."""
    largest = max((t.count for t in tiles), default=0)
    legend = [(0, ngettext("%(num)s sản phẩm", "%(num)s sản phẩm", 0) % {"num": 0})]
    for bucket in range(1, BUCKETS):
        low = math.floor((bucket - 1) * largest / (BUCKETS - 1)) + 1
        high = math.floor(bucket * largest / (BUCKETS - 1))
        if largest and low < high:
            legend.append((bucket, gettext("%(low)s–%(high)s sản phẩm") % {"low": low, "high": high}))
        elif largest and low == high:
            legend.append((bucket, ngettext("%(num)s sản phẩm", "%(num)s sản phẩm", low) % {"num": low}))
    return legend

"""The register's counts, each one SQL aggregate that SQLite and PostgreSQL answer alike.

Only published products count, with all their certificates, as in the catalog, the map and the
open data. Validity on a day is `in_force_on` (the SQL form of app/domain/standing.py's rule):
issued on or before the day, not past its last valid day; revoked means revoked on or before it.
A scope (the ids of a current province and its former ones) keeps the products now in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.domain.programme import PUBLISHED_FIRST_YEAR, PUBLISHED_LAST_YEAR
from app.domain.states import ProductState
from app.errors import InvalidInput
from app.i18n import gettext
from app.models import Certificate, Product, Province
from app.services.catalog.in_force import in_force_on

Scope = tuple[int, ...] | None  # province ids of the products counted; None: the whole country


class ProvinceMode(StrEnum):
    """Which province a product counts in: its current one, or the one that certified it."""

    current = "hien-tai"
    certified = "luc-cap"


def parse_province_mode(value: str) -> ProvinceMode:
    """`?tinh=` of the page and its CSV: empty means current; anything else but the two is refused."""
    if not value:
        return ProvinceMode.current
    if value in ProvinceMode.__members__.values():
        return ProvinceMode(value)
    raise InvalidInput(gettext("Tham số tinh chỉ nhận hien-tai (tỉnh hiện nay) hoặc luc-cap "
                               "(tỉnh lúc chứng nhận)."), field="tinh")


@dataclass(frozen=True, slots=True)
class Counts:
    """Products (distinct), certificates, and products with a certificate valid on the day."""

    products: int
    certificates: int
    valid_products: int = 0


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """Certificates by status on a day; `expiring` are valid ones that end by 31/12 of its year."""

    valid: int
    expiring: int
    expired: int
    revoked: int
    valid_products: int

    @property
    def total(self) -> int:
        """Every certificate counted."""
        return self.valid + self.expired + self.revoked


def _published(statement: Any, scope: Scope) -> Any:
    """Certificates of published products (in the scope, if any)."""
    statement = (statement.select_from(Certificate)
                 .join(Product, col(Product.id) == col(Certificate.product_id))
                 .where(col(Product.state) == ProductState.PUBLISHED))
    return statement if scope is None else statement.where(col(Product.province_id).in_(scope))


def _year() -> Any:
    """The year of issue (SQLite: strftime; PostgreSQL: extract)."""
    return sa.extract("year", col(Certificate.issued_on))


def _products() -> Any:
    """Distinct products."""
    return sa.func.count(sa.distinct(col(Certificate.product_id)))


def _valid_products(today: date) -> Any:
    """Distinct products with a certificate valid on `today`."""
    return sa.func.count(sa.distinct(sa.case((in_force_on(today), col(Certificate.product_id)), else_=None)))


def _counts(today: date) -> tuple[Any, Any, Any]:
    """Distinct products, certificates, distinct products valid on `today`."""
    return _products(), sa.func.count(col(Certificate.id)), _valid_products(today)


def level_year_counts(*, session: Session, scope: Scope = None) -> dict[tuple[int, Level], Counts]:
    """(year of issue, level) → products and certificates."""
    year = _year()
    columns = (year, col(Certificate.level), _products(), sa.func.count(col(Certificate.id)))
    rows = session.exec(_published(select(*columns), scope).group_by(year, col(Certificate.level))).all()
    return {(int(y), Level(level)): Counts(int(p), int(c))
            for y, level, p, c in rows if level in Level.__members__}


def province_counts(*, session: Session, today: date, mode: ProvinceMode,
                    scope: Scope = None) -> dict[int, Counts]:
    """Province id → counts: by the product's current province (a former one's successor) or the
    province that certified it."""
    if mode is ProvinceMode.current:
        key: Any = sa.func.coalesce(col(Province.successor_id), col(Province.id))
        joined = col(Province.id) == col(Product.province_id)
    else:
        key, joined = col(Certificate.province_id), col(Province.id) == col(Certificate.province_id)
    statement = _published(select(key, *_counts(today)), scope).join(Province, joined)
    rows = session.exec(statement.group_by(key)).all()
    return {int(pid): Counts(int(p), int(c), int(v)) for pid, p, c, v in rows}


def group_counts(*, session: Session, today: date, scope: Scope = None) -> dict[str, Counts]:
    """Product group code → counts."""
    statement = _published(select(col(Product.group), *_counts(today)), scope)
    rows = session.exec(statement.group_by(col(Product.group))).all()
    return {str(group): Counts(int(p), int(c), int(v)) for group, p, c, v in rows}


def status_counts(*, session: Session, today: date, scope: Scope = None) -> StatusCounts:
    """Certificates valid, ending this year, expired and revoked on `today`, and products valid."""
    revoked = sa.and_(col(Certificate.revoked_on).is_not(None), col(Certificate.revoked_on) <= today)
    valid = in_force_on(today)  # never true of one revoked by `today`
    expiring = sa.and_(valid, col(Certificate.valid_until) <= date(today.year, 12, 31))

    def number(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    statement = _published(sa.select(number(valid), number(expiring), number(revoked),
                                     sa.func.count(col(Certificate.id)), _valid_products(today)), scope)
    n_valid, n_expiring, n_revoked, n_all, n_products = (int(n) for n in session.execute(statement).one())
    return StatusCounts(valid=n_valid, expiring=n_expiring, expired=n_all - n_valid - n_revoked,
                        revoked=n_revoked, valid_products=n_products)


def published_years_counts(*, session: Session, scope: Scope = None) -> dict[Level, int]:
    """Level → certificates issued in the programme's published years (2012–2022)."""
    first, last = date(PUBLISHED_FIRST_YEAR, 1, 1), date(PUBLISHED_LAST_YEAR, 12, 31)
    statement = _published(select(col(Certificate.level), sa.func.count(col(Certificate.id))), scope)
    statement = statement.where(col(Certificate.issued_on) >= first, col(Certificate.issued_on) <= last)
    rows = session.exec(statement.group_by(col(Certificate.level))).all()
    return {Level(level): int(n) for level, n in rows if level in Level.__members__}

"""The office's product list: search by name, filter by state, only the account's own province."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.provinces import display_name, province_by_slug
from app.domain.states import ProductState, parse_state
from app.domain.text import fold
from app.models import Producer, Product, Province
from app.services.office.account import Account

PAGE_SIZE = 50
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One line of the list."""

    product: Product
    producer_name: str
    province_name: str


@dataclass(frozen=True, slots=True)
class ProductList:
    """A page of the list with what was asked."""

    rows: list[ProductRow]
    total: int
    page: int
    pages: int
    q: str
    state: str


def province_label(session: Session, province_id: int) -> str:
    """A province's display name: 'Bắc Giang (nay thuộc Bắc Ninh)' for a former one."""
    row = session.get_one(Province, province_id)
    info = province_by_slug(row.slug)
    return display_name(info) if info else row.name


def _office_province_id(session: Session, account: Account) -> int | None:
    """The id of an office's (current) province; None for an administrator."""
    if account.is_admin:
        return None
    row = session.exec(select(Province).where(Province.slug == account.province_slug)).first()
    return row.id if row is not None else -1  # an office without a province sees nothing


def list_products(*, session: Session, account: Account, q: str = "", state: str = "",
                  page: int = 1) -> ProductList:
    """Products by name; an office sees those whose current province is its own (formers merged in)."""
    q = " ".join(q.split())[:MAX_QUERY]
    state = state if parse_state(ProductState, state) is not None else ""
    conditions = []
    if (province_id := _office_province_id(session, account)) is not None:
        conditions.append(col(Product.province_id) == province_id)
    if state:
        conditions.append(col(Product.state) == state)
    if q:
        conditions.append(col(Product.name_key).contains(fold(q), autoescape=True))
    total = session.exec(select(sa.func.count()).select_from(Product).where(*conditions)).one()
    pages = max(1, -(-int(total) // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(Product, Producer).join(Producer, col(Producer.id) == col(Product.producer_id))
        .where(*conditions).order_by(col(Product.name_key), col(Product.id))
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return ProductList(
        rows=[ProductRow(product=p, producer_name=pr.name,
                         province_name=province_label(session, p.province_id)) for p, pr in rows],
        total=int(total), page=page, pages=pages, q=q, state=state,
    )

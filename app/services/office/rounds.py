"""Selection rounds in the office workspace: who sees which, creating one, and what it holds.

An office sees the local and provincial rounds of its province and of the former provinces
merged into it; regional and national rounds belong to the ministry's administrators.
Helpers flush; the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.domain.levels import Level
from app.domain.provinces import (
    ProvinceInfo,
    all_provinces,
    current_provinces,
    province_by_slug,
    successor_of,
)
from app.domain.regions import Region
from app.errors import InvalidInput, NotFound
from app.forms.rounds import RoundForm
from app.models import Certificate, ImportBatch, Producer, Product, ProductImage, Province, SelectionRound
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot

WINNERS_SHOWN = 500
def province_choices(account: Account) -> list[ProvinceInfo]:
    """Provinces this account may open a round for: an office its own and its former ones."""
    return [p for p in all_provinces()
            if account.is_admin or successor_of(p).slug == account.province_slug]


def level_choices(account: Account) -> list[Level]:
    """Levels this account may open a round at."""
    return [level for level in Level if account.is_admin or level in (Level.huyen, Level.xa, Level.tinh)]


def _province_ids_of(session: Session, slug: str | None) -> list[int]:
    """Row ids of a current province and the former provinces merged into it."""
    rows = session.exec(select(Province)).all()
    own = next((p for p in rows if p.slug == slug), None)
    if own is None:
        return []
    return [p.id for p in rows if p.id is not None and own.id in (p.id, p.successor_id)]


def _province_ids_of_office(session: Session, account: Account) -> list[int]:
    """Row ids of the office's province and the former provinces merged into it."""
    return _province_ids_of(session, account.province_slug)


def filter_provinces(account: Account) -> list[ProvinceInfo]:
    """The provinces an administrator may narrow the round list to (an office sees one province anyway)."""
    return list(current_provinces()) if account.is_admin else []


def round_places(*, session: Session, rounds: list[SelectionRound]) -> dict[int, str]:
    """Each round's place as the office reads it: its province, else its region, else the whole country."""
    names = {p.id: p.name for p in session.exec(select(Province)).all()}
    places: dict[int, str] = {}
    for selection_round in rounds:
        assert selection_round.id is not None  # noqa: S101 - loaded from the database
        if selection_round.province_id is not None:
            places[selection_round.id] = names.get(selection_round.province_id, "")
        elif selection_round.region:
            places[selection_round.id] = f"Khu vực {Region(selection_round.region).label}"
        else:
            places[selection_round.id] = "Toàn quốc"
    return places


def visible_rounds(*, session: Session, account: Account,
                   province_slug: str = "") -> list[tuple[SelectionRound, str | None, int]]:
    """Rounds the account may see, newest first, with their province name and winner count.

    `province_slug` (a current province) narrows the list to its rounds and its former provinces'.
    """
    counts = (select(Certificate.round_id, func.count().label("n"))
              .group_by(col(Certificate.round_id)).subquery())
    query = (select(SelectionRound, Province.name, sa.func.coalesce(counts.c.n, 0))
             .join(Province, col(Province.id) == SelectionRound.province_id, isouter=True)
             .join(counts, counts.c.round_id == SelectionRound.id, isouter=True)
             .order_by(col(SelectionRound.year).desc(), col(SelectionRound.level),
                       col(SelectionRound.id).desc()))
    if not account.is_admin:
        query = query.where(col(SelectionRound.province_id).in_(_province_ids_of_office(session, account)))
    if province_slug:
        query = query.where(col(SelectionRound.province_id).in_(_province_ids_of(session, province_slug)))
    return [(r, name, int(n)) for r, name, n in session.exec(query).all()]


def get_round(*, session: Session, account: Account, round_id: int) -> SelectionRound:
    """The round if the account may see it; NotFound otherwise (existence not revealed)."""
    found = session.get(SelectionRound, round_id)
    if found is None:
        raise NotFound("Không tìm thấy đợt bình chọn này.")
    if found.province_id is None:
        if not account.is_admin:
            raise NotFound("Không tìm thấy đợt bình chọn này.")
        return found
    province = session.get(Province, found.province_id)
    account.require_province(province.slug if province else "")
    return found


def create_round(*, session: Session, account: Account, form: RoundForm) -> SelectionRound:
    """Open a round: level and province checked against the account; duplicates refused."""
    account.require_level(form.level)
    province_id = None
    if form.province is not None:
        account.require_province(form.province)
        row = session.exec(select(Province).where(Province.slug == form.province)).one()
        province_id = row.id
    duplicate = session.exec(select(SelectionRound.id).where(
        SelectionRound.level == form.level.value, SelectionRound.year == form.year,
        _same(SelectionRound.region, form.region.value if form.region else None),
        _same(SelectionRound.province_id, province_id),
        _same(SelectionRound.decision_number, form.decision_number))).first()
    if duplicate is not None:
        raise InvalidInput("Đã có đợt bình chọn với cùng cấp, năm, địa bàn và số quyết định.",
                           field="decision_number")
    created = SelectionRound(level=form.level.value, year=form.year,
                             region=form.region.value if form.region else None, province_id=province_id,
                             organiser=form.organiser, decision_number=form.decision_number,
                             decision_date=form.decision_date)
    session.add(created)
    session.flush()
    record_change(session=session, account=account, action="round.create", entity="selection_round",
                  entity_id=created.id, province_id=province_id, before=None, after=snapshot(created))
    return created


def _same(column: Any, value: object) -> Any:
    """`column = value`, or IS NULL for None."""
    return col(column).is_(None) if value is None else column == value


@dataclass(frozen=True, slots=True)
class Winner:
    """One certificate of a round, as its page lists it."""

    product_name: str
    product_slug: str
    producer_name: str
    number: str | None
    issued_on: date
    group: str


def round_winners(*, session: Session, round_id: int, limit: int = WINNERS_SHOWN) -> tuple[list[Winner], int]:
    """The round's certificates (first `limit`, by product name) and how many there are."""
    total = session.exec(select(func.count()).select_from(Certificate)
                         .where(Certificate.round_id == round_id)).one()
    rows = session.execute(
        sa.select(col(Product.name), col(Product.slug), col(Producer.name), col(Certificate.number),
                  col(Certificate.issued_on), col(Product.group))
        .join(Product, col(Product.id) == Certificate.product_id)
        .join(Producer, col(Producer.id) == Product.producer_id)
        .where(col(Certificate.round_id) == round_id).order_by(col(Product.name)).limit(limit)).all()
    return [Winner(*row) for row in rows], int(total)


def round_products_without_photo(*, session: Session, round_id: int,
                                  limit: int = WINNERS_SHOWN) -> list[tuple[int, str]]:
    """(id, name) of the round's products that have no photo yet: the next step after publishing."""
    with_photo = sa.select(col(ProductImage.product_id))
    rows = session.execute(
        sa.select(col(Product.id), col(Product.name)).distinct()
        .join(Certificate, col(Certificate.product_id) == Product.id)
        .where(col(Certificate.round_id) == round_id, col(Product.id).not_in(with_photo))
        .order_by(col(Product.name)).limit(limit)).all()
    return [(int(product_id), str(name)) for product_id, name in rows]


def round_batches(*, session: Session, round_id: int) -> list[ImportBatch]:
    """The round's uploaded spreadsheets, newest first."""
    return list(session.exec(select(ImportBatch).where(ImportBatch.round_id == round_id)
                             .order_by(col(ImportBatch.id).desc())).all())


def round_province(*, session: Session, selection_round: SelectionRound) -> ProvinceInfo | None:
    """The reference data of the round's province (local rounds), else None."""
    if selection_round.province_id is None:
        return None
    row = session.get(Province, selection_round.province_id)
    return province_by_slug(row.slug) if row else None

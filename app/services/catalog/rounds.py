"""The public pages of published selection rounds: the list of rounds, and each round with who won."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app.domain.levels import Level
from app.domain.provinces import display_name, province_by_slug
from app.domain.regions import Region
from app.domain.states import ProductState, RoundState
from app.domain.text import vietnamese_sort_key
from app.errors import NotFound
from app.i18n import gettext
from app.models import Certificate, Product, Province, SelectionRound
from app.services.catalog.reads import ProductSummary, summarize


@dataclass(frozen=True, slots=True)
class RoundPage:
    """A round with its level, place (region or province) and winning products."""

    round: SelectionRound
    level_label: str  # a Vietnamese msgid, translated where shown
    place: str  # in the page's language
    winners: list[ProductSummary]


def round_place(session: Session, rnd: SelectionRound) -> str:
    """'Phía Nam' for a regional round, the province for a local one, '' for the national round."""
    if rnd.region:
        try:
            return gettext(Region(rnd.region).label)
        except ValueError:
            return rnd.region
    if rnd.province_id is None:
        return ""
    row = session.get_one(Province, rnd.province_id)
    info = province_by_slug(row.slug)
    return display_name(info, translate=gettext) if info else row.name


def get_round_page(*, session: Session, round_id: int, today: date) -> RoundPage:
    """A published round and its published winners by group then name; NotFound otherwise."""
    rnd = session.get(SelectionRound, round_id)
    if rnd is None or rnd.state != RoundState.PUBLISHED:
        raise NotFound(gettext("Không tìm thấy đợt bình chọn này."))
    winners = session.exec(
        select(Product).where(Product.state == ProductState.PUBLISHED)
        .where(col(Product.id).in_(select(Certificate.product_id).where(Certificate.round_id == round_id)))
        .order_by(col(Product.group), col(Product.name))
    ).all()
    return RoundPage(
        round=rnd,
        level_label=Level(rnd.level).label,
        place=round_place(session, rnd),
        winners=summarize(session=session, products=winners, today=today),
    )


ROUNDS_PER_PAGE = 60


@dataclass(frozen=True, slots=True)
class RoundRow:
    """One published round in the public list: what it was, where, its decision and how many winners."""

    round: SelectionRound
    level_label: str  # a Vietnamese msgid, translated where shown
    place: str  # in the page's language; "" for a national round
    winners: int  # published products certified by it


@dataclass(frozen=True, slots=True)
class RoundList:
    """A page of the public list of rounds, newest year first, and the choices of its filters."""

    rows: list[RoundRow]
    total: int
    page: int
    page_count: int
    years: list[int]  # every year with a published round, newest first


def list_rounds(*, session: Session, level: Level | None = None, year: int | None = None,
                page: int = 1) -> RoundList:
    """Published rounds, newest year first, then by level (national first) and place in Vietnamese order.

    A few thousand rounds at most (one per province, level and year), so they are read whole and
    sorted here, where the Vietnamese collation and the translated places are known; only a page is shown.
    """
    winners = (select(Certificate.round_id, func.count(func.distinct(Certificate.product_id)).label("n"))
               .join(Product, col(Product.id) == Certificate.product_id)
               .where(Product.state == ProductState.PUBLISHED)
               .group_by(col(Certificate.round_id)).subquery())
    query = (select(SelectionRound, Province.slug, Province.name, func.coalesce(winners.c.n, 0))
             .join(Province, col(Province.id) == SelectionRound.province_id, isouter=True)
             .join(winners, winners.c.round_id == SelectionRound.id, isouter=True)
             .where(SelectionRound.state == RoundState.PUBLISHED))
    years = sorted(set(session.exec(select(SelectionRound.year).where(
        SelectionRound.state == RoundState.PUBLISHED).distinct()).all()), reverse=True)
    if level is not None:
        query = query.where(SelectionRound.level == level.value)
    if year is not None:
        query = query.where(SelectionRound.year == year)
    rows = [RoundRow(round=rnd, level_label=Level(rnd.level).label, place=_place(rnd, slug, name),
                     winners=int(count))
            for rnd, slug, name, count in session.exec(query).all()]
    rows.sort(key=lambda r: (-r.round.year, -Level(r.round.level).rank, vietnamese_sort_key(r.place),
                             r.round.id or 0))
    page_count = max(1, -(-len(rows) // ROUNDS_PER_PAGE))
    page = min(max(page, 1), page_count)
    start = (page - 1) * ROUNDS_PER_PAGE
    return RoundList(rows=rows[start:start + ROUNDS_PER_PAGE], total=len(rows), page=page,
                     page_count=page_count, years=years)


def _place(rnd: SelectionRound, slug: str | None, name: str | None) -> str:
    """`round_place` from a row already joined to its province, without a query per round."""
    if rnd.region:
        try:
            return gettext(Region(rnd.region).label)
        except ValueError:
            return rnd.region
    if slug is None:
        return ""
    info = province_by_slug(slug)
    return display_name(info, translate=gettext) if info else (name or "")

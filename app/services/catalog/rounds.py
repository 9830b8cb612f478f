"""The public page of a published selection round: what it was and who won."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.domain.provinces import display_name, province_by_slug
from app.domain.regions import Region
from app.domain.states import ProductState, RoundState
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

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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, col, func, select

from app.accounts import Account
from app.domain.levels import DISTRICTS_ABOLISHED, Level
from app.domain.parsing import ParseError, parse_date
from app.domain.provinces import ProvinceInfo, all_provinces, province_by_slug, successor_of
from app.domain.regions import Region
from app.errors import InvalidInput, NotFound
from app.models import Certificate, ImportBatch, Producer, Product, Province, SelectionRound
from app.services.audit import record_change, snapshot

WINNERS_SHOWN = 500
_FIELD_MESSAGES = {
    "level": "Chọn cấp bình chọn.",
    "year": "Năm phải là số từ 2000 đến 2100.",
    "region": "Chọn khu vực.",
    "province": "Chọn tỉnh/thành phố.",
    "organiser": "Tên đơn vị tổ chức tối đa 300 ký tự.",
    "decision_number": "Số quyết định tối đa 100 ký tự.",
    "decision_date": "Ngày quyết định cần theo dạng dd/mm/yyyy.",
}


class RoundForm(BaseModel):
    """The new-round form; blank optional fields are None, messages are Vietnamese."""

    model_config = ConfigDict(str_strip_whitespace=True)

    level: Level
    year: int = Field(ge=2000, le=2100)
    region: Region | None = None
    province: str | None = Field(default=None, max_length=64)
    organiser: str | None = Field(default=None, max_length=300)
    decision_number: str | None = Field(default=None, max_length=100)
    decision_date: date | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty form field means 'not given'."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("decision_date", mode="before")
    @classmethod
    def _vietnamese_date(cls, value: object) -> object:
        """dd/mm/yyyy as typed, or the ISO date a date picker sends."""
        if value is None or isinstance(value, date) or (isinstance(value, str) and not value.strip()):
            return value or None
        try:
            return parse_date(value)
        except ParseError as error:
            raise ValueError(error.message) from None

    @model_validator(mode="after")
    def _consistent(self) -> RoundForm:
        """Region only for regional rounds, province only for local ones, level within its years."""
        local = self.level in (Level.huyen, Level.xa, Level.tinh)
        if self.level is Level.khu_vuc and self.region is None:
            raise _field_error("region", "Đợt cấp khu vực cần chọn khu vực.")
        if local and self.province is None:
            raise _field_error("province", "Đợt cấp huyện, xã hoặc tỉnh cần chọn tỉnh/thành phố.")
        if local and province_by_slug(self.province or "") is None:
            raise _field_error("province", "Không rõ tỉnh/thành phố này.")
        if self.level is Level.huyen and self.year > DISTRICTS_ABOLISHED.year:
            raise _field_error("level", "Từ 01/07/2025 không còn cấp huyện (dùng cấp xã).")
        if self.level is Level.xa and self.year < DISTRICTS_ABOLISHED.year:
            raise _field_error("level", "Cấp xã chỉ có từ 01/07/2025 (trước đó là cấp huyện).")
        if not local:
            self.province = None
        if self.level is not Level.khu_vuc:
            self.region = None
        return self


class _FieldProblem(ValueError):
    """A cross-field problem that belongs to one field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _field_error(field: str, message: str) -> _FieldProblem:
    return _FieldProblem(field, message)


def parse_round_form(data: dict[str, Any]) -> tuple[RoundForm | None, dict[str, str]]:
    """The form, or None with a Vietnamese message per field."""
    try:
        return RoundForm.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "level"
            cause = item.get("ctx", {}).get("error")
            message = str(cause) if isinstance(cause, ValueError) else None
            if isinstance(cause, _FieldProblem):
                field = cause.field
            errors.setdefault(field, message or _FIELD_MESSAGES.get(field, "Giá trị không hợp lệ."))
        return None, errors


def province_choices(account: Account) -> list[ProvinceInfo]:
    """Provinces this account may open a round for: an office its own and its former ones."""
    return [p for p in all_provinces()
            if account.is_admin or successor_of(p).slug == account.province_slug]


def level_choices(account: Account) -> list[Level]:
    """Levels this account may open a round at."""
    return [level for level in Level if account.is_admin or level in (Level.huyen, Level.xa, Level.tinh)]


def _province_ids_of_office(session: Session, account: Account) -> list[int]:
    """Row ids of the office's province and the former provinces merged into it."""
    rows = session.exec(select(Province)).all()
    own = next((p for p in rows if p.slug == account.province_slug), None)
    if own is None:
        return []
    return [p.id for p in rows if p.id is not None and own.id in (p.id, p.successor_id)]


def visible_rounds(*, session: Session, account: Account) -> list[tuple[SelectionRound, str | None, int]]:
    """Rounds the account may see, newest first, with their province name and winner count."""
    counts = (select(Certificate.round_id, func.count().label("n"))
              .group_by(col(Certificate.round_id)).subquery())
    query = (select(SelectionRound, Province.name, sa.func.coalesce(counts.c.n, 0))
             .join(Province, col(Province.id) == SelectionRound.province_id, isouter=True)
             .join(counts, counts.c.round_id == SelectionRound.id, isouter=True)
             .order_by(col(SelectionRound.year).desc(), col(SelectionRound.level),
                       col(SelectionRound.id).desc()))
    if not account.is_admin:
        query = query.where(col(SelectionRound.province_id).in_(_province_ids_of_office(session, account)))
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

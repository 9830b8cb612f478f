"""The office's new-round form: a pydantic model with Vietnamese messages, one per field.

`parse_round_form` returns the validated form or the messages, so the route can re-render
the form with 422 and keep what was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.domain.levels import DISTRICTS_ABOLISHED, Level
from app.domain.parsing import ParseError, parse_date
from app.domain.provinces import province_by_slug
from app.domain.regions import Region

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
    """A model-level check's message, shown beside `field` rather than above the form."""
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

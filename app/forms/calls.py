"""The office's call-for-entries form: dates, the checklist and criteria as text lists, pass mark, notes.

`parse_call_form` returns the validated form or one Vietnamese message per field (a list's
message names its lines), so the route re-renders the form with 422 and keeps what was typed.
The lists are parsed by the domain rules (`app.domain.calls`), which keep the keys of items an
earlier version of the call had (`context`: the call's stored items).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.domain.calls import Criterion, DocumentItem, parse_criteria, parse_documents
from app.domain.parsing import ParseError, parse_date
from app.forms.text import multi_line, text_fields

CALL_FIELDS = ("opens_on", "closes_on", "results_on", "documents", "criteria", "pass_mark", "notes")
MAX_LIST_TEXT = 20_000
MAX_NOTES = 4_000
MAX_ERRORS_SHOWN = 5
_FIELD_MESSAGES = {
    "opens_on": "Ngày mở nhận hồ sơ cần theo dạng dd/mm/yyyy.",
    "closes_on": "Ngày hết hạn nhận hồ sơ cần theo dạng dd/mm/yyyy.",
    "results_on": "Ngày công bố kết quả cần theo dạng dd/mm/yyyy.",
    "pass_mark": "Điểm đạt phải là số từ 0 đến 100.",
    "notes": f"Ghi chú tối đa {MAX_NOTES} ký tự.",
    "documents": f"Danh sách giấy tờ tối đa {MAX_LIST_TEXT} ký tự.",
    "criteria": f"Danh sách tiêu chí tối đa {MAX_LIST_TEXT} ký tự.",
}


class _FieldProblem(ValueError):
    """A problem found by a whole-form check that belongs beside one field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class CallForm(BaseModel):
    """A call's dates, lists, pass mark and notes; blank optional fields are None."""

    model_config = ConfigDict(str_strip_whitespace=True)

    opens_on: date
    closes_on: date
    results_on: date | None = None
    documents: list[DocumentItem]
    criteria: list[Criterion]
    pass_mark: float | None = Field(default=None, ge=0, le=100)
    notes: str = Field(default="", max_length=MAX_NOTES)

    @field_validator("results_on", "pass_mark", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty optional field means 'not given'."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("pass_mark", mode="before")
    @classmethod
    def _decimal_comma(cls, value: object) -> object:
        """70,5 as Vietnamese writes it."""
        return value.replace(",", ".") if isinstance(value, str) else value

    @field_validator("opens_on", "closes_on", "results_on", mode="before")
    @classmethod
    def _vietnamese_date(cls, value: object) -> object:
        """dd/mm/yyyy as typed, or the ISO date a date picker sends."""
        if not isinstance(value, str) or not value.strip():
            return value
        try:
            return parse_date(value)
        except ParseError as error:
            raise ValueError(error.message) from None

    @field_validator("documents", mode="before")
    @classmethod
    def _documents(cls, value: object, info: ValidationInfo) -> object:
        """The checklist from its lines; the lines' problems as one message."""
        previous: Sequence[DocumentItem] = (info.context or {}).get("documents", ())
        items, problems = parse_documents(_list_text(value), previous)
        if problems:
            raise ValueError(" ".join(problems[:MAX_ERRORS_SHOWN]))
        return items

    @field_validator("criteria", mode="before")
    @classmethod
    def _criteria(cls, value: object, info: ValidationInfo) -> object:
        """The criteria from their lines; the lines' problems as one message."""
        previous: Sequence[Criterion] = (info.context or {}).get("criteria", ())
        items, problems = parse_criteria(_list_text(value), previous)
        if problems:
            raise ValueError(" ".join(problems[:MAX_ERRORS_SHOWN]))
        return items

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: object) -> object:
        """Notes keep their line breaks; control characters go."""
        return multi_line(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _dates_in_order(self) -> CallForm:
        """Closing on or after opening; results after closing."""
        if self.closes_on < self.opens_on:
            raise _FieldProblem("closes_on", "Ngày hết hạn nhận hồ sơ không được trước ngày mở nhận hồ sơ.")
        if self.results_on is not None and self.results_on <= self.closes_on:
            raise _FieldProblem("results_on", "Ngày công bố kết quả phải sau ngày hết hạn nhận hồ sơ.")
        return self


def _list_text(value: object) -> str:
    """A list field's text, refused past its size limit."""
    if not isinstance(value, str):
        raise ValueError("Danh sách không hợp lệ.")
    if len(value) > MAX_LIST_TEXT:
        raise ValueError(f"Tối đa {MAX_LIST_TEXT} ký tự.")
    return value


def call_values(posted: Mapping[str, object]) -> dict[str, str]:
    """The form's text fields as typed, each cut to its size limit (kept to show them again)."""
    return {name: value[:MAX_LIST_TEXT + 1] for name, value in text_fields(posted, CALL_FIELDS).items()}


def parse_call_form(values: Mapping[str, str], *, documents: Sequence[DocumentItem] = (),
                    criteria: Sequence[Criterion] = ()) -> tuple[CallForm | None, dict[str, str]]:
    """The form, or None with a Vietnamese message per field; `documents`, `criteria`: the stored items."""
    data: dict[str, Any] = {name: values.get(name, "") for name in CALL_FIELDS}
    try:
        return CallForm.model_validate(data, context={"documents": documents, "criteria": criteria}), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "opens_on"
            cause = item.get("ctx", {}).get("error")
            if isinstance(cause, _FieldProblem):
                field = cause.field
            message = str(cause) if isinstance(cause, ValueError) else None
            errors.setdefault(field, message or _FIELD_MESSAGES.get(field, "Giá trị không hợp lệ."))
        return None, errors

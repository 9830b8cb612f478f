"""The office's form for a round's decision: number, date (dd/mm/yyyy) and the office that signed it.

The decision PDF travels with it as a file and is checked by `app.files.decision_pdf`; this model holds
the text fields, with one Vietnamese message per field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.domain.parsing import ParseError, parse_date

FIELDS = ("decision_number", "decision_date", "decision_signer")
_FIELD_MESSAGES = {
    "decision_number": "Số quyết định tối đa 100 ký tự.",
    "decision_date": "Ngày quyết định cần theo dạng dd/mm/yyyy.",
    "decision_signer": "Cơ quan ban hành quyết định tối đa 300 ký tự.",
}


class RoundDecisionForm(BaseModel):
    """The decision's facts; blank fields are None (not known yet)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    decision_number: str | None = Field(default=None, max_length=100)
    decision_date: date | None = None
    decision_signer: str | None = Field(default=None, max_length=300)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty form field means 'not given'; line breaks pasted into a one-line field become spaces."""
        if isinstance(value, str):
            value = " ".join(value.split())
            return value or None
        return value

    @field_validator("decision_date", mode="before")
    @classmethod
    def _vietnamese_date(cls, value: object) -> object:
        """dd/mm/yyyy as typed, or the ISO date a date picker sends; a year between 2000 and 2100."""
        if value is None or isinstance(value, date):
            return value
        try:
            parsed = parse_date(value)
        except ParseError as error:
            raise ValueError(error.message) from None
        if not 2000 <= parsed.year <= 2100:
            raise ValueError("Năm của ngày quyết định phải từ 2000 đến 2100.")
        return parsed


def parse_round_decision_form(data: dict[str, Any]) -> tuple[RoundDecisionForm | None, dict[str, str]]:
    """The form, or None with a Vietnamese message per field."""
    try:
        return RoundDecisionForm.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "decision_number"
            cause = item.get("ctx", {}).get("error")
            message = str(cause) if isinstance(cause, ValueError) else None
            errors.setdefault(field, message or _FIELD_MESSAGES.get(field, "Giá trị không hợp lệ."))
        return None, errors

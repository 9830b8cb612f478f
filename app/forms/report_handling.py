"""The office's form that moves a misuse report to another state, with its note."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from app.forms.text import multi_line, one_line

MAX_NOTE = 2000


class ReportStateForm(BaseModel):
    """The target state (a value of ReportState, checked by the service) and the office's note."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    state: str = ""
    note: str = ""

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        """Required: which button was pressed."""
        value = one_line(value)
        if not value:
            raise PydanticCustomError("missing", "Vui lòng chọn trạng thái mới.")
        return value[:16]

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        """Optional here (the service requires it for a finding); line breaks kept."""
        value = multi_line(value)
        if len(value) > MAX_NOTE:
            message = f"Ghi chú dài tối đa {MAX_NOTE} ký tự (đang có {len(value)})."
            raise PydanticCustomError("too_long", message)
        return value


REPORT_STATE_FIELDS = tuple(ReportStateForm.model_fields)

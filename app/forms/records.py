"""Office edit forms for products, producers and certificates: pydantic models with Vietnamese messages.

Each form reads the posted text fields as typed; `parse_form` returns the validated model or
one message per field, so a route can re-render the form with 422 and keep the input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from app.domain.groups import ProductGroup
from app.domain.parsing import (
    LegalForm,
    ParseError,
    parse_date,
    parse_email,
    parse_phone,
    parse_score,
    parse_website,
)
from app.domain.validity import today_in
from app.forms.text import multi_line, one_line

MAX_NAME = 300
MAX_DESCRIPTION = 5000
MAX_ADDRESS = 500
MAX_NUMBER = 100
MAX_REASON = 500

FormT = TypeVar("FormT", bound=BaseModel)




def _error(kind: str, message: str) -> PydanticCustomError:
    """A per-field error whose message is shown to the office as is."""
    return PydanticCustomError(kind, message)


def _required(value: str, label: str, limit: int) -> str:
    """A required one-line text within `limit` characters."""
    value = one_line(value)
    if not value:
        raise _error("missing", f"Vui lòng nhập {label}.")
    if len(value) > limit:
        raise _error("too_long", f"{label.capitalize()} dài tối đa {limit} ký tự (đang có {len(value)}).")
    return value


def _optional(value: str, label: str, limit: int) -> str | None:
    """An optional one-line text within `limit` characters; None when blank."""
    value = one_line(value)
    if len(value) > limit:
        raise _error("too_long", f"{label.capitalize()} dài tối đa {limit} ký tự (đang có {len(value)}).")
    return value or None


def _parsed(value: str, parser: Callable[[object], object]) -> object:
    """Run a spreadsheet parser on typed text, turning its ParseError into a field error."""
    try:
        return parser(value)
    except ParseError as exc:
        raise _error("invalid", exc.message) from None


class ProductForm(BaseModel):
    """A product and its producer, as an office corrects them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = ""
    group: str = ""
    description: str = ""
    producer_name: str = ""
    legal_form: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        """Required: the product's name as published."""
        return _required(value, "tên sản phẩm", MAX_NAME)

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        """One of the four groups, by code."""
        if value not in ProductGroup.__members__:
            raise _error("invalid", "Vui lòng chọn một trong bốn nhóm sản phẩm.")
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        """Optional; line breaks kept."""
        value = multi_line(value)
        if len(value) > MAX_DESCRIPTION:
            raise _error("too_long", f"Mô tả dài tối đa {MAX_DESCRIPTION} ký tự (đang có {len(value)}).")
        return value

    @field_validator("producer_name")
    @classmethod
    def _producer_name(cls, value: str) -> str:
        """Required: the producer's name."""
        return _required(value, "tên cơ sở sản xuất", MAX_NAME)

    @field_validator("legal_form")
    @classmethod
    def _legal_form(cls, value: str) -> str:
        """Blank or one of the four legal forms, by code."""
        if value and value not in LegalForm.__members__:
            raise _error("invalid", "Vui lòng chọn loại hình trong danh sách.")
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        """Optional."""
        return _optional(value, "địa chỉ", MAX_ADDRESS) or ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        """Optional; must hold digits."""
        value = one_line(value)
        return str(_parsed(value, parse_phone)) if value else ""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        """Optional; must look like an address."""
        value = one_line(value)
        return str(_parsed(value, parse_email)) if value else ""

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        """Optional; http(s) only, https:// added when missing."""
        value = one_line(value)
        return str(_parsed(value, parse_website)) if value else ""


class CertificateForm(BaseModel):
    """A certificate's printed facts; a blank validity date is filled from the rule."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    number: str = ""
    issued_on: str = ""
    valid_until: str = ""
    score: str = ""
    round_id: str = ""

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        """Optional: the number printed on the certificate."""
        return _optional(value, "số giấy chứng nhận", MAX_NUMBER) or ""

    @field_validator("issued_on")
    @classmethod
    def _issued_on(cls, value: str) -> str:
        """Required: a real date, not after today in Vietnam (a certificate exists from its issue day)."""
        if not one_line(value):
            raise _error("missing", "Vui lòng nhập ngày cấp (dd/mm/yyyy).")
        text = _date_text(value)
        today = today_in()
        if date.fromisoformat(text) > today:
            raise _error("future", f"Ngày cấp không được sau hôm nay ({today:%d/%m/%Y}).")
        return text

    @field_validator("valid_until")
    @classmethod
    def _valid_until(cls, value: str) -> str:
        """Optional: blank means 31/12 of the issue year + 3."""
        return _date_text(value) if one_line(value) else ""

    @field_validator("score")
    @classmethod
    def _score(cls, value: str) -> str:
        """Optional: 0 to 100, a comma decimal accepted."""
        value = one_line(value)
        return str(_parsed(value, parse_score)) if value else ""

    @field_validator("round_id")
    @classmethod
    def _round_id(cls, value: str) -> str:
        """Blank or the id of a round offered in the list."""
        value = value.strip()
        if value and not value.isdigit():
            raise _error("invalid", "Vui lòng chọn đợt bình chọn trong danh sách.")
        return value

    @property
    def issued(self) -> date:
        """The issue date."""
        return date.fromisoformat(self.issued_on)

    @property
    def valid_to(self) -> date | None:
        """The corrected validity end, or None to apply the rule."""
        return date.fromisoformat(self.valid_until) if self.valid_until else None

    @property
    def score_value(self) -> float | None:
        """The score as a number."""
        return float(self.score) if self.score else None

    @property
    def round(self) -> int | None:
        """The chosen round's id."""
        return int(self.round_id) if self.round_id else None


class RevokeForm(BaseModel):
    """A revocation: the day it takes effect and why (both shown to consumers)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    revoked_on: str = ""
    reason: str = ""

    @field_validator("revoked_on")
    @classmethod
    def _revoked_on(cls, value: str) -> str:
        """Required: a real date."""
        if not one_line(value):
            raise _error("missing", "Vui lòng nhập ngày thu hồi (dd/mm/yyyy).")
        return _date_text(value)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        """Required: consumers read it on the verification page."""
        return _required(value, "lý do thu hồi", MAX_REASON)

    @property
    def day(self) -> date:
        """The revocation date."""
        return date.fromisoformat(self.revoked_on)


def _date_text(value: str) -> str:
    """A typed date (dd/mm/yyyy or ISO) as ISO text, or a field error."""
    day = _parsed(one_line(value), parse_date)
    assert isinstance(day, date)  # noqa: S101 - parse_date returns a date
    return day.isoformat()



def parse_form(model: type[FormT], values: Mapping[str, str]) -> tuple[FormT | None, dict[str, str]]:
    """The validated form, or None and one Vietnamese message per field."""
    try:
        return model.model_validate(dict(values)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "name"
            errors.setdefault(field, error["msg"])
        return None, errors


PRODUCT_FIELDS = tuple(ProductForm.model_fields)
CERTIFICATE_FIELDS = tuple(CertificateForm.model_fields)
REVOKE_FIELDS = tuple(RevokeForm.model_fields)

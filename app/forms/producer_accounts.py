"""The producer area's forms (register, confirm, sign in, password, claim, new producer), the office's claim
decision.

Messages name their field and are translated when the form is validated, inside the request (as the
misuse report form does); labels are Vietnamese msgids (N_) until then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.domain.messages import N_
from app.domain.parsing import LegalForm, ParseError, parse_email, parse_phone
from app.domain.provinces import resolve_province
from app.forms.text import multi_line, one_line
from app.i18n import gettext

MAX_NAME = 200  # ProducerAccount.name
MAX_PRODUCER_NAME = 300  # Producer.name
MAX_EMAIL = 254
MAX_PASSWORD = 200
MAX_ADDRESS = 500
MAX_MESSAGE = 1000  # ProducerClaim.message and .note

FormT = TypeVar("FormT", bound=BaseModel)


def _error(kind: str, message: str, **values: object) -> PydanticCustomError:
    """A field error whose text is `message` (a Vietnamese msgid) in the page's language."""
    return PydanticCustomError(kind, gettext(message) % values if values else gettext(message))


def _text(value: str, label: str, limit: int, *, required: bool, lines: bool = False) -> str:
    """Typed text cleaned of control characters, within `limit` characters; `label` is a msgid."""
    value = multi_line(value) if lines else one_line(value)
    if required and not value:
        raise _error("missing", N_("Vui lòng nhập %(field)s."), field=gettext(label).lower())
    if len(value) > limit:
        raise _error("too_long", N_("%(field)s dài tối đa %(max)s ký tự (đang có %(count)s)."),
                     field=gettext(label), max=limit, count=len(value))
    return value


def _email(value: str) -> str:
    """A required e-mail address, lowercased."""
    value = _text(value, N_("Địa chỉ e-mail"), MAX_EMAIL, required=True)
    try:
        return str(parse_email(value)).lower()
    except ParseError:
        raise _error("invalid", N_("Địa chỉ e-mail không hợp lệ.")) from None


def _password_within_limit(value: str) -> str:
    """A typed password, refused past the form's size limit (never cleaned: every character counts)."""
    if len(value) > MAX_PASSWORD:
        raise _error("too_long", N_("Mật khẩu dài tối đa %(max)s ký tự."), max=MAX_PASSWORD)
    return value


class RegisterForm(BaseModel):
    """A new producer account: a name and an address (the password is chosen when confirming)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = ""
    email: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        """Required: who registers (a person or the producer's name)."""
        return _text(value, N_("Họ tên"), MAX_NAME, required=True)

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        """Required."""
        return _email(value)


class ConfirmForm(BaseModel):
    """The confirmation link's page: a password chosen by the mailbox's holder, or none (links only)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    password: str = ""

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        """Optional; within the form's size limit (the strength rule is the service's, as for offices)."""
        return _password_within_limit(value)


class PasswordChangeForm(BaseModel):
    """A new password typed twice, with the current one (checked by the service, throttled as sign-ins)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    current: str = ""
    new: str = ""
    repeat: str = ""

    @field_validator("current", "new")
    @classmethod
    def _within_limit(cls, value: str) -> str:
        """Within the form's size limit (the strength rule is the service's)."""
        return _password_within_limit(value)

    @model_validator(mode="after")
    def _typed_twice(self) -> PasswordChangeForm:
        """The same new password in both fields: a typo would lock the account out of its password."""
        if self.new != self.repeat:
            raise _error("mismatch", N_("Hai lần nhập mật khẩu mới không khớp."))
        return self


class LinkForm(BaseModel):
    """Ask for a one-time sign-in link."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    email: str = ""

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        """Required."""
        return _email(value)


class ClaimForm(BaseModel):
    """A claim: the producer chosen among those found, and how the office can tell it is them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    producer: str = ""
    message: str = ""

    @field_validator("producer")
    @classmethod
    def _producer(cls, value: str) -> str:
        """The id of a producer in the results."""
        if not value.isdigit() or len(value) > 18:
            raise _error("missing", N_("Vui lòng chọn một cơ sở trong danh sách tìm được."))
        return value

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        """Required: what proves it is them (tax code, a contact the office knows)."""
        return _text(value, N_("Lời nhắn cho Sở Công Thương"), MAX_MESSAGE, required=True, lines=True)


class NewProducerForm(BaseModel):
    """A producer not yet in the register, as its account enters it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = ""
    legal_form: str = ""
    province: str = ""
    address: str = ""
    phone: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        """Required: the producer's name."""
        return _text(value, N_("Tên cơ sở"), MAX_PRODUCER_NAME, required=True)

    @field_validator("legal_form")
    @classmethod
    def _legal_form(cls, value: str) -> str:
        """Blank or one of the four legal forms, by code."""
        if value and value not in LegalForm.__members__:
            raise _error("invalid", N_("Vui lòng chọn loại hình trong danh sách."))
        return value

    @field_validator("province")
    @classmethod
    def _province(cls, value: str) -> str:
        """A current province, by slug or name; stored as its slug."""
        info = resolve_province(one_line(value)[:100])
        if info is None or not info.is_current:
            raise _error("invalid", N_("Vui lòng chọn tỉnh, thành phố nơi có cơ sở."))
        return info.slug

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        """Optional."""
        return _text(value, N_("Địa chỉ"), MAX_ADDRESS, required=False)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        """Optional; must hold digits (the register's phone rule)."""
        value = _text(value, N_("Số điện thoại"), 64, required=False)
        try:
            return str(parse_phone(value)) if value else ""
        except ParseError as exc:
            raise PydanticCustomError("invalid", exc.message) from None

    @property
    def legal(self) -> LegalForm | None:
        """The legal form, if chosen."""
        return LegalForm(self.legal_form) if self.legal_form else None


class ClaimDecisionForm(BaseModel):
    """The office's decision on a claim: approve, or refuse with a note."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    decision: str = ""
    note: str = ""

    @field_validator("decision")
    @classmethod
    def _decision(cls, value: str) -> str:
        """approve or refuse."""
        if value not in {"approve", "refuse"}:
            raise _error("invalid", N_("Vui lòng chọn duyệt hoặc không duyệt."))
        return value

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        """Required to refuse (checked by the service); shown to the producer."""
        return _text(value, N_("Ghi chú"), MAX_MESSAGE, required=False, lines=True)


def parse_fields(model: type[FormT], values: Mapping[str, str],
                 default_field: str) -> tuple[FormT | None, dict[str, str]]:
    """The validated form, or None and one message per field (in the page's language)."""
    try:
        return model.model_validate(dict(values)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            errors.setdefault(str(error["loc"][0]) if error["loc"] else default_field, error["msg"])
        return None, errors


REGISTER_FIELDS = tuple(RegisterForm.model_fields)
CONFIRM_FIELDS = tuple(ConfirmForm.model_fields)
LINK_FIELDS = tuple(LinkForm.model_fields)
PASSWORD_CHANGE_FIELDS = tuple(PasswordChangeForm.model_fields)
CLAIM_FIELDS = tuple(ClaimForm.model_fields)
NEW_PRODUCER_FIELDS = tuple(NewProducerForm.model_fields)
DECISION_FIELDS = tuple(ClaimDecisionForm.model_fields)

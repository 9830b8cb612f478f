"""The form for reporting wrong information: which record, which part, what is wrong, the evidence, an e-mail.

Messages are translated when the form is validated, inside the request, so an English page gets
English errors; labels are Vietnamese msgids (N_) until then.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from app.domain.corrections import CorrectionField, correction_field
from app.domain.messages import N_
from app.forms.text import multi_line, one_line, text_fields
from app.forms.watch import email_error
from app.i18n import gettext

MAX_SLUG = 200  # Product.slug, Producer.slug
MAX_CODE = 40
MIN_DETAILS, MAX_DETAILS = 10, 2000
MAX_EVIDENCE = 2000
MAX_URL = 500
MAX_EMAIL = 254
RECORD_FIELDS = ("san_pham", "co_so", "ma")  # hidden: the record the page was opened for
TEXT_FIELDS = (*RECORD_FIELDS, "truong", "noi_dung", "bang_chung", "lien_ket", "email")
HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret


def _error(kind: str, message: str, **values: object) -> PydanticCustomError:
    """A field error whose text is `message` (a Vietnamese msgid) in the page's language."""
    text = gettext(message)
    return PydanticCustomError(kind, text % values if values else text)


def _too_long(label: str, limit: int, count: int) -> PydanticCustomError:
    """The error for a value over its length limit; `label` is a Vietnamese msgid."""
    return _error("too_long", N_("%(field)s dài tối đa %(max)s ký tự (đang có %(count)s)."),
                  field=gettext(label), max=limit, count=count)


class CorrectionForm(BaseModel):
    """What a visitor reports: the record (hidden fields), the part, what is wrong, evidence, an e-mail."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    san_pham: str = ""
    co_so: str = ""
    ma: str = ""
    truong: str = ""
    noi_dung: str = ""
    bang_chung: str = ""
    lien_ket: str = ""
    email: str = ""

    @field_validator("san_pham", "co_so", "ma")
    @classmethod
    def _record(cls, value: str) -> str:
        """A slug or code from our own page; anything longer than one names no record."""
        value = one_line(value)
        return "" if len(value) > MAX_SLUG else value

    @field_validator("truong")
    @classmethod
    def _part(cls, value: str) -> str:
        """Required: one of the listed parts."""
        if correction_field(value.strip()) is None:
            raise _error("choice", N_("Vui lòng chọn phần thông tin bị sai."))
        return value.strip()

    @field_validator("noi_dung")
    @classmethod
    def _details(cls, value: str) -> str:
        """Required: what is wrong and, if known, what is right; line breaks kept."""
        value = multi_line(value)
        if not value:
            raise _error("missing", N_("Vui lòng cho biết thông tin nào sai và thông tin đúng là gì."))
        if len(value) < MIN_DETAILS:
            raise _error("too_short", N_("Vui lòng ghi rõ hơn (ít nhất %(min)s ký tự)."), min=MIN_DETAILS)
        if len(value) > MAX_DETAILS:
            raise _too_long(N_("Nội dung"), MAX_DETAILS, len(value))
        return value

    @field_validator("bang_chung")
    @classmethod
    def _evidence(cls, value: str) -> str:
        """Optional: how the visitor knows (a document, a decision, a visit)."""
        value = multi_line(value)
        if len(value) > MAX_EVIDENCE:
            raise _too_long(N_("Căn cứ"), MAX_EVIDENCE, len(value))
        return value

    @field_validator("lien_ket")
    @classmethod
    def _link(cls, value: str) -> str:
        """Optional: an http(s) address of a page showing the right information."""
        value = one_line(value)
        if not value:
            return ""
        if len(value) > MAX_URL:
            raise _too_long(N_("Đường dẫn"), MAX_URL, len(value))
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
            raise _error("url", N_("Đường dẫn phải là một địa chỉ web bắt đầu bằng http:// hoặc https://."))
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        """Optional: where to send the outcome."""
        value = value.strip()
        if not value:
            return ""
        message = email_error(value)
        if message is not None:
            raise PydanticCustomError("email", message)
        return value

    @property
    def part(self) -> CorrectionField:
        """The part, as the enum (validated above)."""
        return CorrectionField(self.truong)


def typed_values(data: Mapping[str, object]) -> dict[str, str]:
    """The text fields as typed (first value of each; files and unknown names ignored)."""
    return text_fields(data, TEXT_FIELDS)


def parse_correction_form(values: Mapping[str, str]) -> tuple[CorrectionForm | None, dict[str, str]]:
    """The validated form, or None and a message per field (in the page's language)."""
    try:
        return CorrectionForm.model_validate(dict(values)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "noi_dung"
            errors.setdefault(field, error["msg"])
        return None, errors

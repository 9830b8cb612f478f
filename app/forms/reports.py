"""The misuse report form: a pydantic model whose errors are per-field messages in the page's language.

Messages are translated when the form is validated, inside the request, so an English page gets
English errors; labels are Vietnamese msgids (N_) until then.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.domain.messages import N_
from app.forms.text import multi_line, one_line, text_fields
from app.i18n import gettext

MAX_CODE = 100  # MisuseReport.reported_code
MAX_PRODUCT = 200  # Product.slug
MIN_WHERE, MAX_WHERE = 3, 300
MAX_DETAILS = 2000
MAX_CONTACT = 200
TEXT_FIELDS = ("san_pham", "ma", "noi_mua", "mo_ta", "lien_he")
HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
PHOTO_FIELD = "anh"


def _error(kind: str, message: str) -> PydanticCustomError:
    """A field error whose text is `message` (a Vietnamese msgid) in the page's language."""
    return PydanticCustomError(kind, gettext(message))


def _too_long(label: str, limit: int) -> PydanticCustomError:
    """The error for a value over its length limit; `label` is a Vietnamese msgid."""
    message = gettext("%(field)s dài tối đa %(max)s ký tự.") % {"field": gettext(label), "max": limit}
    return PydanticCustomError("too_long", message)


class ReportForm(BaseModel):
    """What a consumer reports: which product, where it was bought, what looks wrong, a contact."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    san_pham: str = ""  # slug of the product the page was opened for (hidden field)
    ma: str = ""  # a verification code, a printed certificate number or a product name
    noi_mua: str = ""
    mo_ta: str = ""
    lien_he: str = ""

    @field_validator("san_pham")
    @classmethod
    def _product(cls, value: str) -> str:
        """A slug from our own page; anything longer than a slug is not one."""
        return "" if len(value) > MAX_PRODUCT else one_line(value)

    @field_validator("ma")
    @classmethod
    def _code(cls, value: str, info: ValidationInfo) -> str:
        """Required unless the page named the product already."""
        value = one_line(value)
        if len(value) > MAX_CODE:
            raise _too_long(N_("Mã, số giấy chứng nhận hoặc tên sản phẩm"), MAX_CODE)
        if not value and not info.data.get("san_pham"):
            raise _error("missing", N_("Vui lòng nhập mã tra cứu, số giấy chứng nhận hoặc tên sản phẩm."))
        return value

    @field_validator("noi_mua")
    @classmethod
    def _where(cls, value: str) -> str:
        """Required: the office needs a shop, market or website and a place to inspect."""
        value = one_line(value)
        if not value:
            raise _error("missing",
                         N_("Vui lòng cho biết nơi mua: cửa hàng, chợ hoặc trang web và địa điểm."))
        if len(value) < MIN_WHERE:
            raise _error("too_short", N_("Vui lòng ghi rõ hơn nơi mua (ít nhất 3 ký tự)."))
        if len(value) > MAX_WHERE:
            raise _too_long(N_("Nơi mua"), MAX_WHERE)
        return value

    @field_validator("mo_ta")
    @classmethod
    def _details(cls, value: str) -> str:
        """Optional free text; line breaks kept."""
        value = multi_line(value)
        if len(value) > MAX_DETAILS:
            raise _too_long(N_("Phần mô tả"), MAX_DETAILS)
        return value

    @field_validator("lien_he")
    @classmethod
    def _contact(cls, value: str) -> str:
        """Optional phone or email, as typed."""
        value = one_line(value)
        if len(value) > MAX_CONTACT:
            raise _too_long(N_("Thông tin liên hệ"), MAX_CONTACT)
        return value


def typed_values(data: Mapping[str, object]) -> dict[str, str]:
    """The text fields as typed (first value of each; files and unknown names ignored)."""
    return text_fields(data, TEXT_FIELDS)


def parse_report_form(values: Mapping[str, str]) -> tuple[ReportForm | None, dict[str, str]]:
    """The validated form, or None and a message per field (in the page's language)."""
    try:
        return ReportForm.model_validate(dict(values)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "ma"
            errors.setdefault(field, error["msg"])
        return None, errors

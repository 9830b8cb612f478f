"""Forgiving parsers for values typed into winners spreadsheets.

Each parser takes a raw cell (text from a CSV, or whatever openpyxl returns: str, int,
float, datetime, date, bool, None) and returns a clean value or raises `ParseError`, a
ValueError whose message is Vietnamese and can be shown to the office as is.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from app.domain.groups import ProductGroup, parse_group_phrase
from app.domain.levels import Level, parse_level_phrase
from app.domain.messages import N_
from app.domain.provinces import ProvinceInfo, resolve_province
from app.domain.regions import Region, parse_region
from app.domain.text import drop_controls, fold, squash_spaces

# Spreadsheet serial day 0 (Excel's 1900 system, leap-year bug included for serials > 60).
SERIAL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
# "2023", "Năm 2023"; "06/2023", "Tháng 6/2023", "tháng 6 năm 2023": dates without a day.
_YEAR_ONLY = re.compile(r"^(?:nam\s*)?(\d{4})$")
_MONTH_YEAR = re.compile(r"^(?:thang\s*)?(\d{1,2})\s*(?:[/\-.]|\s+nam\s+|\s+)\s*(\d{4})$")
# Vietnamese phone numbers: mobile 0 + 9 digits, landline 0 + 2–3 digit area code + 7–8 digits
# (0 + 9–10 digits in all), or the same after +84 / 84 without the 0.
_VN_PHONE = re.compile(r"^(?:0\d{9,10}|(?:\+?84)\d{9,10})$")
_PHONE_SPLIT = re.compile(r"\s*[/;,]\s*|\s+-\s+|\s*–\s*")
_PHONE_PUNCTUATION = re.compile(r"[\s.()\-]")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]{2,}$")
_HOST = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$|^[a-z0-9.-]+\.xn--[a-z0-9-]+$")
_IMAGE_SEPARATORS = re.compile(r"[;,|\n]")
_PREVIEW = 60


class ParseError(ValueError):
    """A cell value that cannot be understood; `message` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LegalForm(StrEnum):
    """The legal form of a producer, stored by its code."""

    doanh_nghiep = "doanh_nghiep"
    htx = "htx"
    to_hop_tac = "to_hop_tac"
    ho_kinh_doanh = "ho_kinh_doanh"


LEGAL_FORM_LABELS: dict[LegalForm, str] = {
    LegalForm.doanh_nghiep: N_("Doanh nghiệp"),
    LegalForm.htx: N_("Hợp tác xã"),
    LegalForm.to_hop_tac: N_("Tổ hợp tác"),
    LegalForm.ho_kinh_doanh: N_("Hộ kinh doanh"),
}
_LEGAL_FORM_ALIASES: dict[str, LegalForm] = {
    "doanh nghiep": LegalForm.doanh_nghiep,
    "dn": LegalForm.doanh_nghiep,
    "doanh nghiep nho va vua": LegalForm.doanh_nghiep,
    "cong ty": LegalForm.doanh_nghiep,
    "doanh nghiep tu nhan": LegalForm.doanh_nghiep,
    "dntn": LegalForm.doanh_nghiep,
    "htx": LegalForm.htx,
    "hop tac xa": LegalForm.htx,
    "to hop tac": LegalForm.to_hop_tac,
    "tht": LegalForm.to_hop_tac,
    "ho kinh doanh": LegalForm.ho_kinh_doanh,
    "hkd": LegalForm.ho_kinh_doanh,
    "ho kinh doanh ca the": LegalForm.ho_kinh_doanh,
    "co so": LegalForm.ho_kinh_doanh,
}


def preview(value: object) -> str:
    """A short, printable rendering of a raw value for error messages."""
    text = squash_spaces(str(value))
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def cell_text(value: object) -> str:
    """A cell as trimmed text: 12.0 → '12', None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return squash_spaces(drop_controls(str(value)))


def is_blank(value: object) -> bool:
    """True for an empty cell (None or only spaces)."""
    if type(value) is str:
        # Fast path for the usual cell (an import asks 400,000 times): text whose first non-space
        # character is not a control character keeps it through cell_text, so it is not blank.
        stripped = value.lstrip()
        if not stripped:
            return True
        if drop_controls(stripped[0]):
            return False
    return cell_text(value) == ""


def clean_text(value: object, *, max_length: int) -> str | None:
    """Trimmed text with single spaces, None when blank; too long is an error."""
    text = cell_text(value)
    if not text:
        return None
    if len(text) > max_length:
        raise ParseError(f"Quá dài ({len(text)} ký tự, tối đa {max_length}).")
    return text


def clean_multiline(value: object, *, max_length: int) -> str | None:
    """Like clean_text, but keeps line breaks (descriptions)."""
    if value is None:
        return None
    lines = [squash_spaces(line) for line in drop_controls(str(value)).splitlines()]
    text = "\n".join(lines).strip()
    if not text:
        return None
    if len(text) > max_length:
        raise ParseError(f"Quá dài ({len(text)} ký tự, tối đa {max_length}).")
    return text


def _checked_date(year: int, month: int, day: int, raw: object) -> date:
    """A real calendar date within the plausible years, or a ParseError."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ParseError(f"Năm {year} không hợp lệ trong ngày '{preview(raw)}'.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(f"Ngày '{preview(raw)}' không tồn tại.") from None


def _date_from_serial(serial: float, raw: object) -> date:
    """A spreadsheet serial day number (45275 → 15/12/2023).

    Compared before any conversion: NaN and infinities fail the comparison, and an integer too
    large for a float (a crafted .xlsx can hold one) is refused instead of overflowing.
    """
    if not 0 < serial < 2_958_466:
        raise ParseError(f"Không hiểu ngày '{preview(raw)}'.")
    day = SERIAL_EPOCH + timedelta(days=int(serial))
    return _checked_date(day.year, day.month, day.day, raw)


def partial_date(value: object) -> tuple[int, int | None] | None:
    """(year, month or None) for a year-only or month-year text ('Năm 2023', '06/2023'); else None."""
    if isinstance(value, datetime | date | bool):
        return None
    if isinstance(value, int):  # compared as it is: an int too large for a float must not overflow
        return (value, None) if MIN_YEAR <= value <= MAX_YEAR else None
    if isinstance(value, float):  # NaN and infinities are not integers
        return (int(value), None) if value.is_integer() and MIN_YEAR <= value <= MAX_YEAR else None
    key = " ".join(fold(cell_text(value)).split())
    if match := _YEAR_ONLY.match(key):
        year = int(match[1])
        return (year, None) if MIN_YEAR <= year <= MAX_YEAR else None
    if match := _MONTH_YEAR.match(key):
        month, year = int(match[1]), int(match[2])
        return (year, month) if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR else None
    return None


def partial_date_message(value: object, partial: tuple[int, int | None]) -> str:
    """What to write instead of a date without its day."""
    kind = "chỉ có năm" if partial[1] is None else "chỉ có tháng và năm"
    return f"'{preview(value)}' {kind}: hãy ghi đủ ngày dd/mm/yyyy, hoặc ghi ngày quyết định của đợt."


def parse_date(value: object) -> date:
    """A date from ISO text, dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, a serial number or a date cell."""
    if isinstance(value, datetime):
        return _checked_date(value.year, value.month, value.day, value)
    if isinstance(value, date):
        return _checked_date(value.year, value.month, value.day, value)
    if isinstance(value, bool):
        raise ParseError(f"Không hiểu ngày '{preview(value)}'.")
    if isinstance(value, int | float):
        if (partial := partial_date(value)) is not None:  # 2023 typed into a number cell is a year
            raise ParseError(partial_date_message(value, partial))
        return _date_from_serial(value, value)
    text = cell_text(value)
    if not text:
        raise ParseError("Thiếu ngày.")
    if match := _ISO.match(text):
        return _checked_date(int(match[1]), int(match[2]), int(match[3]), value)
    if match := _DMY.match(text):
        return _checked_date(int(match[3]), int(match[2]), int(match[1]), value)
    if _SERIAL.match(text):
        return _date_from_serial(float(text), value)
    if (partial := partial_date(value)) is not None:
        raise ParseError(partial_date_message(value, partial))
    raise ParseError(f"Không hiểu ngày '{preview(value)}' (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")


def parse_level_value(value: object) -> Level:
    """A certification level from its code, label or published phrase ('SP CNNT tiêu biểu cấp tỉnh')."""
    level = parse_level_phrase(cell_text(value))
    if level is None:
        raise ParseError(f"Không rõ cấp '{preview(value)}' (huyện, xã, tỉnh, khu vực, quốc gia).")
    return level


def parse_group_value(value: object) -> ProductGroup:
    """A product group from its code, number 1–4, label or published phrase ('Nhóm sản phẩm …')."""
    group = parse_group_phrase(cell_text(value))
    if group is None:
        raise ParseError(f"Không rõ nhóm sản phẩm '{preview(value)}' (1–4 hoặc tên nhóm).")
    return group


def parse_region_value(value: object) -> Region:
    """A region of a regional round: phía Bắc, miền Trung – Tây Nguyên, phía Nam."""
    region = parse_region(cell_text(value))
    if region is None:
        raise ParseError(
            f"Không rõ khu vực '{preview(value)}' (phía Bắc, miền Trung – Tây Nguyên, phía Nam)."
        )
    return region


def region_in_level(value: object) -> Region | None:
    """The region a level phrase names ('SP CNNT tiêu biểu cấp khu vực phía Bắc' → bac), else None."""
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(cell_text(value))).split())
    for marker in ("phia ", "mien ", "khu vuc "):
        at = key.rfind(marker)
        if at >= 0 and (region := parse_region(key[at:])) is not None:
            return region
    return None


def parse_province_value(value: object) -> ProvinceInfo:
    """A province, current or former, typed with or without diacritics and prefixes."""
    province = resolve_province(cell_text(value))
    if province is None:
        raise ParseError(f"Không rõ tỉnh/thành phố '{preview(value)}'.")
    return province


def parse_score(value: object) -> float:
    """A score out of 100; a comma decimal ('85,5') is accepted."""
    if isinstance(value, bool):
        raise ParseError(f"Điểm '{preview(value)}' không phải là số.")
    if isinstance(value, int | float):
        score: float = value  # compared before float(): an int too large for a float must not overflow
    else:
        text = cell_text(value).replace(",", ".")
        try:
            score = float(text)
        except ValueError:
            raise ParseError(f"Điểm '{preview(value)}' không phải là số.") from None
    if not 0 <= score <= 100:  # NaN and infinities fail this too
        raise ParseError(f"Điểm phải từ 0 đến 100 (đang là '{preview(value)}').")
    return float(score)


def parse_email(value: object) -> str:
    """An e-mail address that at least looks like one."""
    text = cell_text(value)
    if len(text) > 254 or not _EMAIL.match(text):
        raise ParseError(f"Địa chỉ email '{preview(value)}' không hợp lệ.")
    return text


def parse_website(value: object) -> str:
    """A web address; https:// is added when no scheme is given."""
    text = cell_text(value)
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ParseError(f"Địa chỉ website '{preview(value)}' không hợp lệ.") from None
    if len(text) > 500 or parts.scheme not in {"http", "https"} or " " in text or not _HOST.match(host):
        raise ParseError(f"Địa chỉ website '{preview(value)}' không hợp lệ.")
    return text


def parse_phone(value: object) -> str:
    """A phone number as typed; a number cell that lost its leading zero gets it back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = cell_text(value)
        if text.isdigit() and len(text) in (9, 10) and not text.startswith("0"):
            text = "0" + text
    else:
        text = cell_text(value)
    if len(text) > 64 or not any(ch.isdigit() for ch in text):
        raise ParseError(f"Số điện thoại '{preview(value)}' không hợp lệ.")
    return text


def phone_looks_vietnamese(text: str) -> bool:
    """True when every number in the cell (separated by '/', ';', ',' or ' - ') is a plausible VN number."""
    whole = _PHONE_PUNCTUATION.sub("", text)
    if _VN_PHONE.match(whole):
        return True
    parts = [_PHONE_PUNCTUATION.sub("", part) for part in _PHONE_SPLIT.split(text) if part.strip()]
    if len(parts) == 1 and "-" in text:
        parts = [_PHONE_PUNCTUATION.sub("", part) for part in text.split("-") if part.strip()]
    return bool(parts) and all(_VN_PHONE.match(part) for part in parts)


def parse_legal_form(value: object) -> LegalForm:
    """A legal form from its code or label: 'HTX', 'Hợp tác xã', 'Tổ hợp tác', 'Hộ kinh doanh'."""
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(cell_text(value))).split())
    form = _LEGAL_FORM_ALIASES.get(key)
    if form is None and key.replace(" ", "_") in LegalForm.__members__:
        form = LegalForm(key.replace(" ", "_"))
    if form is None:
        raise ParseError(
            f"Không rõ loại hình '{preview(value)}' (Doanh nghiệp, HTX, Tổ hợp tác, Hộ kinh doanh)."
        )
    return form


def parse_image_list(value: object) -> list[str]:
    """Image file names separated by ';', ',', '|' or line breaks; blanks dropped, order kept."""
    names: list[str] = []
    for part in _IMAGE_SEPARATORS.split(cell_text(value) if not isinstance(value, str) else value):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names

"""What a round (in the browser) or the options of `cnnt import` fill in where a file is silent.

One rule for both: a cell in the file wins; a blank cell, or a missing column, takes the
default; the issue date defaults to the decision date. A date written with only its year or
month ('Năm 2023', '06/2023') takes the default's full date when it falls in that year or
month. A required column that is missing with no default is one file-level problem that says
how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from app.domain.levels import Level
from app.domain.parsing import (
    ParseError,
    clean_text,
    is_blank,
    parse_date,
    parse_level_value,
    parse_province_value,
    parse_region_value,
    partial_date,
    preview,
    region_in_level,
)
from app.domain.provinces import ProvinceInfo
from app.domain.regions import Region
from app.errors import InvalidInput
from app.files.sheet_columns import COLUMN_LABELS, REQUIRED_COLUMNS
from app.files.sheet_layout import SheetRow
from app.services.imports.validate import ImportProblem

T = TypeVar("T")
Source = Literal["round", "options"]
_HOW_TO_DEFAULT: dict[str, dict[Source, str]] = {
    "level": {"round": "chọn đúng đợt bình chọn", "options": "dùng --level"},
    "issued_on": {"round": "ghi ngày quyết định của đợt", "options": "dùng --issued-on hoặc --decision-date"},
    "province": {"round": "tải lên trong đợt của tỉnh", "options": "dùng --province"},
}
_DATE_COLUMNS = ("issued_on", "decision_date")


@dataclass(frozen=True, slots=True)
class ImportDefaults:
    """Values for cells a file leaves blank or columns it does not have; `source` says who gave them."""

    level: Level | None = None
    province: ProvinceInfo | None = None
    region: Region | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    issued_on: date | None = None
    source: Source = "options"

    def values(self) -> dict[str, object]:
        """Column → default value; the issue date falls back to the decision date."""
        values: dict[str, object | None] = {
            "level": self.level.value if self.level else None, "province": self.province.name if self.province
            else None, "region": self.region.value if self.region else None,
            "decision_number": self.decision_number, "decision_date": self.decision_date,
            "issued_on": self.issued_on or self.decision_date,
        }
        return {column: value for column, value in values.items() if value is not None}


def missing_columns(columns: Iterable[str], defaults: ImportDefaults) -> list[ImportProblem]:
    """One problem per required column the file lacks and no default fills."""
    present = set(columns) | set(defaults.values())
    problems = []
    for column in REQUIRED_COLUMNS:
        if column in present:
            continue
        label = COLUMN_LABELS[column]
        fix = f"thêm cột này, hoặc {_HOW_TO_DEFAULT[column][defaults.source]}" if column in _HOW_TO_DEFAULT \
            else "thêm cột này (xem mẫu danh sách)"
        problems.append(ImportProblem(None, None, f"Thiếu cột {label}: {fix}."))
    return problems


def _partial_filled(column: str, raw: object, default: object,
                    problems: list[ImportProblem], number: int) -> object:
    """A year-only or month-year cell replaced by the default when it falls in that period."""
    partial = partial_date(raw)
    if partial is None or not isinstance(default, date):
        return raw
    year, month = partial
    if default.year == year and month in (None, default.month):
        return default
    period = f"năm {year}" if month is None else f"tháng {month:02d}/{year}"
    problems.append(ImportProblem(number, column, f"'{preview(raw)}' ({period}) không chứa ngày "
                                                  f"{default:%d/%m/%Y} của đợt: hãy ghi đủ ngày dd/mm/yyyy."))
    return default


def fill_row(row: SheetRow, defaults: ImportDefaults,
             problems: list[ImportProblem]) -> tuple[SheetRow, list[str]]:
    """The row with blanks filled from the defaults, and which columns were filled; a cell wins."""
    values = dict(row.values)
    given = defaults.values()
    filled: list[str] = []
    if is_blank(values.get("region")) and not is_blank(values.get("level")):
        region = region_in_level(values["level"])
        if region is not None:
            values["region"] = region.value
    for column in _DATE_COLUMNS:
        if not is_blank(values.get(column)) and column in given:
            values[column] = _partial_filled(column, values[column], given[column], problems, row.number)
    for column, value in given.items():
        if is_blank(values.get(column)):
            values[column] = value
            filled.append(column)
    return SheetRow(number=row.number, values=values), filled


def _option(name: str, raw: str | None, parser: Callable[[object], T]) -> T | None:
    """One option's value parsed, or InvalidInput naming the option."""
    if raw is None or not raw.strip():
        return None
    try:
        return parser(raw)
    except ParseError as error:
        raise InvalidInput(f"Tùy chọn {name}: {error.message}", field=name) from None


def defaults_from_options(*, level: str | None = None, province: str | None = None, region: str | None = None,
                          decision_number: str | None = None, decision_date: str | None = None,
                          issued_on: str | None = None) -> ImportDefaults:
    """`cnnt import` options as defaults (dates dd/mm/yyyy or ISO); InvalidInput for a bad value."""
    return ImportDefaults(
        level=_option("--level", level, parse_level_value),
        province=_option("--province", province, parse_province_value),
        region=_option("--region", region, parse_region_value),
        decision_number=_option("--decision-number", decision_number,
                                lambda value: clean_text(value, max_length=100)),
        decision_date=_option("--decision-date", decision_date, parse_date),
        issued_on=_option("--issued-on", issued_on, parse_date),
        source="options",
    )

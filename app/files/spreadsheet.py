"""Read a winners spreadsheet (.xlsx or .csv) into rows of {column: raw value}.

Only the shape of the file is checked here (format, size, headers); values are parsed by
app.domain.parsing and their meaning by the importer. Every failure is a
`SpreadsheetError` with a Vietnamese message, never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.text import fold
from app.errors import DomainError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
COLUMNS = (
    "certificate_number", "level", "issued_on", "decision_number", "decision_date", "region",
    "province", "product_name", "product_group", "description", "producer_name", "legal_form",
    "address", "phone", "email", "website", "score", "images",
)
REQUIRED_COLUMNS = ("level", "issued_on", "province", "product_name", "product_group", "producer_name")
_ALIASES: dict[str, tuple[str, ...]] = {
    "certificate_number": ("so giay chung nhan", "so gcn", "so chung nhan", "gcn"),
    "level": ("cap", "cap chung nhan", "cap binh chon"),
    "issued_on": ("ngay cap", "ngay cap gcn", "ngay chung nhan"),
    "decision_number": ("so quyet dinh", "quyet dinh", "so qd"),
    "decision_date": ("ngay quyet dinh", "ngay qd"),
    "region": ("khu vuc", "vung"),
    "province": ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp"),
    "product_name": ("ten san pham", "san pham", "ten san pham bo san pham"),
    "product_group": ("nhom san pham", "nhom"),
    "description": ("mo ta", "mo ta san pham"),
    "producer_name": ("ten co so", "co so san xuat", "co so", "ten co so san xuat", "chu the"),
    "legal_form": ("loai hinh", "loai hinh co so", "hinh thuc"),
    "address": ("dia chi",),
    "phone": ("dien thoai", "so dien thoai", "sdt"),
    "email": ("thu dien tu", "e mail"),
    "website": ("trang web", "web"),
    "score": ("diem", "tong diem", "diem so"),
    "images": ("hinh anh", "anh", "anh san pham"),
}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# "Tên sản phẩm (product_name)": a label with its column code, as the template writes headers.
_CODE_IN_BRACKETS = re.compile(r"\(\s*([a-z_]+)\s*\)\s*$")


class SpreadsheetError(DomainError):
    """The file cannot be read as a winners spreadsheet; `problems` lists (row, column, message)."""

    def __init__(self, message: str, *, problems: list[tuple[int | None, str | None, str]] | None = None):
        super().__init__(message)
        self.problems = problems or [(None, None, message)]


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row: its row number in the spreadsheet (header = 1) and its cells by column."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)


def header_key(text: str) -> str:
    """A header reduced for matching: 'Tỉnh/Thành phố' → 'tinh thanh pho'."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def _alias_index() -> dict[str, str]:
    """Header key → column, for canonical names and Vietnamese aliases."""
    index = {header_key(column): column for column in COLUMNS}
    index.update({column: column for column in COLUMNS})
    for column, aliases in _ALIASES.items():
        index.update(dict.fromkeys(aliases, column))
    return index


_INDEX = _alias_index()


def column_for_header(text: str) -> str | None:
    """The canonical column named by a header (English name, Vietnamese alias, or 'Label (code)'), or None."""
    found = _INDEX.get(header_key(text)) or _INDEX.get(header_key(text).replace(" ", "_"))
    bracketed = _CODE_IN_BRACKETS.search(text)
    if found is None and bracketed is not None and bracketed[1] in COLUMNS:
        return bracketed[1]
    return found


def map_headers(headers: list[object]) -> dict[int, str]:
    """Cell position → column; unknown, repeated or missing headers raise SpreadsheetError."""
    mapping: dict[int, str] = {}
    problems: list[tuple[int | None, str | None, str]] = []
    for position, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        column = column_for_header(text)
        if column is None:
            problems.append((1, text, f"Không rõ cột '{text[:60]}'."))
        elif column in mapping.values():
            problems.append((1, text, f"Cột '{text[:60]}' trùng với một cột khác ({column})."))
        else:
            mapping[position] = column
    missing = [column for column in REQUIRED_COLUMNS if column not in mapping.values()]
    if missing:
        problems.append((1, None, "Thiếu cột bắt buộc: " + ", ".join(missing) + "."))
    if problems:
        raise SpreadsheetError(problems[0][2], problems=problems)
    return mapping


def _rows_from(cells: Iterable[tuple[object, ...]]) -> list[SheetRow]:
    """Header row then data rows (blank ones skipped) into SheetRows, within MAX_ROWS."""
    iterator: Iterator[tuple[object, ...]] = iter(cells)
    header = next(iterator, None)
    if header is None or all(cell is None or str(cell).strip() == "" for cell in header):
        raise SpreadsheetError("Tệp trống hoặc dòng đầu tiên không có tên cột.")
    mapping = map_headers(list(header))
    rows: list[SheetRow] = []
    for number, cells_of_row in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(f"Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
        values = {mapping[i]: cell for i, cell in enumerate(cells_of_row) if i in mapping}
        if any(cell is not None and str(cell).strip() != "" for cell in values.values()):
            rows.append(SheetRow(number=number, values=values))
    if not rows:
        raise SpreadsheetError("Tệp không có dòng dữ liệu nào.")
    return rows


def _read_xlsx(path: Path) -> list[SheetRow]:
    """Rows of the first worksheet, read in read-only mode with computed values."""
    # Late on purpose: openpyxl takes about 0.1 s to import and only .xlsx files need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return _rows_from(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError,
            AttributeError, EOFError, OSError) as exc:
        raise SpreadsheetError(
            f"Không đọc được tệp Excel {path.name}: tệp hỏng hoặc không phải định dạng .xlsx."
        ) from exc


def _read_csv(path: Path) -> list[SheetRow]:
    """Rows of a UTF-8 CSV (with or without BOM), separated by ',' or ';'."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise SpreadsheetError(f"Tệp {path.name} không phải tệp CSV văn bản.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(f"Tệp {path.name} không phải UTF-8; hãy lưu lại dạng 'CSV UTF-8'.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _rows_from(tuple(row) for row in reader)
    except csv.Error as exc:
        raise SpreadsheetError(f"Tệp CSV {path.name} bị lỗi định dạng: {exc}.") from None


def read_spreadsheet(path: Path) -> list[SheetRow]:
    """The data rows of a .xlsx or .csv winners spreadsheet; SpreadsheetError if it cannot be read."""
    try:
        size = path.stat().st_size
    except OSError:
        raise SpreadsheetError(f"Không mở được tệp {path.name}.") from None
    if size == 0:
        raise SpreadsheetError(f"Tệp {path.name} trống.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(f"Tệp {path.name} lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise SpreadsheetError(f"Chỉ nhận tệp .xlsx hoặc .csv (tệp {path.name} không phải).")

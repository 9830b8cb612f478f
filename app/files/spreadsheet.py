"""Read a winners spreadsheet (.xlsx or .csv) into rows of {column: raw value}.

Only the shape of the file is checked here (format, size, headers); values are parsed by
app.domain.parsing and their meaning by the importer. Every failure is a
`SpreadsheetError` with a Vietnamese message naming the file, never a traceback.

Untrusted files are read within limits. An .xlsx is checked by app.files.xlsx_guard (entries,
unpacked bytes, cells, DTDs) and then parsed by openpyxl in a child process with a memory, CPU
and wall-clock cap (app.files.sandbox), since a crafted workbook makes openpyxl allocate far
more than the file's size. A .csv is read in process: its text is at most MAX_FILE_BYTES, the
csv module streams it, and the row, cell and cell-length limits below stop it early, so its
memory and time are bounded by the upload limit already.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.text import fold
from app.files import openpyxl_tuning
from app.files.sandbox import ProcessLimits, SandboxFailure, run_limited
from app.files.sheet_errors import SpreadsheetError, thousands
from app.files.xlsx_guard import MAX_CELLS, check_xlsx_archive

__all__ = ["COLUMNS", "MAX_CELL_CHARS", "MAX_CELLS", "MAX_FILE_BYTES", "MAX_ROWS", "REQUIRED_COLUMNS",
           "SheetRow",
            "SpreadsheetError", "column_for_header", "header_key", "map_headers", "read_spreadsheet"]

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# Excel itself holds at most 32,767 characters in a cell; the longest column we keep (the
# description) allows 5,000. A longer cell only comes from a crafted file.
MAX_CELL_CHARS = 32_767
# The child that parses an .xlsx: a 20,000-row sheet needs about 300 MB of address space and
# a few CPU seconds; 1 GB and 30 s leave a wide margin on a busy two-CPU server, and the wall
# clock covers a child starved of CPU by other work.
XLSX_LIMITS = ProcessLimits(memory_bytes=1024 * 1024 * 1024, cpu_seconds=30, wall_seconds=90)
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


def _check_cells(number: int, cells: tuple[object, ...], total: int) -> int:
    """The running cell count with this row's; SpreadsheetError past the cell or cell-length limit.

    None is openpyxl's padding up to MAX_COLUMNS, not a cell of the file (the .xlsx guard has
    counted the real ones); a CSV's empty cells are real and count.
    """
    total += sum(cell is not None for cell in cells)
    if total > MAX_CELLS:
        raise SpreadsheetError(f"Tệp có hơn {thousands(MAX_CELLS)} ô; hãy chỉ giữ các cột của mẫu danh sách "
                               "hoặc chia thành nhiều tệp.")
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise SpreadsheetError(f"Dòng {number} có một ô dài hơn {thousands(MAX_CELL_CHARS)} ký tự "
                                   "(giới hạn của Excel); hãy rút gọn nội dung ô đó.")
    return total


def _rows_from(cells: Iterable[tuple[object, ...]]) -> list[SheetRow]:
    """Header row then data rows (blank ones skipped) into SheetRows, within the row and cell limits."""
    iterator: Iterator[tuple[object, ...]] = iter(cells)
    header = next(iterator, None)
    if header is None or all(cell is None or str(cell).strip() == "" for cell in header):
        raise SpreadsheetError("Tệp trống hoặc dòng đầu tiên không có tên cột.")
    total = _check_cells(1, header, 0)
    mapping = map_headers(list(header))
    rows: list[SheetRow] = []
    for number, cells_of_row in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(f"Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
        total = _check_cells(number, cells_of_row, total)
        values = {mapping[i]: cell for i, cell in enumerate(cells_of_row) if i in mapping}
        if any(cell is not None and str(cell).strip() != "" for cell in values.values()):
            rows.append(SheetRow(number=number, values=values))
    if not rows:
        raise SpreadsheetError("Tệp không có dòng dữ liệu nào.")
    return rows


def _named(error: SpreadsheetError, name: str) -> SpreadsheetError:
    """The same problems, the message prefixed with the file's name when it does not say it yet."""
    if name in error.message:
        return error
    message = f"Tệp {name}: {error.message}"
    problems = [(row, column, message if (row, column, text) == (None, None, error.message) else text)
                for row, column, text in error.problems]
    return SpreadsheetError(message, problems=problems)


def xlsx_rows(path: Path, name: str) -> list[SheetRow]:
    """Check the archive, then read the first worksheet with computed values (run in the child)."""
    check_xlsx_archive(path, name)
    # Late on purpose: openpyxl takes about 0.1 s to import and only .xlsx files need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    openpyxl_tuning.install()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return _rows_from(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
        finally:
            workbook.close()
    # SyntaxError is how ElementTree and lxml report broken XML.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError,
            AttributeError, EOFError, OSError, SyntaxError) as exc:
        raise SpreadsheetError(
            f"Không đọc được tệp Excel {name}: tệp hỏng hoặc không phải định dạng .xlsx. Hãy mở tệp bằng "
            "Excel (hoặc LibreOffice) và lưu lại dạng .xlsx rồi tải lên lại."
        ) from exc


def _read_xlsx(path: Path, name: str) -> list[SheetRow]:
    """xlsx_rows in a limited child process; a limit hit is a SpreadsheetError naming it."""
    try:
        rows: list[SheetRow] = run_limited(xlsx_rows, path, name, limits=XLSX_LIMITS,
                                           passthrough=(SpreadsheetError,))
    except SpreadsheetError as error:
        raise _named(error, name) from None
    except SandboxFailure as failure:
        logger.warning("reading %s stopped: %s", path, failure)
        if failure.reason == "memory":
            limit = f"{XLSX_LIMITS.memory_bytes // (1024 * 1024)} MB"
            message = f"Tệp {name} cần hơn {limit} bộ nhớ để đọc"
        elif failure.reason == "time":
            message = f"Đọc tệp {name} mất quá {XLSX_LIMITS.cpu_seconds} giây"
        else:
            message = f"Không đọc được tệp Excel {name}"
        raise SpreadsheetError(f"{message}: tệp hỏng hoặc quá lớn cho một danh sách. Hãy lưu lại dạng .xlsx "
                               "chỉ với trang danh sách, hoặc chia thành nhiều tệp.") from None
    return rows


def _read_csv(path: Path, name: str) -> list[SheetRow]:
    """Rows of a UTF-8 CSV (with or without BOM), separated by ',' or ';'."""
    data = path.read_bytes()
    hint = "hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8 (phân tách bằng dấu phẩy)'"
    if b"\x00" in data:
        raise SpreadsheetError(f"Tệp {name} không phải tệp CSV văn bản; {hint}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(f"Tệp {name} không phải UTF-8; {hint}.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows_from(tuple(row) for row in reader)
    except csv.Error:
        raise SpreadsheetError(f"Tệp CSV {name} bị lỗi định dạng ở dòng {reader.line_num} (dấu ngoặc kép "
                               f"không đóng, hoặc một ô quá dài); {hint}.") from None
    except SpreadsheetError as error:
        raise _named(error, name) from None


def read_spreadsheet(path: Path, *, name: str | None = None) -> list[SheetRow]:
    """The data rows of a .xlsx or .csv winners spreadsheet; SpreadsheetError if it cannot be read.

    `name` is how messages call the file (the user's file name when the upload is stored under
    a random one); by default the path's own name.
    """
    name = (name or path.name)[:100]
    try:
        size = path.stat().st_size
    except OSError:
        raise SpreadsheetError(f"Không mở được tệp {name}.") from None
    if size == 0:
        raise SpreadsheetError(f"Tệp {name} trống.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(f"Tệp {name} lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, name)
    if suffix == ".csv":
        return _read_csv(path, name)
    raise SpreadsheetError(f"Chỉ nhận tệp .xlsx hoặc .csv (tệp {name} không phải).")

"""Read a winners list (.xlsx, .csv, .xls, .ods, a .docx annex's table) into a Sheet of rows {column: value}.

Each format is one entry in TABLE_READERS: a function (path, name) → every sheet or table of
the file in order, as raw row tuples. app.files.sheet_layout then finds the table (the first
with a header row) and its header, title, sub-header and footer rows. Values are parsed by
app.domain.parsing and their meaning by the importer. Every failure is a `SpreadsheetError`
with a Vietnamese message naming the file, never a traceback.

Untrusted files are read within limits. An .xlsx is checked by app.files.xlsx_guard (entries,
unpacked bytes, cells, DTDs) and then parsed by openpyxl in a child process with a memory, CPU
and wall-clock cap (app.files.sandbox), since a crafted workbook makes openpyxl allocate far
more than the file's size. A .csv is read in process: its text is at most MAX_FILE_BYTES, the
csv module streams it, and the row, cell and cell-length limits below stop it early, so its
memory and time are bounded by the upload limit already. The .xls, .ods and .docx readers
(app.files.sheet_formats) run in the same kind of child, with the same limits (sheet_limits.py).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from app.files import openpyxl_tuning
from app.files.sheet_columns import (
    COLUMN_LABELS,
    COLUMNS,
    REQUIRED_COLUMNS,
    column_for_header,
    header_key,
)
from app.files.sheet_errors import SpreadsheetError, thousands
from app.files.sheet_formats import calamine_tables, docx_tables
from app.files.sheet_layout import (
    HEADER_SEARCH_ROWS,
    Sheet,
    SheetColumn,
    SheetNote,
    SheetRow,
    find_header,
    layout,
)
from app.files.sheet_limits import (
    LAYOUT_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    XLSX_LIMITS,
    check_size,
)
from app.files.sheet_sandbox import read_limited
from app.files.xlsx_guard import MAX_CELLS, check_xlsx_archive

__all__ = ["COLUMN_LABELS", "COLUMNS", "MAX_CELL_CHARS", "MAX_CELLS", "MAX_FILE_BYTES", "MAX_ROWS",
           "REQUIRED_COLUMNS",
           "TABLE_READERS", "Sheet", "SheetColumn", "SheetNote", "SheetRow", "SpreadsheetError",
           "column_for_header", "header_key", "read_spreadsheet", "read_table"]

RawTable = list[tuple[object, ...]]
TableReader = Callable[[Path, str], list[RawTable]]


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


def bounded_table(cells: Iterable[tuple[object, ...]], counted: int = 0) -> tuple[RawTable, int]:
    """The rows of one table, trailing empty cells dropped, within the row and cell limits.

    `counted` is the cells of earlier tables of the same file; the new total comes back with the rows.
    """
    rows: RawTable = []
    for number, cells_of_row in enumerate(cells, start=1):
        if number > MAX_ROWS + LAYOUT_ROWS:
            raise SpreadsheetError(f"Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
        counted = _check_cells(number, cells_of_row, counted)
        end = len(cells_of_row)
        while end and cells_of_row[end - 1] is None:
            end -= 1
        rows.append(tuple(cells_of_row[:end]))
    return rows, counted


def _named(error: SpreadsheetError, name: str) -> SpreadsheetError:
    """The same problems, the message prefixed with the file's name when it does not say it yet."""
    if name in error.message:
        return error
    message = f"Tệp {name}: {error.message}"
    problems = [(row, column, message if (row, column, text) == (None, None, error.message) else text)
                for row, column, text in error.problems]
    return SpreadsheetError(message, problems=problems)


def xlsx_tables(path: Path, name: str) -> list[RawTable]:
    """Check the archive, then read worksheets with computed values up to the first with a header row.

    Run in the child; later sheets (lists, notes) are not read, which keeps the answer small.
    """
    check_xlsx_archive(path, name)
    # Late on purpose: openpyxl takes about 0.1 s to import and only .xlsx files need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    openpyxl_tuning.install()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            tables: list[RawTable] = []
            counted = 0
            if not workbook.worksheets:
                raise IndexError("no worksheet")
            for sheet in workbook.worksheets:
                cells = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
                table, counted = bounded_table(cells, counted)
                tables.append(table)
                if find_header(table[:HEADER_SEARCH_ROWS]) is not None:
                    break
            return tables
        finally:
            workbook.close()
    # SyntaxError is how ElementTree and lxml report broken XML.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError,
            AttributeError, EOFError, OSError, SyntaxError) as exc:
        raise SpreadsheetError(
            f"Không đọc được tệp Excel {name}: tệp hỏng hoặc không phải định dạng .xlsx. Hãy mở tệp bằng "
            "Excel (hoặc LibreOffice) và lưu lại dạng .xlsx rồi tải lên lại."
        ) from exc


def read_xlsx_tables(path: Path, name: str) -> list[RawTable]:
    """xlsx_tables in a limited child process; a limit hit is a SpreadsheetError naming it."""
    tables: list[RawTable] = read_limited(xlsx_tables, path, name, limits=XLSX_LIMITS)
    return tables


def read_calamine_tables(path: Path, name: str) -> list[RawTable]:
    """The sheets of a legacy .xls or an .ods, read by python-calamine in the limited child."""
    tables: list[RawTable] = read_limited(calamine_tables, path, name, limits=XLSX_LIMITS)
    return tables


def read_docx_tables(path: Path, name: str) -> list[RawTable]:
    """The tables of a Word .docx annex, read by python-docx in the limited child."""
    tables: list[RawTable] = read_limited(docx_tables, path, name, limits=XLSX_LIMITS)
    return tables


def read_csv_tables(path: Path, name: str) -> list[RawTable]:
    """Rows of a UTF-8 CSV (with or without BOM), separated by ',' or ';'."""
    data = path.read_bytes()
    hint = "hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8 (phân tách bằng dấu phẩy)'"
    if b"\x00" in data:
        raise SpreadsheetError(f"Tệp {name} không phải tệp CSV văn bản; {hint}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(f"Tệp {name} không phải UTF-8; {hint}.") from None
    head = text[:4000]  # title rows have few separators: decide on the first lines together
    delimiter = ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [bounded_table(tuple(row) for row in reader)[0]]
    except csv.Error:
        raise SpreadsheetError(f"Tệp CSV {name} bị lỗi định dạng ở dòng {reader.line_num} (dấu ngoặc kép "
                               f"không đóng, hoặc một ô quá dài); {hint}.") from None


# The template (.xlsx) first: messages list the formats in this order.
TABLE_READERS: dict[str, TableReader] = {".xlsx": read_xlsx_tables, ".csv": read_csv_tables,
                                         ".xls": read_calamine_tables, ".ods": read_calamine_tables,
                                         ".docx": read_docx_tables}


def _guarded_tables(path: Path, name: str | None) -> tuple[list[RawTable], str]:
    """Every table of the file through the guards and limits, and the name messages call it by."""
    name = (name or path.name)[:100]
    check_size(path, name)
    reader = TABLE_READERS.get(path.suffix.lower())
    if reader is None:
        raise SpreadsheetError(f"Chỉ nhận tệp {accepted_suffixes()} (tệp {name} không phải).")
    try:
        return reader(path, name), name
    except SpreadsheetError as error:
        raise _named(error, name) from None


def read_spreadsheet(path: Path, *, name: str | None = None) -> Sheet:
    """The table of a winners spreadsheet (rows, columns, notes); SpreadsheetError if it cannot be read.

    `name` is how messages call the file (the user's file name when the upload is stored under
    a random one); by default the path's own name.
    """
    tables, name = _guarded_tables(path, name)
    try:
        sheet = layout(tables)
        if len(sheet.rows) > MAX_ROWS:
            raise SpreadsheetError(f"Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp.")
    except SpreadsheetError as error:
        raise _named(error, name) from None
    return sheet


def read_table(path: Path, *, name: str | None = None) -> RawTable:
    """The first non-empty table of a file of any layout, as raw rows, within the same guards and limits.

    For lists that are not a winners list (a buyer's supplier list): read_spreadsheet would look
    for the winners list's header, which such a list does not have.
    """
    tables, _ = _guarded_tables(path, name)
    return next((table for table in tables if any(table)), [])


def accepted_suffixes() -> str:
    """'.xlsx, .csv, .xls, .ods hoặc .docx': the formats TABLE_READERS reads, for messages."""
    suffixes = list(TABLE_READERS)
    return ", ".join(suffixes[:-1]) + " hoặc " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]

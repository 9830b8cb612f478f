"""Read the other formats offices publish winners lists in: legacy .xls, .ods, a .docx annex's tables.

Each reader gives every sheet (or Word table) in document order as rows of raw cell values,
the way openpyxl's iter_rows(values_only=True) gives them: str, int, float, bool, date or
datetime, None for an empty cell. What the rows mean (where the header is, which column is
which) is the spreadsheet reader's and the importer's business, not this module's.

The files are untrusted uploads, read within the limits of an .xlsx: the content must be
what the suffix says (an ".xls" that is really a web page is refused with what to do), the
.ods and .docx archives pass app.files.xlsx_guard's checks (entries, unpacked bytes, cells,
DTDs) before a parser opens them, and rows, columns, cells and cell lengths are bounded
like spreadsheet.py's. The readers are meant to run in the limited child process:
`read_tables_limited` does that and turns a limit hit into a SpreadsheetError.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError

from app.files.sandbox import ProcessLimits
from app.files.sheet_errors import SpreadsheetError, thousands
from app.files.sheet_limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, XLSX_LIMITS, check_size
from app.files.sheet_sandbox import read_limited
from app.files.xlsx_guard import MAX_CELLS, ArchiveKind, CellCounter, check_archive

__all__ = ["DOCX", "MAX_TABLE_ROWS", "ODS", "Reader", "calamine_tables", "docx_tables", "read_tables_limited",
           "reader_for"]

Tables = list[list[tuple[object, ...]]]
Reader = Callable[[Path, str], Tables]

# MAX_ROWS data rows, plus room for what an annex has around them: title rows, the header,
# group sub-header rows ("I. Nhóm thủ công mỹ nghệ") and footnote and signature rows.
MAX_TABLE_ROWS = MAX_ROWS + 200
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # every .xls (and .doc) starts so: an OLE2 compound file
_ZIP = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# What a file's first bytes say it is, in words for a message.
_CONTENT_WORDS = {
    "ole2": "một tệp Office cũ (.xls hoặc .doc)", "zip": "một tệp nén (.xlsx, .docx, .ods hoặc .zip)",
    "markup": "một trang web (HTML hoặc XML)", "text": "văn bản thuần (CSV hoặc TXT)", "pdf": "một tệp PDF",
    "exe": "một chương trình", "binary": "dữ liệu không rõ định dạng",
}


def _repeat(attributes: dict[str, str], local: str) -> int:
    """An OpenDocument repeat count (table:number-*-repeated, any prefix); 1 when absent or not a number."""
    for key, value in attributes.items():
        if key.rpartition(":")[2] == local:
            return int(value) if value.isdigit() else 1
    return 1


def count_ods_cells() -> CellCounter:
    """content.xml's filled cells, repeats included: a filled cell repeated over a million rows is a bomb."""
    rows_repeated = 1

    def count(tag: str, attributes: dict[str, str]) -> int:
        """Filled cells a start tag adds: a value-typed cell times its column and its row's repeats."""
        nonlocal rows_repeated
        local = tag.rpartition(":")[2]
        if local == "table-row":
            rows_repeated = _repeat(attributes, "number-rows-repeated")
        elif local in ("table-cell", "covered-table-cell") and any(
                key.rpartition(":")[2] == "value-type" for key in attributes):
            return rows_repeated * _repeat(attributes, "number-columns-repeated")
        return 0
    return count


def count_docx_cells() -> CellCounter:
    """The document's table cells: one per <w:tc>."""
    def count(tag: str, _attributes: dict[str, str]) -> int:
        """1 for a table cell."""
        return 1 if tag.rpartition(":")[2] == "tc" else 0
    return count


ODS = ArchiveKind(label="OpenDocument", suffix=".ods",
                  hint="Hãy mở tệp {name} bằng LibreOffice (hoặc Excel) và lưu lại dạng .xlsx "
                       "rồi tải lên lại.",
                  cell_parts=("content.xml",), counter=count_ods_cells)
DOCX = ArchiveKind(label="Word", suffix=".docx",
                   hint="Hãy mở tệp {name} bằng Word (hoặc LibreOffice) và lưu lại dạng .docx, "
                        "hoặc chép bảng sang Excel và lưu dạng .xlsx, rồi tải lên lại.",
                   cell_parts=("word/document.xml",), counter=count_docx_cells)
_XLS_HINT = "Hãy mở tệp {name} bằng Excel (hoặc LibreOffice) và lưu lại dạng .xlsx rồi tải lên lại."


def _content_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: a key of _CONTENT_WORDS."""
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        return "exe"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Excel's "Unicode text" export writes
        return "text"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "markup"
    return "binary" if b"\x00" in text else "text"  # a binary format has a NUL byte within 512 bytes


def _check_file(path: Path, name: str, expected: str, label: str, hint: str) -> None:
    """SpreadsheetError when the file is missing, empty, too big, or not what its suffix says."""
    check_size(path, name)
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError:
        raise SpreadsheetError(f"Không mở được tệp {name}.") from None
    found = _content_kind(head)
    if found != expected:
        raise SpreadsheetError(f"Tệp {name} không phải tệp {label} thật: nội dung của nó là "
                               f"{_CONTENT_WORDS[found]}. {hint.format(name=name)}")


def _cell(value: object) -> object:
    """A reader's value as openpyxl would give it: None for empty, int for a whole number."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Ranges = Sequence[tuple[tuple[int, int], tuple[int, int]]]


def _blank_merged(rows: list[list[object]], merged: Ranges) -> None:
    """Empty every cell of a merged range but its top-left one, as Excel shows it."""
    for (top, left), (bottom, right) in merged:
        for number in range(top, min(bottom + 1, len(rows))):
            row = rows[number]
            for column in range(left, min(right + 1, len(row), MAX_COLUMNS)):
                if (number, column) != (top, left):
                    row[column] = ""


class _Bounds:
    """Running totals over a whole file: filled cells; each table's rows, columns and cell lengths."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells = 0

    def table(self, rows: Iterable[Sequence[object]], where: str) -> list[tuple[object, ...]]:
        """The rows as tuples of openpyxl-like values, rectangular, trailing empty rows dropped."""
        kept: list[tuple[object, ...]] = []
        for number, raw in enumerate(rows, start=1):
            if number > MAX_TABLE_ROWS:
                raise SpreadsheetError(f"Tệp {self.name}: {where} có quá {thousands(MAX_TABLE_ROWS)} dòng; "
                                       "hãy chia thành nhiều tệp.")
            row = tuple(_cell(value) for value in raw[:MAX_COLUMNS])
            self._check(row, number, where)
            kept.append(row)
        while kept and all(value is None for value in kept[-1]):
            kept.pop()
        width = max((len(row) for row in kept), default=0)
        return [row + (None,) * (width - len(row)) for row in kept]

    def _check(self, row: tuple[object, ...], number: int, where: str) -> None:
        """Refuse past the file's cell limit or a cell longer than Excel allows."""
        self.cells += sum(value is not None for value in row)
        if self.cells > MAX_CELLS:
            raise SpreadsheetError(f"Tệp {self.name} có hơn {thousands(MAX_CELLS)} ô (giới hạn của một danh "
                                   "sách). Hãy chỉ giữ các cột của mẫu danh sách, hoặc chia thành nhiều tệp.")
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in row):
            raise SpreadsheetError(f"Tệp {self.name}: dòng {number} của {where} có một ô dài hơn "
                                   f"{thousands(MAX_CELL_CHARS)} ký tự (giới hạn của Excel); hãy rút gọn "
                                   "nội dung ô đó.")


def _sheet_rows(sheet: CalamineSheet, bounds: _Bounds) -> list[tuple[object, ...]]:
    """One worksheet's rows from A1 (empty rows and columns before the data kept, as positions)."""
    where = f"trang tính '{sheet.name[:60]}'"
    if sheet.end is None:
        return []
    if sheet.end[0] >= MAX_TABLE_ROWS:  # refused before the rows are built
        raise SpreadsheetError(f"Tệp {bounds.name}: {where} có quá {thousands(MAX_TABLE_ROWS)} dòng; "
                               "hãy chia thành nhiều tệp.")
    values = sheet.to_python(skip_empty_area=False, nrows=MAX_TABLE_ROWS)
    rows: list[list[object]] = [list(row) for row in values]
    _blank_merged(rows, sheet.merged_cell_ranges or [])
    return bounds.table(rows, where)


def _check_ods_mimetype(path: Path, name: str) -> None:
    """Refuse an archive that is not an OpenDocument spreadsheet (a text document, an .xlsx renamed)."""
    with zipfile.ZipFile(path) as archive:
        found = archive.read("mimetype")[:100] if "mimetype" in archive.namelist() else b""
    if found.strip() != _ODS_MIMETYPE:
        raise SpreadsheetError(f"Tệp {name} không phải bảng tính OpenDocument (.ods). "
                               f"{ODS.resave_hint(name)}")


def _nothing_in(tables: Tables, name: str, what: str) -> Tables:
    """The tables, or a SpreadsheetError when none of them has a single filled cell."""
    if not any(tables):
        raise SpreadsheetError(f"Tệp {name} không có dữ liệu: {what}.")
    return tables


def calamine_tables(path: Path, name: str) -> Tables:
    """Every worksheet of a legacy .xls or an .ods, in workbook order, as rows of raw values."""
    suffix = (path.suffix or Path(name).suffix).lower()
    if suffix == ".xls":
        _check_file(path, name, "ole2", "Excel 97–2003 (.xls)", _XLS_HINT)
    elif suffix == ".ods":
        _check_file(path, name, "zip", "OpenDocument (.ods)", ODS.hint)
        check_archive(path, name, ODS)
        _check_ods_mimetype(path, name)
    else:
        raise SpreadsheetError(f"Tệp {name}: chỉ đọc được .xls hoặc .ods ở đây.")
    bounds = _Bounds(name)
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            tables = [_sheet_rows(workbook.get_sheet_by_index(index), bounds)
                      for index in range(len(workbook.sheet_names))]
    except PasswordError:
        raise SpreadsheetError(f"Tệp {name} được đặt mật khẩu. Hãy mở tệp, bỏ mật khẩu và lưu lại dạng .xlsx "
                               "rồi tải lên lại.") from None
    except (CalamineError, ValueError, OSError) as error:  # broken, truncated, or an unsupported variant
        hint = _XLS_HINT if suffix == ".xls" else ODS.hint
        raise SpreadsheetError(f"Không đọc được tệp {name}: tệp hỏng hoặc không phải định dạng {suffix}. "
                               f"{hint.format(name=name)}") from error
    return _nothing_in(tables, name, "mọi trang tính đều trống")


def docx_tables(path: Path, name: str) -> Tables:
    """Every top-level table of a Word .docx annex, in document order, as rows of cell texts."""
    _check_file(path, name, "zip", "Word (.docx)", DOCX.hint)
    check_archive(path, name, DOCX)
    # Late on purpose: python-docx loads lxml, which only .docx files need.
    from docx import Document
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError

    from app.files.word_tables import table_rows

    bounds = _Bounds(name)
    try:
        document = Document(str(path))
        tables = [bounds.table(table_rows(table, MAX_COLUMNS), f"bảng thứ {number}")
                  for number, table in enumerate(document.tables, start=1)]
    # ValueError: not a Word document (an .xlsx renamed); SyntaxError is how lxml reports broken XML.
    except (PythonDocxError, OpcError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError,
            SyntaxError, OSError) as error:
        raise SpreadsheetError(f"Không đọc được tệp Word {name}: tệp hỏng hoặc không phải định dạng .docx. "
                               f"{DOCX.resave_hint(name)}") from error
    return _nothing_in(tables, name, "tệp không có bảng nào có chữ; danh sách phải nằm trong một bảng")


_READERS: dict[str, Reader] = {".xls": calamine_tables, ".ods": calamine_tables, ".docx": docx_tables}


def reader_for(suffix: str) -> Reader | None:
    """The reader of files with this suffix ('.xls', '.ods', '.docx'), or None for another format."""
    return _READERS.get(suffix.lower())


def read_tables_limited(reader: Reader, path: Path, name: str, *,
                        limits: ProcessLimits = XLSX_LIMITS) -> Tables:
    """reader(path, name) in the limited child (an .xlsx's budget: the files are as big); SpreadsheetError."""
    return read_limited(reader, path, name[:100], limits=limits)

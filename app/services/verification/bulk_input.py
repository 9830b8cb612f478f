"""A buyer's list as they have it: pasted lines, a table pasted from Excel, or an uploaded CSV/XLSX/ODS.

The list is read into an InputTable (their own header and rows, kept for the download), then the
column to check is found: by its header's words (Vietnamese or English), else by its content
(most cells look like verification codes), else the buyer chooses it. Files are read by
app.files.spreadsheet.read_table, with the importer's guards and limits. Every problem is an
InvalidInput naming the field, and the row and column where there is one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.domain.codes import normalize_code
from app.domain.parsing import cell_text
from app.errors import InvalidInput
from app.files.sheet_columns import column_letter, header_key
from app.files.sheet_errors import SpreadsheetError, thousands
from app.files.spreadsheet import read_table
from app.i18n import gettext
from app.services.verification.bulk_check import MAX_ITEM_LENGTH, MAX_ITEMS, BulkItem

TEXT_FIELD, FILE_FIELD, TABLE_FIELD, COLUMN_FIELD = "danh_sach", "tep", "bang", "cot"
MAX_COLUMNS = 60
CODE_LIKE_SHARE = 0.5  # a column where more than half the cells are codes is the column to check
# Header words, folded (header_key), by what the column holds; checked in this order of preference.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("ma", "ma xac thuc", "ma tra cuu", "ma xac minh", "ma kiem tra", "ma qr", "code",
             "verification code", "ma code"),
    "number": ("so giay chung nhan", "so gcn", "so chung nhan", "gcn", "so giay cn", "certificate",
               "certificate number", "certificate no", "so hieu giay chung nhan"),
    "product": ("ten san pham", "san pham", "ten sp", "sp", "mat hang", "ten hang", "product",
                "product name", "item"),
    "producer": ("co so", "ten co so", "co so san xuat", "nha cung cap", "ten nha cung cap", "don vi",
                 "nha san xuat", "producer", "supplier", "manufacturer"),
}
# Phrases a longer header may start with ('Mã xác thực (8 ký tự)'); never the start of a product's or a
# producer's name, unlike 'Sản phẩm …' or 'Cơ sở …', which only name a column when they are the whole header.
PREFIX_WORDS = ("ma xac thuc", "ma tra cuu", "ma xac minh", "ma kiem tra", "so giay chung nhan", "so gcn",
                "so chung nhan", "ten san pham", "ten co so", "ten nha cung cap", "verification code",
                "certificate number", "product name")
LOOKUP_KINDS = ("code", "number", "product")


@dataclass(frozen=True, slots=True)
class InputRow:
    """A data row: its line or row number in what was sent, and its cells as text."""

    number: int
    cells: tuple[str, ...]

    def cell(self, position: int | None) -> str:
        """The text at `position` ('' past the row's end or when no column)."""
        return self.cells[position] if position is not None and position < len(self.cells) else ""


@dataclass(frozen=True, slots=True)
class InputTable:
    """What the buyer sent: their header (none for a plain list) and data rows, in order."""

    header: tuple[str, ...]
    rows: tuple[InputRow, ...]
    source: str = ""  # the file's name; '' for pasted text

    @property
    def width(self) -> int:
        """The number of columns (the widest row or the header)."""
        return max([len(self.header), *(len(r.cells) for r in self.rows)], default=0)

    def column_label(self, position: int) -> str:
        """'B – Mã xác thực' from the header, or 'B' (or 'B – K7QM-4XRT…' from the first value)."""
        letter = column_letter(position)
        title = self.header[position] if position < len(self.header) else ""
        title = title or next((r.cell(position) for r in self.rows if r.cell(position)), "")
        return f"{letter} – {title[:40]}" if title else letter


@dataclass(frozen=True, slots=True)
class Columns:
    """The column to check and the producer's column (for narrowing names); `lookup` None: ask the buyer."""

    lookup: int | None
    producer: int | None = None


def _too_many(count: int, field: str) -> InvalidInput:
    """The row-limit message."""
    message = gettext("Danh sách có %(num)s dòng, quá giới hạn %(max)s dòng cho mỗi lần kiểm tra. "
                      "Hãy chia danh sách thành nhiều phần.")
    return InvalidInput(message % {"num": thousands(count), "max": thousands(MAX_ITEMS)}, field=field)


def _table(raw: list[tuple[str, ...]], *, source: str, field: str) -> InputTable:
    """Rows without blank ones; the first is the header when one of its cells names a known column."""
    numbered = [(n, cells) for n, cells in enumerate(raw, start=1) if any(cells)]
    if not numbered:
        message = gettext("Danh sách trống. Hãy dán mỗi mã (hoặc số giấy chứng nhận, tên sản phẩm) trên một "
                          "dòng, hoặc chọn một tệp có dữ liệu.")
        raise InvalidInput(message, field=field)
    header: tuple[str, ...] = ()
    if _is_header(numbered[0][1]):
        header, numbered = numbered[0][1], numbered[1:]
    if len(numbered) > MAX_ITEMS:
        raise _too_many(len(numbered), field)
    if max(len(cells) for _, cells in [(0, header), *numbered]) > MAX_COLUMNS:
        raise InvalidInput(gettext("Danh sách có quá %(max)s cột.") % {"max": MAX_COLUMNS}, field=field)
    return InputTable(header=header, rows=tuple(InputRow(n, cells) for n, cells in numbered), source=source)


def table_from_text(text: str) -> InputTable:
    """Pasted lines: one item a line, or a table when lines hold tabs (cells copied from Excel)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tabbed = any("\t" in line for line in lines)
    raw = [tuple(cell_text(c) for c in (line.split("\t") if tabbed else [line])) for line in lines]
    return _table([_trimmed(cells) for cells in raw], source="", field=TEXT_FIELD)


def _trimmed(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Cells without the empty ones at the end."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def table_from_upload(filename: str, data: bytes) -> InputTable:
    """An uploaded .csv, .xlsx, .xls or .ods within the importer's limits; InvalidInput names the file."""
    suffix = Path(filename).suffix.lower()
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="cnnt-bulk-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        raw = read_table(Path(name), name=filename)
    except SpreadsheetError as error:
        raise InvalidInput(error.message, field=FILE_FIELD) from None
    finally:
        os.unlink(name)
    rows = [_trimmed(tuple(cell_text(c) for c in row)) for row in raw]
    return _table(rows, source=filename, field=FILE_FIELD)


def table_json(table: InputTable) -> str:
    """The table as one hidden field, so a column choice or a download needs no second upload."""
    rows = [[row.number, list(row.cells)] for row in table.rows]
    return json.dumps({"s": table.source, "h": list(table.header), "r": rows}, ensure_ascii=False,
                      separators=(",", ":"))


def table_from_json(value: str) -> InputTable:
    """A table sent back by table_json, checked like any input (it comes from the browser)."""
    try:
        data = json.loads(value)
        header = _strings(data["h"])
        rows = tuple(InputRow(int(number), _strings(cells)) for number, cells in data["r"])
        source = str(data["s"])[:120]
    except (ValueError, KeyError, TypeError):
        message = gettext("Không đọc được danh sách gửi lại. Hãy dán hoặc tải tệp lên lại.")
        raise InvalidInput(message, field=TEXT_FIELD) from None
    if len(rows) > MAX_ITEMS:
        raise _too_many(len(rows), TEXT_FIELD)
    if not rows or max(len(r.cells) for r in rows) > MAX_COLUMNS or len(header) > MAX_COLUMNS:
        raise InvalidInput(gettext("Không đọc được danh sách gửi lại. Hãy dán hoặc tải tệp lên lại."),
                           field=TEXT_FIELD)
    return InputTable(header=header, rows=rows, source=source)


def _strings(values: object) -> tuple[str, ...]:
    """A JSON list of strings as a tuple; TypeError for anything else."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("not a list of strings")
    return tuple(values)


def header_kind(text: str) -> str | None:
    """'code', 'number', 'product' or 'producer' for a header naming one; None otherwise.

    The header's words exactly, or a header starting with one of PREFIX_WORDS: a lone 'mã' as a
    prefix would take 'Mã số thuế' for codes, 'Cơ sở' would take a producer's name for a header.
    """
    key = header_key(text)
    if not key:
        return None
    for kind, words in HEADER_WORDS.items():
        if key in words or any(key.startswith(w + " ") for w in words if w in PREFIX_WORDS):
            return kind
    return None


def _is_header(cells: tuple[str, ...]) -> bool:
    """A first row that names a known column and holds no verification code (a code is data)."""
    return any(header_kind(c) for c in cells) and not any(normalize_code(c) for c in cells)


def _code_share(table: InputTable, position: int) -> float:
    """The share of a column's non-empty cells that read as verification codes."""
    cells = [c for r in table.rows if (c := r.cell(position))]
    return sum(normalize_code(c) is not None for c in cells) / len(cells) if cells else 0.0


def detect_columns(table: InputTable, chosen: str = "") -> Columns:
    """The buyer's valid choice; else by header words; else the only column; else by codes in the cells."""
    kinds = {p: k for p, text in enumerate(table.header) if (k := header_kind(text))}
    producer = next((p for p, k in kinds.items() if k == "producer"), None)
    if chosen.isdigit() and int(chosen) < table.width:
        return Columns(lookup=int(chosen), producer=producer if producer != int(chosen) else None)
    for kind in LOOKUP_KINDS:
        found = [p for p, k in kinds.items() if k == kind]
        if len(found) == 1:
            return Columns(lookup=found[0], producer=producer)
        if found:
            return Columns(lookup=None, producer=producer)  # two columns named alike: ask
    if table.width == 1:
        return Columns(lookup=0)
    shares = {p: _code_share(table, p) for p in range(table.width)}
    best = max(shares, key=lambda p: shares[p])
    codes_in = [p for p, share in shares.items() if share > CODE_LIKE_SHARE]
    return Columns(lookup=best if len(codes_in) == 1 else None, producer=producer)


def bulk_items(table: InputTable, columns: Columns) -> list[BulkItem]:
    """One item per data row, from the chosen column; InvalidInput naming row and column of a long cell."""
    if columns.lookup is None:
        raise InvalidInput(gettext("Hãy chọn cột chứa mã tra cứu, số giấy chứng nhận hoặc tên sản phẩm."),
                           field=COLUMN_FIELD)
    for row in table.rows:
        if len(row.cell(columns.lookup)) > MAX_ITEM_LENGTH:
            message = gettext("Dòng %(row)s, cột %(column)s: nội dung dài hơn %(max)s ký tự, không phải "
                              "mã, số giấy chứng nhận hay tên sản phẩm. Hãy sửa ô đó hoặc chọn cột khác.")
            raise InvalidInput(message % {"row": row.number, "column": table.column_label(columns.lookup),
                                          "max": MAX_ITEM_LENGTH}, field=COLUMN_FIELD)
    lookup, producer = columns.lookup, columns.producer
    return [BulkItem(text=row.cell(lookup), producer=row.cell(producer)) for row in table.rows]

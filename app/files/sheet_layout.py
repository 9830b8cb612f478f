"""Find the winners table inside a sheet laid out as offices publish it (a decision annex).

Annexes carry title rows above the table ("ỦY BAN NHÂN DÂN TỈNH …", "DANH SÁCH SẢN PHẨM …"),
a row of column numbers under the header, an STT column, sub-header rows that name a group
("I. Nhóm thủ công mỹ nghệ") and footnotes and signatures below. This module reads them as
they are: the header is the row among the first HEADER_SEARCH_ROWS that names the most known
columns; everything else is reported as information or a warning with its row numbers,
never an error, and a row with a product name and a producer is always data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.groups import group_of_subheader
from app.domain.parsing import cell_text, is_blank, preview
from app.domain.text import fold
from app.files.sheet_columns import (
    ADDRESS_PART,
    COLUMN_LABELS,
    IGNORED,
    classify_header,
    column_letter,
)
from app.files.sheet_errors import SpreadsheetError

HEADER_SEARCH_ROWS = 15
_NUMBERING_CHARS = 6
Table = Sequence[tuple[object, ...]]
_COLUMN_NUMBER = re.compile(r"^\(?\s*\d{1,2}\s*\)?$|^\(?[a-z]\)$")
_FOOTER = re.compile(
    r"^(?:ghi chu|\*|nơi nhan|noi nhan|kt\b|tm\b|q\b|giam doc|pho giam doc|chu tich|pho chu tich|nguoi lap|"
    r"lap bieu|truong phong|ky ten|\(?da ky|luu\b|- luu|- nhu tren|xac nhan|so cong thuong|tong cong)"
    r"|ngay \d{1,2} thang \d{1,2} nam \d{4}")


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row: its row number in the sheet and its cells by column."""

    number: int
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """Where a column comes from: its letter and header as the clerk wrote it (no letter: not a column)."""

    letter: str | None
    header: str

    @property
    def label(self) -> str:
        """'C – Tên cơ sở', or the header alone when the column has no letter."""
        return f"{self.letter} – {self.header}" if self.letter else self.header


@dataclass(frozen=True, slots=True)
class SheetNote:
    """Something the reader skipped or guessed: information, or a warning the clerk should read."""

    row: int | None
    message: str
    warning: bool = False


@dataclass(slots=True)
class Sheet:
    """The table found in a file: data rows, where each column comes from, and notes about the rest."""

    rows: list[SheetRow]
    columns: dict[str, SheetColumn] = field(default_factory=dict)
    notes: list[SheetNote] = field(default_factory=list)

    def column_label(self, column: str | None) -> str | None:
        """How messages name a column: 'C – Tên cơ sở' from the file, else its Vietnamese label."""
        if column is None:
            return None
        found = self.columns.get(column)
        return found.label if found is not None else COLUMN_LABELS.get(column, column)


@dataclass(slots=True)
class _Header:
    """The header row's position and what each cell position holds."""

    index: int
    columns: dict[int, str]
    headers: dict[int, str]
    ignored: set[int]
    parts: list[int]
    notes: list[SheetNote]


def _text(cell: object) -> str:
    """A cell as trimmed text."""
    return cell_text(cell) if not is_blank(cell) else ""


def _rows_span(numbers: list[int]) -> str:
    """'dòng 3' or 'dòng 1–4' (consecutive) or 'dòng 20, 22, 25'."""
    if len(numbers) == 1:
        return f"dòng {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"dòng {numbers[0]}–{numbers[-1]}"
    return "dòng " + ", ".join(str(n) for n in numbers)


def _header_score(cells: tuple[object, ...]) -> int:
    """How many known columns a row names; 0 unless the product name and one other are among them."""
    found = {kind for cell in cells if (text := _text(cell)) and (kind := classify_header(text))}
    found.discard(IGNORED)
    return len(found) if "product_name" in found and len(found) >= 2 else 0


def _map_header(index: int, cells: tuple[object, ...]) -> _Header:
    """Each position's column, with a warning for unknown and repeated headers."""
    header = _Header(index=index, columns={}, headers={}, ignored=set(), parts=[], notes=[])
    for position, cell in enumerate(cells):
        if not (text := _text(cell)):
            continue
        _place(header, position, text, index + 1)
    return header


def _place(header: _Header, position: int, text: str, row: int) -> None:
    """Map one header cell, or note why it is not used."""
    kind = classify_header(text)
    letter = column_letter(position)
    if kind == IGNORED:
        header.ignored.add(position)
    elif kind == ADDRESS_PART:
        header.parts.append(position)
        header.headers[position] = text
    elif kind is None:
        message = f"Cột {letter} – '{preview(text)}' không dùng, bỏ qua."
        header.notes.append(SheetNote(row, message, warning=True))
    elif kind in header.columns.values():
        first = next(p for p, c in header.columns.items() if c == kind)
        header.notes.append(SheetNote(row, f"Cột {letter} – '{preview(text)}' trùng nội dung với cột "
                                           f"{column_letter(first)} – {header.headers[first]}, bỏ qua.",
                                      warning=True))
    else:
        header.columns[position] = kind
        header.headers[position] = text


def _part_rank(header_text: str) -> int:
    """Smallest unit first in a joined address: hamlet, commune, district."""
    key = fold(header_text)
    return 0 if key.startswith(("thon", "ap", "xom")) else 1 if key.startswith(("xa", "phuong")) else 2


def _second_header(header: _Header, cells: tuple[object, ...]) -> str | None:
    """Why the row under the header is part of it (column numbers, a split header), or None if data."""
    texts = {p: t for p, cell in enumerate(cells) if (t := _text(cell))}
    if len(texts) >= 2 and all(_COLUMN_NUMBER.match(fold(t)) for t in texts.values()):
        return "dòng số thứ tự cột"
    kinds = {p: classify_header(t) for p, t in texts.items()}
    if not texts or any(kind is None for kind in kinds.values()):
        return None
    for position, text in texts.items():
        if position not in header.columns and position not in header.parts and position not in header.ignored:
            _place(header, position, text, header.index + 2)
    return "dòng tên cột thứ hai"


def find_header(table: Table) -> _Header | None:
    """The row among the first HEADER_SEARCH_ROWS naming the most known columns (the first on a tie)."""
    best, best_score = None, 0
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        score = _header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return None if best is None else _map_header(best, table[best])


def _is_footer_text(text: str) -> bool:
    """Text that belongs to the notes or the signature block under a table."""
    return bool(_FOOTER.match(" ".join(fold(text).split())))


class _Walker:
    """Walks the rows under the header: data, group sub-headers, notes and the footer block."""

    def __init__(self, header: _Header) -> None:
        self.header = header
        self.rows: list[SheetRow] = []
        self.notes: list[SheetNote] = []
        self.group: tuple[str, int] | None = None
        self.footer: list[int] = []
        self.groups_used = False
        self.parts = sorted(header.parts, key=lambda p: _part_rank(header.headers[p]))

    def values(self, cells: tuple[object, ...]) -> dict[str, object]:
        """The row's cells by column; address parts joined into the address when it has none."""
        values = {column: cells[p] for p, column in self.header.columns.items() if p < len(cells)}
        if "address" not in self.header.columns.values() and self.header.parts:
            parts = [_text(cells[p]) for p in self.parts if p < len(cells)]
            values["address"] = ", ".join(part for part in parts if part) or None
        return values

    def walk(self, number: int, cells: tuple[object, ...]) -> None:
        """Classify one row under the header."""
        # A numbering cell (STT: "1", "II") is not text of the row; a note merged across from column A is.
        texts = [(p, t) for p, cell in enumerate(cells)
                 if (t := _text(cell)) and not (p in self.header.ignored and len(t) <= _NUMBERING_CHARS)]
        if not texts:
            return
        values = self.values(cells)
        data = not is_blank(values.get("product_name")) and not is_blank(values.get("producer_name"))
        if self.footer or (self.rows and not data and any(_is_footer_text(t) for _, t in texts)):
            if data and len(texts) > 2 and not any(_is_footer_text(t) for _, t in texts):
                self.add(number, values)
            else:
                self.footer.append(number)
            return
        if len(texts) == 1 and not data:
            self.subheader(number, texts[0][1])
            return
        self.add(number, values)

    def subheader(self, number: int, text: str) -> None:
        """A row with one text: a group for the rows below it, or a heading that is skipped."""
        group = group_of_subheader(text)
        if group is not None:
            self.group = (group.value, number)
            what = f"các dòng dưới thuộc nhóm {group.label} (khi ô nhóm để trống)"
        else:
            what = "dòng tiêu đề mục, bỏ qua"
        self.notes.append(SheetNote(number, f"Dòng {number} – '{preview(text)}': {what}."))

    def add(self, number: int, values: dict[str, object]) -> None:
        """A data row, with the sub-header's group when its own group cell is blank."""
        if self.group is not None and is_blank(values.get("product_group")):
            values["product_group"] = self.group[0]
            self.groups_used = True
        self.rows.append(SheetRow(number=number, values=values))


def _columns(header: _Header, groups_used: bool) -> dict[str, SheetColumn]:
    """Where each column of the data rows comes from, for messages."""
    columns = {column: SheetColumn(column_letter(p), header.headers[p])
               for p, column in header.columns.items()}
    if "address" not in columns and header.parts:
        parts = sorted(header.parts, key=lambda p: _part_rank(header.headers[p]))
        columns["address"] = SheetColumn(column_letter(parts[0]), ", ".join(header.headers[p] for p in parts))
    if groups_used and "product_group" not in columns:
        columns["product_group"] = SheetColumn(None, "Nhóm sản phẩm (theo dòng tiêu đề nhóm)")
    return columns


def _layout_table(table: Table, header: _Header) -> Sheet:
    """The data rows under `header`, with notes about every row that is not data."""
    notes = list(header.notes)
    if header.index:
        notes.insert(0, SheetNote(1, f"Bỏ qua {header.index} dòng tiêu đề phía trên bảng "
                                     f"({_rows_span(list(range(1, header.index + 1)))})."))
    start = header.index + 1
    if start < len(table) and (why := _second_header(header, table[start])) is not None:
        notes.append(SheetNote(start + 1, f"Dòng {start + 1} là {why}, bỏ qua."))
        notes.extend(n for n in header.notes if n not in notes)
        start += 1
    walker = _Walker(header)
    for index in range(start, len(table)):
        walker.walk(index + 1, table[index])
    notes.extend(walker.notes)
    if walker.footer:
        notes.append(SheetNote(walker.footer[0], f"Bỏ qua phần ghi chú và chữ ký dưới bảng "
                                                 f"({_rows_span(walker.footer)}).", warning=True))
    return Sheet(rows=walker.rows, columns=_columns(header, walker.groups_used), notes=notes)


def layout(tables: Sequence[Table]) -> Sheet:
    """The first table that has a header row, read as a Sheet; SpreadsheetError when none has one."""
    if not any(any(not is_blank(cell) for cell in cells) for table in tables for cells in table):
        raise SpreadsheetError("Tệp trống.")
    for position, table in enumerate(tables):
        header = find_header(table)
        if header is None:
            continue
        sheet = _layout_table(table, header)
        if position:
            message = f"Đọc bảng thứ {position + 1} của tệp (các bảng trước không có dòng tên cột)."
            sheet.notes.insert(0, SheetNote(None, message))
        if not sheet.rows:
            raise SpreadsheetError("Tệp không có dòng dữ liệu nào dưới dòng tên cột.")
        return sheet
    raise SpreadsheetError(
        f"Không tìm thấy dòng tên cột trong {HEADER_SEARCH_ROWS} dòng đầu: cần cột Tên sản phẩm và ít nhất "
        "một cột khác (Tên cơ sở, Nhóm sản phẩm, Cấp…). Hãy dùng mẫu danh sách hoặc thêm dòng tên cột.")
